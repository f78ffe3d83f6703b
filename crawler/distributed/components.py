"""Scrapy components of a worker (wired by `crawler/distributed/worker.py`'s settings):

- `PageLeases` (extension): renews the worker's leases (heartbeat), ends a page's lease once the
  page's callback output is through (found requests queued, captures written), with what the spider
  observed on it; gives back the leases of pages left undone when the worker stops.
- `LeaseOutput` (spider middleware): counts what each leased page's callback yields.
- `WorkerWarcPipeline`: the WARC pipeline with the worker's own file prefix, the Redis digest index,
  and no repair of `.open` files (other workers are writing theirs).
- `WorkerPrivacyPipeline`: keeps each page's privacy facts (encrypted, per page) but leaves the access
  copy to the end of the account's crawl, whichever worker ends it (`completion.finish`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from ..pipelines import WarcPipeline
from ..privacy_pipeline import PrivacyPipeline
from ..state import CrawlState
from .completion import Observer
from .digests import RedisSeen
from .frontier import LEASE_META, Frontier, connect
from .signals import page_done, page_failed

logger = logging.getLogger(__name__)


class PageLeases:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.get("SMA_REDIS_URL"):
            raise NotConfigured("no SMA_REDIS_URL: not a worker")
        self.crawler = crawler
        self.crawl_id = settings.get("SMA_CRAWL_ID")
        self.worker = settings.get("SMA_WORKER_NAME")
        self.frontier = Frontier(connect(settings.get("SMA_REDIS_URL")), settings.get("SMA_REDIS_NAMESPACE", "sma"),
                                 settings.getfloat("SMA_LEASE_S", 60.0))
        self.pending: dict[str, int] = defaultdict(int)  # lease token -> outputs not yet through
        self.exhausted: set[str] = set()  # tokens whose callback output has ended
        self.parent: dict[int, str] = {}  # id(request found on a page) -> the page's lease token
        self.observer = Observer()
        self.done_pages = 0
        self._held: set[str] = set()
        self._stopped = threading.Event()
        self._beat: threading.Thread | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageLeases:
        ext = cls(crawler)
        for handler, signal in (
            (ext.spider_opened, signals.spider_opened), (ext.spider_closed, signals.spider_closed),
            (ext.item_through, signals.item_scraped), (ext.item_through, signals.item_dropped),
            (ext.item_through, signals.item_error), (ext.request_scheduled, signals.request_scheduled),
            (ext.callback_failed, signals.spider_error), (ext.request_failed, page_failed),
        ):
            crawler.signals.connect(handler, signal=signal)
        return ext

    # -- heartbeat ---------------------------------------------------------------------------
    def held(self) -> set[str]:
        queue = getattr(self.crawler.engine.scheduler, "queue", None) if self.crawler.engine else None
        return getattr(queue, "held", set())

    def spider_opened(self, spider: Any) -> None:
        self.frontier.writer_alive(self.crawl_id, self.worker)
        self._held = self.held()
        # A thread, not a task: a busy event loop (a long page, the PII detector) must not let a lease lapse.
        self._beat = threading.Thread(target=self._beat_loop, name="sma-lease-heartbeat", daemon=True)
        self._beat.start()

    def _beat_loop(self) -> None:
        while not self._stopped.wait(max(0.5, self.frontier.lease_s / 4)):
            try:
                self.frontier.renew(self.crawl_id, list(set(self._held)))
                self.frontier.writer_alive(self.crawl_id, self.worker)
            except Exception as exc:  # noqa: BLE001 - Redis away for a moment, a set that changed: next beat
                logger.warning("lease heartbeat failed: %s", exc)

    # -- what a page's callback produced -------------------------------------------------------------
    def output(self, token: str, obj: Any) -> None:
        self.pending[token] += 1
        if isinstance(obj, Request):
            self.parent[id(obj)] = token

    def output_ended(self, token: str) -> None:
        self.exhausted.add(token)
        self._later(token)

    def request_scheduled(self, request: Request, spider: Any) -> None:
        token = self.parent.pop(id(request), None)
        if token is not None:
            self._through(token)  # enqueue_request follows in the same call; the check runs after it

    def item_through(self, item: Any, response: Any = None, spider: Any = None, **kwargs: Any) -> None:
        token = getattr(response, "meta", {}).get(LEASE_META) if response is not None else None
        if token:
            self._through(token)

    def _through(self, token: str) -> None:
        self.pending[token] -= 1
        self._later(token)

    def callback_failed(self, failure: Any, response: Any, spider: Any) -> None:
        token = response.meta.get(LEASE_META)
        if token:
            self.output_ended(token)

    def request_failed(self, request: Request) -> None:
        token = request.meta.get(LEASE_META)
        if token:
            self.output_ended(token)

    def _later(self, token: str) -> None:
        # After the signal's other handlers (the spider records its errors there) and the enqueue.
        asyncio.get_event_loop().call_soon(self._maybe_done, token)

    def _maybe_done(self, token: str) -> None:
        if token not in self.exhausted or self.pending.get(token, 0) > 0 or token not in self.held():
            return
        self._done(token)

    def _done(self, token: str) -> None:
        self.held().discard(token)
        self.exhausted.discard(token)
        self.pending.pop(token, None)
        left = self.frontier.done(self.crawl_id, token, self.observer.delta(self.crawler.get_extension(CrawlState)))
        self.crawler.signals.send_catch_log(page_done, token=token)
        self.done_pages += 1
        if left < 0:
            logger.warning("a page's lease had expired before it was done: another worker captures it again")

    # -- stop --------------------------------------------------------------------------------
    def spider_closed(self, spider: Any, reason: str) -> None:
        self._stopped.set()
        undone = list(self.held())
        state = CrawlState.of(self.crawler)
        if undone and (state.fatal_error or state.paused):
            # The crawl cannot go on (profile gone, login wall, logged out, disk full): its pages end
            # with the reason, so the account's report says it instead of the page being retried forever.
            for token in undone:
                self._done(token)
        elif undone:
            # Given back at once rather than after the lease expires.
            self.frontier.renew_until(self.crawl_id, undone, 0)
            self.frontier.reclaim(self.crawl_id)
            for token in undone:
                self.crawler.signals.send_catch_log(page_done, token=token)
        self.frontier.writer_closed(self.crawl_id, self.worker)


class LeaseOutput:
    """Counts the outputs of every leased page's callback for `PageLeases`."""

    def __init__(self, leases: PageLeases) -> None:
        self.leases = leases

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseOutput:
        leases = next((e for e in crawler.extensions.middlewares if isinstance(e, PageLeases)), None)
        if leases is None:
            raise NotConfigured("no PageLeases extension")
        return cls(leases)

    async def process_spider_output(self, response: Any, result: AsyncIterator[Any], spider: Any = None
                                    ) -> AsyncIterator[Any]:
        token = response.meta.get(LEASE_META)
        try:
            async for obj in result:
                if token and obj is not None:
                    self.leases.output(token, obj)
                yield obj
        finally:
            if token:
                self.leases.output_ended(token)


