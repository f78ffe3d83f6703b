"""AccountSpider: one social media account — its profile page, timeline and every post's thread."""

from __future__ import annotations

import logging
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider

from ..archive.history import AccountHistory, account_key
from ..archive.model import utc_now
from ..capture.behaviours import PageDriver
from ..capture.content import read_post_content
from ..capture.page import PageRecorders
from ..capture.reader import PageReading, ReaderResult, post_links
from ..profiles import SelectorWaits, resolve
from ..recapture import platform_now, post_actions, post_content
from ..spec import CrawlSpec
from ..state import CrawlState
from .checks import READY_TIMEOUT_MS, PageChecks
from .timeline import TimelinePieces

logger = logging.getLogger(__name__)


class CrawlFailed(Exception):
    """Raised inside callbacks for a condition that makes the whole crawl pointless."""


def _in_state(name: str) -> Any:
    """A spider attribute that is the crawl state's (the state lives in its extension)."""
    return property(lambda self: getattr(self.state, name), lambda self, value: setattr(self.state, name, value))


class AccountSpider(TimelinePieces, PageChecks, scrapy.Spider):
    name = "account"

    def __init__(
        self,
        url: str,
        profile: str = "auto",
        max_posts: int | str | None = None,
        account: str | None = None,
        comments: bool = True,
        revisit_days: float = 7.0,
        full: bool = False,
        posts: list[str] | None = None,
        reason: str | None = None,
        session: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.start_url = url
        self.profile_name = profile
        self.max_posts = int(max_posts) if max_posts not in (None, "") else None
        # Recapture: the account's history in the archive decides which post pages this run visits.
        self.account_key = account or account_key(url)
        self.comments = comments  # False: scenario A, threads are not archived
        self.revisit_days = float(revisit_days)
        self.full = full
        self.selected_posts = list(posts or [])  # on request (scenario C): only these post pages
        self.reason = reason
        self.session = session
        self.history: AccountHistory | None = None
        # Post visits whose page is not yet in the WARC: committed to the history on item_scraped.
        self.pending: dict[str, tuple[str, Any, list[dict[str, Any]]]] = {}
        self.url_matched = False
        self._state: CrawlState | None = None
        self.reading: PageReading | None = None
        self.waits = SelectorWaits()  # the crawl's (from_crawler): selectors known drifted are only probed
        self._follow_timeline: list[str] = []
        self._queued: set[str] = set()
        self._timeline_asked: set[str] = set()
        self._timeline_pending = 0
        self._timeline_links: list[str] = []
        self._timeline_now: Any = None
        self._visits = 0
        self._recapture = False  # the account has posts in its history: set in start_requests
        self._visiting: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> AccountSpider:
        spec = CrawlSpec.from_crawler(crawler)
        if spec is not None:  # the crawl's parameters, decided once (crawler/spec.py)
            kwargs = {"url": spec.url, "profile": spec.profile, "max_posts": spec.max_posts, "account": spec.account,
                      "comments": spec.comments, "revisit_days": spec.revisit_days, "full": spec.full,
                      "posts": list(spec.posts), "reason": spec.reason, "session": spec.session, **kwargs}
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.reading = PageReading.from_crawler(crawler)
        spider.waits = SelectorWaits.from_crawler(crawler)
        crawler.signals.connect(spider.page_written, signal=signals.item_scraped)
        crawler.signals.connect(spider.callback_failed, signal=signals.spider_error)
        return spider

    @property
    def state(self) -> CrawlState:
        """The crawl's state (crawler/state.py): the spider only writes it."""
        if self._state is None:
            self._state = CrawlState.of(self.crawler)
        return self._state

    @property
    def recorders(self) -> PageRecorders:
        """The crawl's page recorders (a downloader middleware: it starts each page's recording)."""
        recorders = self.crawler.get_downloader_middleware(PageRecorders)
        if recorders is None:
            raise RuntimeError("crawler.capture.page.PageRecorders is not in DOWNLOADER_MIDDLEWARES")
        return recorders

    def _driver(self, page: Any, spec: Any) -> PageDriver:
        """The timeline's drivers (crawler/spiders/timeline.py) wait as the post pages do."""
        driver = super()._driver(page, spec)
        driver.waits = self.waits
        return driver

    profile = _in_state("profile")
    browser_version = _in_state("browser_version")
    plan = _in_state("plan")
    changes = _in_state("changes")
    completeness = _in_state("completeness")
    errors = _in_state("errors")
    fatal_error = _in_state("fatal_error")
    paused = _in_state("paused")

    def callback_failed(self, failure: Any, response: Any, spider: Any) -> None:
        """A page whose capture raised: never a silent gap; the profile page's loss ends the crawl."""
        reason = str(failure.value).splitlines()[0] if str(failure.value) else type(failure.value).__name__
        if response.meta.get("sma_kind") == "profile" and self.completeness["profile"] is None:
            self.fatal_error = self.fatal_error or f"cannot capture {response.url}: {reason}"
        else:
            self.errors.append(f"{response.url}: capture failed: {reason}")

    def page_written(self, item: Any, response: Any, spider: Any) -> None:
        """The page passed every pipeline (it is in the WARC): now the history may say so."""
        pending = self.pending.pop(getattr(item, "url", ""), None)
        if pending is not None and self.history is not None:
            url, state, changes = pending
            try:
                if self.settings.getbool("SMA_DISTRIBUTED"):
                    from ..distributed.history import commit_shared

                    commit_shared(self.history, url, state, changes)  # other workers write it too
                else:
                    self.history.commit(url, state, changes)
            except OSError as exc:
                # The page is in the WARC; unrecorded, it is only visited again next time.
                self.logger.warning("could not record %s in the account history: %s", url, exc)
                return
            self.changes.extend(changes)

    # scrapy >= 2.13 prefers `start`; keep start_requests for older versions too.
    async def start(self):  # type: ignore[override]
        for request in self.start_requests():
            yield request

    def start_requests(self):
        self.profile, self.url_matched = resolve(self.start_url, self.profile_name)
        self.history = AccountHistory(self.settings.get("SMA_ARCHIVE_DIR"), self.account_key)
        self.history.profile_url = self.history.profile_url or self.start_url
        # Decided once, before this crawl records any post: its own captures fill the history.
        self._recapture = bool(self.history.posts)
        if self.settings.getbool("SMA_DISTRIBUTED"):
            return  # a worker: the crawl's pages come from the frontier in Redis (crawler/distributed)
        if self.selected_posts:
            self.plan = {"selected": list(self.selected_posts)}
            for url in self.selected_posts:
                yield self._request(url, "parse_post")
            return
        yield self._request(self.start_url, "parse_profile", priority=10)

    def _request(self, url: str, callback: str, priority: int = 0, thread_of: str | None = None) -> scrapy.Request:
        meta = {"sma_thread_of": thread_of} if thread_of else {}
        return scrapy.Request(
            url,
            callback=getattr(self, callback),
            errback=self.on_error,
            priority=priority,
            dont_filter=False,
            meta={
                "playwright": True,
                "playwright_include_page": True,
                "handle_httpstatus_all": True,
                "dont_retry": callback == "parse_profile",
                "sma_kind": "profile" if callback == "parse_profile" else "post",
                **meta,
            },
        )

    def fail(self, message: str) -> None:
        self.fatal_error = message
        raise CloseSpider(message)

    def pause(self, message: str) -> None:
        """A logged-out session: stop, archive nothing of the wall, and mark the account paused."""
        self.paused = message
        if self.history is not None:
            self.history.paused = {"reason": message, "at": utc_now().isoformat()}
            self.history.save()
        raise CloseSpider("paused")

    # -- profile page ------------------------------------------------------------------------------
    async def parse_profile(self, response):
        page = response.meta["playwright_page"]
        self.browser_version = page.context.browser.version if page.context.browser else None
        cursors = self._watch_cursors(page)
        try:
            if response.status >= 400:
                self.fail(f"{self.start_url} answered HTTP {response.status}: no such profile")
            assert self.profile is not None
            await self._check_page(page)
            await self._check_session(page)
            spec = self.profile.page("profile")
            assert self.reading is not None
            # The profile's actions where they still fit (a scroll bounded to one piece of the
            # timeline), then the reader over the whole page (crawler/spiders/timeline.py).
            driver, results, reading, links = await self._read_piece(page, cursors)
            counters = await driver.read_counters(self.reading.words)
            if self.profile.name == "generic" and self._drifted("detect") and not links:
                self.fail(f"{self.start_url} is not a social media profile "
                          f"(page check {self.profile.detect['selector']!r} failed and no post links found)")
            self._follow_timeline = [u for u in reading.follow if u not in links]
            piece = await self._next_piece(page, driver, reading, links, cursors, results)
            if piece:
                self._follow_timeline.append(piece)
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
                "reader": reading.brief(),
                "next_piece": piece,
            }
            capture = await self.recorders.snapshot(
                page,
                "profile",
                facts={"profile": self.profile.name, "counters": counters, "actions": [r.as_dict() for r in results]},
            )
        finally:
            await page.close()
        yield capture
        assert self.history is not None
        self._timeline_now = platform_now(response.headers.get("Date"))
        if self.settings.getbool("SMA_DISTRIBUTED"):
            # Another worker may read the timeline's next pages: plan this page's posts at once.
            self._timeline_links = list(links)
            self._queued = set(links)
            for request in self._plan_posts(links, final=True):
                yield request
            for url in self._follow_timeline:
                yield self._request(url, "parse_timeline_page", priority=5)
            return
        # The timeline's further pages first; its posts are planned when the last is read.
        self._timeline_pending = 1
        for request in self._timeline_requests(self._follow_timeline):
            yield request
        for request in self._timeline_done(links):
            yield request

    def _post_links(self, links: list[str]) -> list[str]:
        """This account's post pages: by the profile's URL patterns where they know any, else by
        discovery (links that repeat with an id); never third parties' profiles."""
        assert self.profile is not None
        unique = list(dict.fromkeys(u.split("#")[0] for u in links))
        if self.profile.urls.get("post"):
            known = [u for u in unique if self.profile.classify(u) == "post"]
            if known:
                return known
            self._drift("profile", "urls.post", "no link on the profile page matches the post URL patterns")
        return post_links(unique, self.start_url)

    # -- post pages ------------------------------------------------------------------------------
    async def parse_post(self, response):
        page = response.meta["playwright_page"]
        assert self.profile is not None and self.history is not None
        try:
            spec = self.profile.page("post")
            driver = PageDriver(page, self.recorders.for_page(page), self.profile, spec, self.waits)
            gone = response.status in (404, 410)
            if response.status >= 400 and not (gone and response.url in self.history.posts):
                self.errors.append(f"{response.url}: HTTP {response.status}")
            ready_missed = None
            if spec.ready and not gone and not self._drifted("detect"):
                # The full timeout until it is known drifted, then a probe (crawler/profiles.SelectorWaits).
                if await self.waits.wait(page, spec.ready, READY_TIMEOUT_MS, driver.recorder) is not None:
                    ready_missed = spec.ready  # drift, unless it is there once the page is read
            await self._check_session(page)
            results = []
            readings: list[ReaderResult] = []
            if not gone:
                # The profile's actions where they still fit, then the reader over the whole page:
                # what the profile missed (drift) or opened (replies in a panel) it reads too.
                results = await driver.run(post_actions(spec.actions, self.comments))
                readings.append(await self._read(page, spec))
                await self._recheck(page, response.url, ready_missed, results, driver)
            # Its thread's further pages (page 2..N, a reply's own page) are read and counted with it.
            thread_pages = self.reading.threads.read(
                response.url, response.url, readings, precise=self.profile.name != "generic") if self.comments else []
            counters = await driver.read_counters(self.reading.words)
            read_count = await self.reading.reader(page, self.recorders.for_page(page)).displayed_comments()
            if counters.get("comments") is None:
                if "comments" in spec.counters:
                    self._drift("post", "counters.comments", "matched nothing; read from the page's text",
                                spec.counters["comments"]["selector"])
                counters["comments"] = read_count
            comments = await driver.count(spec.selectors["comment"]) if "comment" in spec.selectors else None
            if comments is not None:
                # A virtualised thread keeps few comments in the DOM: count what scrolled past too.
                comments = max([comments, *(r.hinted_seen for r in readings)])
            seen = post_content(response.url, response.status, await read_post_content(page, self.profile),
                                counters.get("comments") if self.comments else 0)
            found, state = self.history.compare(seen, self.settings.get("SMA_CRAWL_ID"), utc_now())
            changes = [c.as_dict() for c in found]
            if seen.status in (404, 410):
                # The last good copy stays what replay shows: the deletion is recorded as evidence
                # (metadata), not as a capture of the error page over the post.
                capture = await self.recorders.snapshot(page, "gone", facts={"status": seen.status}, screenshot=False)
                capture.facts["changes"] = changes
                self.pending[capture.url] = (response.url, state, changes)
                yield capture
                return
            self.completeness["posts"].append(
                {
                    "url": response.url,
                    "counters": counters,
                    "selectors": await driver.selector_counts(),
                    "comments_captured": comments,
                    "comments_archived": self.comments,
                    "actions": [r.as_dict() for r in results],
                    "reader": [r.brief() for r in readings],
                }
            )
            facts: dict[str, Any] = {"profile": self.profile.name, "counters": counters, "comments": comments}
            if self.reason:
                facts["selection-reason"] = self.reason
            capture = await self.recorders.snapshot(page, "post", facts=facts)
            capture.facts["changes"] = changes
            self.pending[capture.url] = (response.url, state, changes)
        finally:
            await page.close()
        yield capture
        for url in thread_pages:
            yield self._request(url, "parse_thread_page", priority=2, thread_of=response.url)

    async def parse_thread_page(self, response):
        """A further page of a post's thread: read and archived; its comments count with the post."""
        page = response.meta["playwright_page"]
        post_url = response.meta["sma_thread_of"]
        assert self.profile is not None and self.reading is not None
        try:
            reading = await self._read(page, self.profile.page("post"))
            more = self.reading.threads.read(post_url, response.url, [reading])
            capture = await self.recorders.snapshot(
                page, "thread", facts={"profile": self.profile.name, "thread-of": post_url, "reader": reading.brief()})
        finally:
            await page.close()
        if response.status >= 400:
            self.errors.append(f"{response.url}: HTTP {response.status}")
        for post in self.completeness["posts"]:
            if post["url"] == post_url:
                post.setdefault("reader", []).append(reading.brief())
        yield capture
        for url in more:
            yield self._request(url, "parse_thread_page", priority=2, thread_of=post_url)

    async def _read(self, page: Any, spec: Any) -> ReaderResult:
        assert self.reading is not None
        reader = self.reading.reader(page, self.recorders.for_page(page), item=spec.selectors.get("comment"),
                                     dismiss_only=not self.comments)
        return await reader.read()

    async def on_error(self, failure):
        request = failure.request
        page = request.meta.get("playwright_page")
        if page is not None and not page.is_closed():
            await page.close()
        if self.settings.getbool("SMA_DISTRIBUTED"):
            from ..distributed.signals import page_failed

            # The page's lease ends once this errback has recorded why (crawler/distributed/components.py).
            self.crawler.signals.send_catch_log(page_failed, request=request)
        reason = str(failure.value).splitlines()[0] if str(failure.value) else type(failure.value).__name__
        if getattr(failure.value, "reported", False) and request.meta.get("sma_kind") != "profile":
            return  # a bound of docs/limits.md: already a shortfall with its reason (crawler/limits.py)
        if request.meta.get("sma_kind") == "profile":
            self.fatal_error = f"cannot capture {request.url}: {reason}"
            raise CloseSpider(self.fatal_error)
        self.errors.append(f"{request.url}: {reason}")
