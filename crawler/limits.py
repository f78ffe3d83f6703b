"""Bounds on hostile pages (docs/limits.md): pages per crawl, time per page, bytes per response,
and the page guard (popups, navigating away). Each bound that stops something is a *limit event*,
a shortfall in completeness.json and the report with the setting and the reason; the crawl goes on.

Two components, wired in crawler/settings.py:

- `CaptureLimitsMiddleware` (downloader middleware): hands the per-page bounds to the page's
  recorder (request meta `sma_limits`, read by `crawler.capture.page.init_page`), refuses page
  requests beyond `SMA_MAX_PAGES`, and collects the events a captured page carries (`facts["limits"]`).
- `PageTimeoutMiddleware` (spider middleware): a page whose callback runs longer than
  `SMA_PAGE_TIMEOUT` is abandoned (its browser page closed) and reported.

Events are kept in the crawl's stats (`sma/limits`), where `CrawlReport` reads them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

LIMITS_STAT = "sma/limits"


class LimitReached(IgnoreRequest):
    """A request SMA did not make because a bound was reached; already reported as a limit event."""

    reported = True


class PageTimedOut(Exception):
    """A profile page's capture ran past SMA_PAGE_TIMEOUT (posts are reported, this one ends the crawl)."""


def record_limit(crawler: Any, where: str, setting: str, value: Any, note: str) -> None:
    """One limit event into the crawl's stats (a list; `CrawlReport` turns it into shortfalls)."""
    events = list(crawler.stats.get_value(LIMITS_STAT) or [])
    event = {"where": where, "setting": setting, "value": value, "note": note}
    if event not in events:
        events.append(event)
    crawler.stats.set_value(LIMITS_STAT, events)


@dataclass
class CaptureLimits:
    """What one page may cost; passed to the page's recorder as plain data (picklable meta)."""

    max_response_bytes: int = 100 * 1024 * 1024
    network_idle_s: float = 10.0
    action_max_s: float = 600.0
    close_popups: bool = True
    block_navigation: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> CaptureLimits:
        return cls(
            max_response_bytes=settings.getint("SMA_DOWNLOAD_MAXSIZE", cls.max_response_bytes),
            network_idle_s=settings.getfloat("SMA_NETWORK_IDLE_TIMEOUT", cls.network_idle_s),
            action_max_s=settings.getfloat("SMA_ACTION_MAX_SECONDS", cls.action_max_s),
            close_popups=settings.getbool("SMA_CLOSE_POPUPS", cls.close_popups),
            block_navigation=settings.getbool("SMA_BLOCK_NAVIGATION", cls.block_navigation),
        )


class CaptureLimitsMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.limits = CaptureLimits.from_settings(crawler.settings)
        self.max_pages = crawler.settings.getint("SMA_MAX_PAGES", 0)
        self.pages: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> CaptureLimitsMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.item_scraped, signal=signals.item_scraped)
        return middleware

    def process_request(self, request: Any) -> None:
        if not request.meta.get("playwright"):
            return None
        request.meta.setdefault("sma_limits", asdict(self.limits))
        if request.url in self.pages:  # a retry (rate limits) is the same page, not one more
            return None
        if self.max_pages and len(self.pages) >= self.max_pages:
            note = f"{self.max_pages} pages visited; {request.url} not visited"
            record_limit(self.crawler, request.url, "SMA_MAX_PAGES", self.max_pages, note)
            raise LimitReached(f"SMA_MAX_PAGES={self.max_pages} reached")
        self.pages.add(request.url)
        return None

    def item_scraped(self, item: Any, response: Any, spider: Any) -> None:
        for event in (getattr(item, "facts", None) or {}).get("limits") or []:
            record_limit(self.crawler, item.url, event["setting"], event["value"], event["note"])


class PageTimeoutMiddleware:
    """Abandons a page whose capture (the spider's callback) runs past `SMA_PAGE_TIMEOUT` seconds."""

    def __init__(self, crawler: Any, timeout: float) -> None:
        self.crawler = crawler
        self.timeout = timeout

    @classmethod
    def from_crawler(cls, crawler: Any) -> PageTimeoutMiddleware:
        timeout = crawler.settings.getfloat("SMA_PAGE_TIMEOUT", 0)
        if timeout <= 0:
            raise NotConfigured("SMA_PAGE_TIMEOUT is 0: no time bound per page")
        return cls(crawler, timeout)

    async def process_spider_output(self, response: Any, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        results = aiter(result)
        while True:
            try:
                item = await asyncio.wait_for(anext(results), max(0.0, deadline - loop.time()))
            except StopAsyncIteration:
                return
            except TimeoutError:
                page = response.meta.get("playwright_page")
                if page is not None and not page.is_closed():
                    await page.close()
                note = (f"the page's capture took longer than {self.timeout:g} s; abandoned, "
                        "nothing of this visit archived")
                if response.meta.get("sma_kind") == "profile":
                    # Without its profile page an account's crawl is pointless: the spider's error path.
                    raise PageTimedOut(f"SMA_PAGE_TIMEOUT={self.timeout:g}: {note}") from None
                record_limit(self.crawler, response.url, "SMA_PAGE_TIMEOUT", self.timeout, note)
                return
            yield item
