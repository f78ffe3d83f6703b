"""AccountSpider: one social media account — its profile page, timeline and every post's thread."""

from __future__ import annotations

import logging
from typing import Any

import scrapy
from scrapy.exceptions import CloseSpider

from ..capture.behaviours import PageDriver
from ..capture.page import recorder_for, snapshot
from ..profiles import Profile, resolve

logger = logging.getLogger(__name__)

INIT_PAGE = "crawler.capture.page.init_page"


class CrawlFailed(Exception):
    """Raised inside callbacks for a condition that makes the whole crawl pointless."""


class AccountSpider(scrapy.Spider):
    name = "account"

    def __init__(self, url: str, profile: str = "auto", max_posts: int | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_url = url
        self.profile_name = profile
        self.max_posts = int(max_posts) if max_posts not in (None, "") else None
        self.profile: Profile | None = None
        self.url_matched = False
        self.fatal_error: str | None = None
        self.browser_version: str | None = None
        self.errors: list[str] = []
        # Completeness: what each page displayed against what was captured (see extensions).
        self.completeness: dict[str, Any] = {"profile": None, "posts": [], "actions": []}

    # scrapy >= 2.13 prefers `start`; keep start_requests for older versions too.
    async def start(self):  # type: ignore[override]
        for request in self.start_requests():
            yield request

    def start_requests(self):
        self.profile, self.url_matched = resolve(self.start_url, self.profile_name)
        yield self._request(self.start_url, "parse_profile", priority=10)

    def _request(self, url: str, callback: str, priority: int = 0) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=getattr(self, callback),
            errback=self.on_error,
            priority=priority,
            dont_filter=False,
            meta={
                "playwright": True,
                "playwright_include_page": True,
                "playwright_page_init_callback": INIT_PAGE,
                "handle_httpstatus_all": True,
                "dont_retry": callback == "parse_profile",
                "sma_kind": "profile" if callback == "parse_profile" else "post",
            },
        )

    def fail(self, message: str) -> None:
        self.fatal_error = message
        raise CloseSpider(message)

    # -- profile page ------------------------------------------------------------------------------
    async def parse_profile(self, response):
        page = response.meta["playwright_page"]
        self.browser_version = page.context.browser.version if page.context.browser else None
        try:
            if response.status >= 400:
                self.fail(f"{self.start_url} answered HTTP {response.status}: no such profile")
            assert self.profile is not None
            await self._check_page(page)
            spec = self.profile.page("profile")
            driver = PageDriver(page, recorder_for(page), self.profile, spec)
            results = await driver.run()
            counters = await driver.read_counters()
            if "post_link" in spec.selectors:
                await driver.collect(spec.selectors["post_link"])
            # Only links the profile recognises as this account's posts: never wander off to
            # third parties' profiles (data minimisation) or elsewhere.
            known = bool(self.profile.urls.get("post"))
            links = [u for u in driver.collected if not known or self.profile.classify(u) == "post"]
            seen_posts = await driver.count(spec.selectors["post"]) if "post" in spec.selectors else None
            account = await self._read_account(page, spec.selectors)
            self.completeness["profile"] = {
                "url": self.start_url,
                "profile": self.profile.name,
                "counters": counters,
                "selectors": await driver.selector_counts(),
                "posts_found": len(links),
                "posts_in_dom_at_end": seen_posts,
                "account": account,
                "actions": [r.as_dict() for r in results],
            }
            capture = await snapshot(
                page,
                "profile",
                facts={"profile": self.profile.name, "counters": counters, "actions": [r.as_dict() for r in results]},
            )
        finally:
            await page.close()
        yield capture
        posts = links if self.max_posts is None else links[: self.max_posts]
        self.completeness["posts_selected"] = len(posts)
        self.logger.info("profile captured: %d post links found, %d to visit", len(links), len(posts))
        for url in posts:
            yield self._request(url, "parse_post")

    async def _check_page(self, page: Any) -> None:
        """Refuses pages that are not what the profile describes, and login walls."""
        assert self.profile is not None
        spec = self.profile.page("profile")
        detect = self.profile.detect
        if detect:
            found = await page.locator(detect["selector"]).count()
            if found < int(detect.get("min_count", 1)):
                what = "social media profile" if self.profile.name == "generic" else f"{self.profile.title} profile"
                self.fail(f"{self.start_url} is not a {what} (page check {detect['selector']!r} failed)")
        for wall in self.profile.login_wall:
            if await page.locator(wall).count() > 0:
                self.fail(f"{self.start_url} shows a login wall ({wall!r}); not archiving it")
        if spec.ready:
            try:
                await page.locator(spec.ready).first.wait_for(state="attached", timeout=15_000)
            except Exception:  # noqa: BLE001 - Playwright's TimeoutError
                self.fail(f"{self.start_url}: profile page never showed {spec.ready!r}")

    async def _read_account(self, page: Any, selectors: dict[str, str]) -> dict[str, str | None]:
        account: dict[str, str | None] = {}
        for key in ("account_name", "account_handle"):
            sel = selectors.get(key)
            loc = page.locator(sel) if sel else None
            account[key] = (await loc.first.inner_text()).strip() if loc is not None and await loc.count() else None
        return account

    # -- post pages ------------------------------------------------------------------------------
    async def parse_post(self, response):
        page = response.meta["playwright_page"]
        assert self.profile is not None
        try:
            if response.status >= 400:
                self.errors.append(f"{response.url}: HTTP {response.status}")
            spec = self.profile.page("post")
            driver = PageDriver(page, recorder_for(page), self.profile, spec)
            if spec.ready:
                try:
                    await page.locator(spec.ready).first.wait_for(state="attached", timeout=15_000)
                except Exception:  # noqa: BLE001
                    self.errors.append(f"{response.url}: post page never showed {spec.ready!r}")
            results = await driver.run()
            counters = await driver.read_counters()
            comments = await driver.count(spec.selectors["comment"]) if "comment" in spec.selectors else None
            self.completeness["posts"].append(
                {
                    "url": response.url,
                    "counters": counters,
                    "selectors": await driver.selector_counts(),
                    "comments_captured": comments,
                    "actions": [r.as_dict() for r in results],
                }
            )
            capture = await snapshot(
                page, "post", facts={"profile": self.profile.name, "counters": counters, "comments": comments}
            )
        finally:
            await page.close()
        yield capture

    async def on_error(self, failure):
        request = failure.request
        page = request.meta.get("playwright_page")
        if page is not None and not page.is_closed():
            await page.close()
        reason = str(failure.value).splitlines()[0] if str(failure.value) else type(failure.value).__name__
        if request.meta.get("sma_kind") == "profile":
            self.fatal_error = f"cannot capture {request.url}: {reason}"
            raise CloseSpider(self.fatal_error)
        self.errors.append(f"{request.url}: {reason}")
