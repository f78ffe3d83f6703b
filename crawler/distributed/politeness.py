"""Politeness shared by every worker through Redis: per platform host at most `SMA_HOST_CONCURRENCY`
pages at a time and `SMA_HOST_DELAY_S` seconds between two page starts, whichever worker opens them.

A page holds its host slot from navigation until the page is done (its behaviours load from the host
too); a slot whose worker died expires with the lease time. `hold_host` lets any component (a 429 or
503 with Retry-After) keep every worker off a host for a while.

    <ns>:host:<host>:slots   ZSET  slot token -> expiry (Unix seconds)
    <ns>:host:<host>:next    STRING earliest Unix time the next page of the host may start
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from .frontier import LEASE_META, connect
from .signals import page_done

# Returns 0 when a slot was taken, else the milliseconds to wait before asking again.
_ACQUIRE = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nxt > now then return math.ceil((nxt - now) * 1000) end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 250 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
redis.call('SET', KEYS[2], tostring(now + tonumber(ARGV[5])))
return 0
"""
_HOLD = """
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > nxt then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""
MAX_WAIT_S = 1.0  # ask again at least this often (a slot freed early is taken soon)


class SharedHostPoliteness:
    """Downloader middleware (worker only): waits for the host's shared slot before each page."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.get("SMA_REDIS_URL"):
            raise NotConfigured("no SMA_REDIS_URL: not a worker")
        self.server = connect(settings.get("SMA_REDIS_URL"))
        self.ns = settings.get("SMA_REDIS_NAMESPACE", "sma")
        self.limit = settings.getint("SMA_HOST_CONCURRENCY", 4)
        self.delay = settings.getfloat("SMA_HOST_DELAY_S", 0.0)
        self.lease_s = settings.getfloat("SMA_LEASE_S", 60.0)
        self.acquire = self.server.register_script(_ACQUIRE)
        self.hold = self.server.register_script(_HOLD)
        self.slots: dict[str, tuple[str, str]] = {}  # page lease token -> (host, slot token)
        self.stats = crawler.stats
        self._beat: asyncio.Task | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedHostPoliteness:
        mw = cls(crawler)
        crawler.signals.connect(mw.page_done, signal=page_done)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def key(self, host: str, part: str) -> str:
        return f"{self.ns}:host:{host}:{part}"

    async def process_request(self, request: Any, spider: Any = None) -> None:
        lease = request.meta.get(LEASE_META)
        if not lease or lease in self.slots:
            return None
        if self._beat is None:
            self._beat = asyncio.ensure_future(self._renew_loop())
        host = urlsplit(request.url).netloc.lower()
        token = uuid.uuid4().hex
        started = time.monotonic()
        while True:
            wait_ms = int(self.acquire(keys=[self.key(host, "slots"), self.key(host, "next")],
                                       args=[time.time(), self.limit, token, self.lease_s, self.delay]))
            if wait_ms == 0:
                break
            await asyncio.sleep(min(wait_ms / 1000, MAX_WAIT_S))
        self.slots[lease] = (host, token)
        self.stats.inc_value("sma/politeness/wait_s", round(time.monotonic() - started, 3))
        return None

    async def _renew_loop(self) -> None:
        """The heartbeat: a slot stays while its page is worked on."""
        while True:
            await asyncio.sleep(max(0.5, self.lease_s / 4))
            expiry = time.time() + self.lease_s
            try:
                for host, token in list(self.slots.values()):
                    self.server.zadd(self.key(host, "slots"), {token: expiry}, xx=True)
            except Exception:  # noqa: BLE001, S110 - Redis away for a moment: the next beat tries again
                pass

    def page_done(self, token: str) -> None:
        slot = self.slots.pop(token, None)
        if slot is not None:
            self.server.zrem(self.key(slot[0], "slots"), slot[1])

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._beat is not None:
            self._beat.cancel()
        for lease in list(self.slots):
            self.page_done(lease)

    def hold_host(self, host: str, seconds: float) -> None:
        """No worker starts a page of `host` for `seconds` (e.g. a 429's Retry-After)."""
        self.hold(keys=[self.key(host.lower(), "next")], args=[time.time() + seconds])
