"""What the account spider checks on a page before it trusts it: the login session, that the page is
what the profile describes (else the reader does the step: *profile drift*, docs/reader.md), login
walls, the account's own name and handle. A mixin of `AccountSpider` (crawler/spiders/account.py),
which owns the attributes used here (profile, session, completeness, fail, pause)."""

from __future__ import annotations

from typing import Any

READY_TIMEOUT_MS = 15_000  # a page spec's `ready`, until it is known drifted in this crawl (then a probe)


class PageChecks:
    profile: Any
    session: str | None
    start_url: str
    completeness: dict[str, Any]
    waits: Any  # crawler.profiles.SelectorWaits, the crawl's
    recorders: Any  # crawler.capture.page.PageRecorders

    def fail(self, message: str) -> None:  # the spider's: ends the crawl
        raise NotImplementedError

    def pause(self, message: str) -> None:  # the spider's: a logged-out session pauses the account
        raise NotImplementedError

    async def _check_session(self, page: Any) -> None:
        assert self.profile is not None
        if not self.session or not self.profile.session:
            return
        markers = self.profile.session
        if markers.get("logged_out") and await page.locator(markers["logged_out"]).count():
            self.pause(f"session {self.session!r} is logged out on {page.url}; import a fresh one")
        if markers.get("logged_in") and not await page.locator(markers["logged_in"]).count():
            self.pause(f"session {self.session!r} is not logged in on {page.url}; import a fresh one")

    def _drift(self, page: str, step: str, note: str, selector: str | None = None) -> None:
        """A profile step that no longer fits the platform: the reader did it instead."""
        entry = {"page": page, "step": step, "selector": selector, "note": note,
                 "profile": self.profile.name if self.profile else None}
        if entry not in self.completeness["drift"]:
            self.completeness["drift"].append(entry)

    def _drifted(self, step: str) -> bool:
        return any(d["step"] == step for d in self.completeness["drift"])

    async def _check_page(self, page: Any) -> None:
        """Refuses pages that are not what the profile describes, and login walls."""
        assert self.profile is not None
        spec = self.profile.page("profile")
        detect = self.profile.detect
        if detect:
            found = await page.locator(detect["selector"]).count()
            if found < int(detect.get("min_count", 1)):
                # Profiles are hints: the reader captures the page all the same (docs/reader.md).
                self._drift("profile", "detect", f"page check matched {found}, needs {detect.get('min_count', 1)}",
                            detect["selector"])
        for wall in self.profile.login_wall:
            if await page.locator(wall).count() > 0:
                self.fail(f"{self.start_url} shows a login wall ({wall!r}); not archiving it")
        if spec.ready and not self._drifted("detect"):
            if await self.waits.wait(page, spec.ready, READY_TIMEOUT_MS, self.recorders.for_page(page)) is not None:
                self._drift("profile", "ready", "never appeared", spec.ready)

    async def _recheck(self, page: Any, url: str, ready_missed: str | None, results: list[Any],
                       driver: Any) -> None:
        """Once a post page is read: a selector it waited for in vain that matches now was late, not
        drifted: later pages wait for it in full again, and its `wait_for` action did match (late).
        A `ready` that still matches nothing is drift on this page, reported as before."""
        late = await self.waits.recheck(page)
        if ready_missed and ready_missed not in late:
            self._drift("post", "ready", f"never appeared on {url}", ready_missed)
        for result in results:
            if result.do == "wait_for" and result.matched == 0 and driver.selector(result.selector) in late:
                result.matched, result.complete = 1, True
                result.note = f"appeared late, after the wait ({result.note})"
        self.completeness["waits"] = self.waits.record()

    async def _read_account(self, page: Any, selectors: dict[str, str]) -> dict[str, str | None]:
        account: dict[str, str | None] = {}
        for key in ("account_name", "account_handle"):
            sel = selectors.get(key)
            loc = page.locator(sel) if sel else None
            account[key] = (await loc.first.inner_text()).strip() if loc is not None and await loc.count() else None
        return account