class WorkerWarcPipeline(WarcPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.worker = crawler.settings.get("SMA_WORKER_NAME")
        self.seen = RedisSeen(connect(crawler.settings.get("SMA_REDIS_URL")),
                              crawler.settings.get("SMA_REDIS_NAMESPACE", "sma"))

    def recover(self) -> None:
        """Other workers' `.open` files are being written: a dead writer's are repaired when its
        crawl ends (`completion.finish`)."""

    def seen_index(self) -> Any:
        return self.seen

    def warc_prefix(self) -> str:
        return self.worker

    def thumbnail_name(self, page_number: int) -> str:
        return f"{self.worker}-{page_number:04d}.jpg"  # several workers write one crawl's thumbs/

    def page_row_id(self, records: int) -> str:
        return f"{self.crawl_id}-{self.worker}.{records}"  # worker names have no '-' (sma worker --name)

    def close_spider(self, spider: Any = None) -> None:
        super().close_spider(spider)
        if self.writer is not None:
            self.seen.written(Path(p).name for p in self.writer.files)


class WorkerPrivacyPipeline(PrivacyPipeline):
    def close_spider(self, spider: Any = None) -> None:
        """The access copy of an account crawl is written once, from every worker's WARCs, when its
        last page is done (`completion.finish`); each page's facts are already in its encrypted file."""
        self.state.privacy = None

    def write_access_copy(self) -> None:
        """Not per worker: `completion.finish` writes it once, when the account's crawl ends."""
