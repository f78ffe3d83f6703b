"""An account's timeline read in pieces: a mixin of `AccountSpider` (crawler/spiders/account.py).

One page of a timeline that scrolls without end grows without bound (Chromium ~0.6 MB per post kept
in the DOM). So a page's scroll stops at `SMA_TIMELINE_PIECE_POSTS` posts and the timeline goes on
in a fresh page: the page's own next link (`rel=next`, "Volgende", "Oudere berichten": the reader's
`follow`), else the next piece its profile names (`next_piece: {param: max_id}` on the scroll
action: `?max_id=<last post's id>`), else the cursor of the page's own timeline requests
(`Link: <...?max_id=...>; rel="next"`, as Mastodon's API answers) set on the page's URL.
The post pages are planned once, over the whole timeline (crawler/archive/history.py `plan`: new,
young, missing), when its last piece is read: a post on piece 2 is not "missing" from piece 1.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any

from w3lib.url import canonicalize_url

from ..capture.behaviours import ActionResult, PageDriver
from ..capture.reader import ReaderResult
from ..recapture import platform_now

_NEXT = re.compile(r'<([^>]+)>\s*;[^,]*\brel="?[^",]*\bnext\b')


class TimelinePieces:
    # The spider's (crawler/spiders/account.py).
    profile: Any
    reading: Any
    history: Any
    settings: Any
    logger: Any
    completeness: dict[str, Any]
    max_posts: int | None
    revisit_days: float
    full: bool
    comments: bool
    recorders: Any
    _queued: set[str]
    # The timeline read so far: pages asked for (canonical URLs), pages still to read, post links
    # in timeline order, and the platform's time of the profile page (for the plan's "young").
    _timeline_asked: set[str]
    _timeline_pending: int
    _timeline_links: list[str]
    _timeline_now: Any
    _visits: int  # post pages queued (within --max-posts)
    _recapture: bool  # the account's history knew posts before this crawl began
    _visiting: set[str]

    def _request(self, url: str, callback: str, priority: int = 0, thread_of: str | None = None) -> Any:
        raise NotImplementedError

    def _post_links(self, links: list[str]) -> list[str]:
        raise NotImplementedError

    # -- reading one piece -------------------------------------------------------------------------
    def _watch_cursors(self, page: Any) -> list[str]:
        """The `Link: rel=next` URLs of the page's own responses from now on (its timeline API)."""
        cursors: list[str] = []

        def seen(response: Any) -> None:
            link = (response.headers or {}).get("link")
            if link:
                cursors.extend(_NEXT.findall(link))

        page.on("response", seen)
        return cursors

    def _driver(self, page: Any, spec: Any) -> PageDriver:
        driver = PageDriver(page, self.recorders.for_page(page), self.profile, spec)
        driver.piece_posts = self.settings.getint("SMA_TIMELINE_PIECE_POSTS", 0)
        return driver

    async def _next_piece(self, page: Any, driver: PageDriver, reading: ReaderResult, links: list[str],
                          cursors: list[str], results: list[ActionResult]) -> str | None:
        """The next piece's URL when this page stopped on a bound (posts held, the reader's rounds or
        seconds) and names no next page itself; the action's report says how it went on."""
        if reading.follow or not links or not (driver.piece_full or not reading.complete):
            return None
        hrefs = await page.eval_on_selector_all("a[href]", "els => els.map(e => e.href.split('#')[0])")
        wanted = set(links)
        ordered = list(dict.fromkeys(u for u in hrefs if u in wanted)) or links
        url = await driver.next_piece(ordered, cursors)
        if url and not reading.complete:
            # The reader's bound ended this page, not the timeline: the rest is the next piece's.
            reading.complete, reading.note = True, f"{reading.note}; the timeline continued at {url}"
        for result in results:
            if result.note.startswith("piece bound"):
                result.note += f"; continued at {url}" if url else "; no next page found"
                result.complete = url is not None
        return url

    async def _read_piece(self, page: Any, cursors: list[str]) -> tuple[PageDriver, list[ActionResult],
                                                                          ReaderResult, list[str]]:
        """The profile's actions (a bounded scroll), then the reader over the page."""
        spec = self.profile.page("profile")
        driver = self._driver(page, spec)
        results = await driver.run()
        if driver.piece_full and not await self._can_go_on(page, driver, cursors):
            # No way to a next piece (no next link, no hint, no cursor): this page scrolls on, as one.
            driver.piece_posts, driver.piece_full = 0, False
            again = iter(await driver.run([a for a in spec.actions if a["do"] == "scroll"]))
            results = [next(again) if r.note.startswith("piece bound") else r for r in results]
        # Scenario A (no threads archived): the reader only scrolls, dismisses and pages the list.
        reader = self.reading.reader(page, self.recorders.for_page(page), item=spec.selectors.get("post"),
                                     dismiss_only=not self.comments, allow_next=True)
        if driver.piece_full:
            # The reader goes over the piece once, screen by screen, and does not scroll it longer.
            height, step = await page.evaluate(
                "() => [document.documentElement.scrollHeight, Math.round(window.innerHeight * 0.85)]")
            reader.limits = replace(reader.limits, max_rounds=min(reader.limits.max_rounds, height // max(1, step) + 2))
        reading = await reader.read()
        if "post_link" in spec.selectors:
            await driver.collect(spec.selectors["post_link"])
        found = [*reading.links, *driver.collected]
        return driver, results, reading, self._post_links(found) if found else []

    async def _can_go_on(self, page: Any, driver: PageDriver, cursors: list[str]) -> bool:
        if await page.locator("a[rel~=next][href], link[rel~=next][href]").count():
            return True
        hrefs = await page.eval_on_selector_all("a[href]", "els => els.map(e => e.href.split('#')[0])")
        links = self._post_links(hrefs) if hrefs else []
        return bool(links) and await driver.next_piece(links, cursors) is not None

    # -- following pieces and planning the posts ---------------------------------------------------
    def _timeline_requests(self, urls: list[str]) -> list[Any]:
        """Requests for timeline pages not asked for yet (counted: the posts are planned after the last)."""
        asked = self._timeline_asked
        out = []
        for url in urls:
            key = canonicalize_url(url)
            if key in asked:
                continue
            asked.add(key)
            request = self._request(url, "parse_timeline_page", priority=5)
            request = request.replace(dont_filter=True, errback=self.on_timeline_error)
            out.append(request)
        self._timeline_pending += len(out)
        return out

    def _timeline_done(self, links: list[str]) -> list[Any]:
        """One timeline page read (or lost): its new posts are planned; after the last page, the
        posts gone from the whole timeline too (a deletion to confirm)."""
        fresh = [u for u in dict.fromkeys(links) if u not in self._queued]
        self._timeline_links.extend(fresh)
        self._queued.update(fresh)
        self._timeline_pending -= 1
        return self._plan_posts(fresh, final=self._timeline_pending <= 0)

    def _plan_posts(self, links: list[str], final: bool) -> list[Any]:
        """Which of a piece's posts this run visits (history.plan: new, young, old with --full),
        within --max-posts over the whole timeline; `final`: the missing ones of the whole timeline."""
        assert self.history is not None
        now = self._timeline_now or platform_now(None)
        plan = self.plan if isinstance(self.plan, dict) and "new" in self.plan else {
            "new": [], "young": [], "missing": [], "old": []}
        piece = self.history.plan(links, now, self.revisit_days, self.full)
        posts = [url for reason in ("new", "young", "old") for url in piece[reason]]
        for reason in ("new", "young", "old"):
            plan[reason] = [*plan[reason], *piece[reason]]
        if final:
            plan["missing"] = self.history.plan(self._timeline_links, now, self.revisit_days, self.full)["missing"]
            posts += plan["missing"]
        self.plan = plan
        budget = None if self.max_posts is None else max(0, self.max_posts - self._visits)
        posts = [u for u in posts if u not in self._visiting][:budget]
        self._visits += len(posts)
        self._visiting.update(posts)
        self.completeness["posts_selected"] = self._visits if not self._recapture else len(self._timeline_links)
        if self.completeness.get("profile") is not None:
            self.completeness["profile"]["posts_found"] = len(self._timeline_links)
        if final:
            self.logger.info("timeline read: %d post links found, %d to visit", len(self._timeline_links), self._visits)
        return [self._request(url, "parse_post") for url in posts]

    async def parse_timeline_page(self, response: Any) -> Any:
        """A further page of the timeline ("Volgende", rel=next, a next piece): read, archived, and
        its own next page followed; its post links count with the timeline's."""
        page = response.meta["playwright_page"]
        assert self.profile is not None and self.reading is not None and self.history is not None
        cursors = self._watch_cursors(page)
        try:
            driver, results, reading, found = await self._read_piece(page, cursors)
            links = [u for u in found if u not in self._queued]
            # A piece with nothing new (a page that ignores the cursor) ends the timeline here.
            piece = await self._next_piece(page, driver, reading, found, cursors, results) if links else None
            capture = await self.recorders.snapshot(page, "profile", facts={
                "profile": self.profile.name, "actions": [r.as_dict() for r in results], "reader": reading.brief()})
        finally:
            await page.close()
        yield capture
        self.completeness.setdefault("timeline_pages", []).append({
            "url": response.url, "posts_found": len(links), "actions": [r.as_dict() for r in results],
            "reader": reading.brief(), "next_piece": piece})
        follow = [u for u in reading.follow if u not in found] + ([piece] if piece else [])
        if self.settings.getbool("SMA_DISTRIBUTED"):
            # Another worker may read the next page: this one's posts are queued at once.
            self._queued.update(links)
            budget = None if self.max_posts is None else max(0, self.max_posts - self._visits)
            for url in links[:budget]:
                self._visits += 1
                yield self._request(url, "parse_post")
            # posts_found: the crawl's merge adds up the pieces' (crawler/distributed/completion.py)
            for url in follow:
                yield self._request(url, "parse_timeline_page", priority=5)
            return
        for request in self._timeline_requests(follow):
            yield request
        for request in self._timeline_done(links):
            yield request

    def on_timeline_error(self, failure: Any) -> Any:
        """A timeline page that could not be read: reported; the posts found so far are planned."""
        request = failure.request
        page = request.meta.get("playwright_page")
        if page is not None and not page.is_closed():
            asyncio.ensure_future(page.close())
        reason = str(failure.value).splitlines()[0] if str(failure.value) else type(failure.value).__name__
        if not getattr(failure.value, "reported", False):
            self.errors.append(f"{request.url}: {reason}")
        yield from self._timeline_done([])

    errors: list[str]
    plan: Any
