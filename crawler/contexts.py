"""Downloader middleware: a fresh Playwright browser context every N pages (long crawls' memory).

A browser context keeps what its pages leave behind (HTTP cache, service workers, CDP sessions'
buffers, renderer processes kept for reuse); over thousands of post pages that is memory that
only closing the context gives back. With `SMA_CONTEXT_RECYCLE_PAGES = N` (> 0) the Nth page
after a context was opened goes to a new context named `default-<k>`, made with the same options
as `PLAYWRIGHT_CONTEXTS["default"]` (viewport, locale, a login session's storage state), and an
older context is closed once none of its pages is open or on its way. 0 (the default) never
recycles. bench/memory.py measures what it does.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)
PREFIX = "default"


class ContextRecycler:
    def __init__(self, crawler: Crawler, every: int) -> None:
        self.crawler = crawler
        self.every = every
        self.kwargs = dict(crawler.settings.getdict("PLAYWRIGHT_CONTEXTS").get(PREFIX) or {})
        self.pages = 0
        self.in_flight: Counter[str] = Counter()  # context name -> requests between here and their response
        self.closed = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContextRecycler:
        every = crawler.settings.getint("SMA_CONTEXT_RECYCLE_PAGES", 0)
        if every <= 0:
            raise NotConfigured("SMA_CONTEXT_RECYCLE_PAGES is 0: one browser context for the whole crawl")
        return cls(crawler, every)

    def name(self) -> str:
        generation = self.pages // self.every
        return PREFIX if generation == 0 else f"{PREFIX}-{generation}"

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if not request.meta.get("playwright") or request.meta.get("sma_context"):
            return None  # not a browser page, or a retry that keeps its context
        name = self.name()
        self.pages += 1
        request.meta["sma_context"] = name
        request.meta["playwright_context"] = name
        # Also for `default`: a context that was closed is made again from these options, not from none.
        request.meta["playwright_context_kwargs"] = self.kwargs
        self.in_flight[name] += 1
        self._close_idle(name)
        return None

    def process_response(self, request: Request, response: Any, spider: Spider | None = None) -> Any:
        self._done(request)
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Spider | None = None) -> None:
        self._done(request)

    def _done(self, request: Request) -> None:
        name = request.meta.get("sma_context")
        if name and self.in_flight[name] > 0:
            self.in_flight[name] -= 1

    def _handler(self) -> Any:
        downloader = getattr(self.crawler.engine, "downloader", None)
        handlers = getattr(getattr(downloader, "handlers", None), "_handlers", {}) or {}
        return next((h for h in handlers.values() if hasattr(h, "context_wrappers")), None)

    def _close_idle(self, current: str) -> None:
        handler = self._handler()
        if handler is None:
            return
        for name, wrapper in list(handler.context_wrappers.items()):
            if name == current or not name.startswith(PREFIX) or self.in_flight[name] or wrapper.context.pages:
                continue
            handler.context_wrappers.pop(name, None)  # no new page may land in it while it closes
            asyncio.ensure_future(wrapper.context.close())
            self.closed += 1
            self.crawler.stats.set_value("sma/contexts_recycled", self.closed)
            logger.info("browser context %s closed after %d pages", name, self.every)
