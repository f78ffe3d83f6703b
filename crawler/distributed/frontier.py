"""The frontier in Redis: per account crawl a scrapy-redis priority queue and duplicate filter, plus what
scrapy-redis lacks, a lease (visibility timeout) on every page a worker takes.

Keys (namespace `sma` by default, one namespace per archive):

    <ns>:crawls                     SET   crawl ids not yet finished
    <ns>:crawl:<id>                 HASH  the crawl's arguments (`spec`, JSON), `state`, `exit_code`, `message`
    <ns>:crawl:<id>:queue           ZSET  scrapy-redis PriorityQueue (pickled request dicts, score -priority)
    <ns>:crawl:<id>:dupefilter      SET   scrapy-redis RFPDupeFilter fingerprints
    <ns>:crawl:<id>:leases          ZSET  lease token -> deadline (Unix seconds); renewed by the holder's heartbeat
    <ns>:crawl:<id>:lease:data|owner|score  HASH  lease token -> request payload | worker | queue score
    <ns>:crawl:<id>:outstanding     STRING pages queued or leased and not yet done; the crawl ends at 0
    <ns>:crawl:<id>:obs             LIST  per done page: what the spider observed (JSON), merged at the end
    <ns>:crawl:<id>:writers         HASH  worker -> last heartbeat while it has this crawl's WARC open
    <ns>:crawl:<id>:finish          STRING lock of the worker writing the crawl's report and access copy:
                                    short-lived (`lease_s`), renewed by its holder's heartbeat (`FinishLock`)
    <ns>:crawl:<id>:posts           SET   post pages queued in the crawl, whichever worker found them (budget)
    <ns>:digests                    HASH  "<url> <payload digest>" -> [url, WARC-Date] of the first copy

When a crawl is finished its working keys are deleted at once; its HASH (the outcome that `sma run
--redis` and operators read) expires after `finished_ttl_s` (default 7 days).

A page is done when its callback's output is through: requests it found are queued (and counted)
before its own capture is written, so `outstanding` never reaches 0 while a page can still add work.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from typing import Any

import redis
from scrapy.utils.misc import load_object
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

LEASE_META = "sma_lease"
FINISHED_TTL_S = 7 * 86400
# The working keys of a crawl, gone once it is finished (its HASH stays, with an expiry).
WORKING_PARTS = ("queue", "dupefilter", "leases", "lease:data", "lease:owner", "lease:score", "outstanding",
                 "obs", "writers", "finish", "posts")

logger = logging.getLogger(__name__)

# Take the best-scored request and lease it, in one step (no request is ever held by nobody).
_CLAIM = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], r[1])
redis.call('HSET', KEYS[4], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[5], ARGV[2], r[2])
return r[1]
"""
# Leases past their deadline go back to the queue (their worker died or hangs).
_RECLAIM = """
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, t in ipairs(expired) do
  local payload = redis.call('HGET', KEYS[3], t)
  local score = redis.call('HGET', KEYS[5], t) or '0'
  if payload then redis.call('ZADD', KEYS[1], score, payload) end
  redis.call('ZREM', KEYS[2], t)
  redis.call('HDEL', KEYS[3], t)
  redis.call('HDEL', KEYS[4], t)
  redis.call('HDEL', KEYS[5], t)
end
return #expired
"""
# Done: only the lease's holder may end it; a lease already reclaimed returns -1 (another worker has the page).
_DONE = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return -1 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if ARGV[2] ~= '' then redis.call('RPUSH', KEYS[5], ARGV[2]) end
return redis.call('DECR', KEYS[6])
"""
# A retried request replaces its lease by a queued copy (still one outstanding page).
_REQUEUE = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[3], ARGV[2])
return 1
"""

# The finish lock is renewed, or given up, only by the holder that took it.
_RENEW_OWN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE_OWN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def connect(url: str) -> redis.Redis:
    server = redis.Redis.from_url(url)
    server.ping()
    return server


class Frontier:
    """One crawl's (or every crawl's) keys and the operations on them; used by workers and `sma run`."""

    def __init__(self, server: redis.Redis, namespace: str = "sma", lease_s: float = 60.0,
                 finished_ttl_s: float = FINISHED_TTL_S) -> None:
        self.server = server
        self.ns = namespace
        self.lease_s = lease_s
        self.finished_ttl_s = finished_ttl_s
        self._renew_own = server.register_script(_RENEW_OWN)
        self._release_own = server.register_script(_RELEASE_OWN)
        self._claim = server.register_script(_CLAIM)
        self._reclaim = server.register_script(_RECLAIM)
        self._done = server.register_script(_DONE)
        self._requeue = server.register_script(_REQUEUE)

    def key(self, crawl_id: str, part: str = "") -> str:
        return f"{self.ns}:crawl:{crawl_id}" + (f":{part}" if part else "")

    def _lease_keys(self, crawl_id: str) -> list[str]:
        return [self.key(crawl_id, p) for p in ("leases", "lease:data", "lease:owner", "lease:score")]

    # -- crawls ------------------------------------------------------------------------------
    def add_crawl(self, crawl_id: str, spec: dict[str, Any], first_request: bytes, priority: int) -> None:
        """A new account crawl with its first page (the profile) queued."""
        pipe = self.server.pipeline(transaction=True)
        pipe.hset(self.key(crawl_id), mapping={"spec": json.dumps(spec), "state": "queued",
                                               "created": str(time.time())})
        pipe.zadd(self.key(crawl_id, "queue"), {first_request: -priority})
        pipe.set(self.key(crawl_id, "outstanding"), 1)
        pipe.sadd(f"{self.ns}:crawls", crawl_id)
        pipe.execute()

    def spec(self, crawl_id: str) -> dict[str, Any]:
        raw = self.server.hget(self.key(crawl_id), "spec")
        if raw is None:
            raise KeyError(f"no crawl {crawl_id} in Redis namespace {self.ns!r}")
        return json.loads(raw)

    def crawls(self) -> list[str]:
        return sorted(c.decode() for c in self.server.smembers(f"{self.ns}:crawls"))

    def active_accounts(self) -> set[str]:
        return {self.spec(c).get("account") for c in self.crawls()}

    def queued(self, crawl_id: str) -> int:
        return int(self.server.zcard(self.key(crawl_id, "queue")))

    def outstanding(self, crawl_id: str) -> int:
        return int(self.server.get(self.key(crawl_id, "outstanding")) or 0)

    def leases(self, crawl_id: str) -> dict[str, str]:
        """token -> worker, of the pages being captured now."""
        owners = self.server.hgetall(self.key(crawl_id, "lease:owner"))
        return {k.decode(): v.decode() for k, v in owners.items()}

    def reclaim(self, crawl_id: str) -> int:
        return int(self._reclaim(keys=[self.key(crawl_id, "queue"), *self._lease_keys(crawl_id)], args=[time.time()]))

    def work(self) -> list[str]:
        """Crawls with queued pages (expired leases put back first), most queued first."""
        found = []
        for crawl_id in self.crawls():
            self.reclaim(crawl_id)
            if self.queued(crawl_id):
                found.append((self.queued(crawl_id), crawl_id))
        return [c for _, c in sorted(found, reverse=True)]

    def finishable(self) -> list[str]:
        return [c for c in self.crawls() if self.outstanding(c) <= 0
                and self.server.hget(self.key(c), "state") != b"finished"]

    def claim_finish(self, crawl_id: str, holder: str, seconds: float | None = None) -> bool:
        """Takes the crawl's finish lock for `seconds` (default `lease_s`); `holder` must be unique per
        attempt (`FinishLock` adds a random part): a dead holder's lock expires, nobody else renews it."""
        ms = max(1000, int(1000 * (seconds if seconds is not None else self.lease_s)))
        return bool(self.server.set(self.key(crawl_id, "finish"), holder, nx=True, px=ms))

    def renew_finish(self, crawl_id: str, holder: str, seconds: float | None = None) -> bool:
        ms = max(1000, int(1000 * (seconds if seconds is not None else self.lease_s)))
        return bool(self._renew_own(keys=[self.key(crawl_id, "finish")], args=[holder, ms]))

    def release_finish(self, crawl_id: str, holder: str) -> bool:
        return bool(self._release_own(keys=[self.key(crawl_id, "finish")], args=[holder]))

    def finish_holder(self, crawl_id: str) -> str | None:
        raw = self.server.get(self.key(crawl_id, "finish"))
        return raw.decode() if raw is not None else None

    def mark_finished(self, crawl_id: str, exit_code: int, message: str) -> None:
        """The outcome kept (the crawl's HASH, for `finished_ttl_s`); every working key deleted."""
        pipe = self.server.pipeline(transaction=True)
        pipe.hset(self.key(crawl_id), mapping={"state": "finished", "exit_code": exit_code, "message": message,
                                               "finished": str(time.time())})
        pipe.srem(f"{self.ns}:crawls", crawl_id)
        # The finish lock is left to its holder's release (or its expiry): its heartbeat must not
        # take a deleted lock for one that expired.
        pipe.delete(*(self.key(crawl_id, part) for part in WORKING_PARTS if part != "finish"))
        if self.finished_ttl_s > 0:
            pipe.expire(self.key(crawl_id), max(1, int(self.finished_ttl_s)))
        pipe.execute()

    def result(self, crawl_id: str) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.server.hgetall(self.key(crawl_id)).items()}

    # -- pages -------------------------------------------------------------------------------
    def claim(self, crawl_id: str, worker: str) -> tuple[str, bytes] | None:
        token = uuid.uuid4().hex
        payload = self._claim(keys=[self.key(crawl_id, "queue"), *self._lease_keys(crawl_id)],
                              args=[time.time() + self.lease_s, token, worker])
        return (token, payload) if payload else None

    def renew(self, crawl_id: str, tokens: list[str]) -> None:
        if tokens:
            deadline = time.time() + self.lease_s
            self.server.zadd(self.key(crawl_id, "leases"), {t: deadline for t in tokens}, xx=True)

    def renew_until(self, crawl_id: str, tokens: list[str], deadline: float) -> None:
        if tokens:
            self.server.zadd(self.key(crawl_id, "leases"), {t: deadline for t in tokens}, xx=True)

    def done(self, crawl_id: str, token: str, observed: dict[str, Any] | None) -> int:
        """Ends a lease; returns the pages still outstanding, or -1 when the lease was lost."""
        obs = json.dumps(observed, ensure_ascii=False) if observed else ""
        return int(self._done(keys=[*self._lease_keys(crawl_id), self.key(crawl_id, "obs"),
                                    self.key(crawl_id, "outstanding")], args=[token, obs]))

    def requeue(self, crawl_id: str, token: str, payload: bytes, priority: int) -> bool:
        return bool(self._requeue(keys=[*self._lease_keys(crawl_id), self.key(crawl_id, "queue")],
                                  args=[token, payload, -priority]))

    def observations(self, crawl_id: str) -> list[dict[str, Any]]:
        return [json.loads(r) for r in self.server.lrange(self.key(crawl_id, "obs"), 0, -1)]

    # -- WARC writers --------------------------------------------------------------------------
    def writer_alive(self, crawl_id: str, worker: str) -> None:
        self.server.hset(self.key(crawl_id, "writers"), worker, time.time())

    def writer_closed(self, crawl_id: str, worker: str) -> None:
        self.server.hdel(self.key(crawl_id, "writers"), worker)

    def live_writers(self, crawl_id: str) -> list[str]:
        now = time.time()
        beats = self.server.hgetall(self.key(crawl_id, "writers"))
        return [w.decode() for w, t in beats.items() if now - float(t) < self.lease_s]


class FinishLock:
    """The finish lock of one crawl while this process writes its ending: short-lived, renewed every
    quarter of its time by a thread (a busy main thread, the PII detector, must not let it lapse). A
    killed finisher's lock expires within `lease_s`, and another (or the restarted) worker ends the crawl."""

    def __init__(self, frontier: Frontier, crawl_id: str, worker: str, seconds: float | None = None) -> None:
        self.frontier, self.crawl_id = frontier, crawl_id
        self.seconds = seconds if seconds is not None else frontier.lease_s
        self.holder = f"{worker} {uuid.uuid4().hex[:12]}"
        self.lost = threading.Event()  # set when the lock could not be renewed (it expired meanwhile)
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def acquire(self) -> bool:
        if not self.frontier.claim_finish(self.crawl_id, self.holder, self.seconds):
            return False
        self._beat = threading.Thread(target=self._beat_loop, name="sma-finish-heartbeat", daemon=True)
        self._beat.start()
        return True

    def _beat_loop(self) -> None:
        while not self._stop.wait(max(0.25, self.seconds / 4)):
            try:
                if not self.frontier.renew_finish(self.crawl_id, self.holder, self.seconds):
                    self.lost.set()
                    logger.warning("the finish lock of crawl %s expired: another worker may end it", self.crawl_id)
                    return
            except redis.RedisError as exc:  # Redis away for a moment: the next beat tries again
                logger.warning("finish lock heartbeat failed: %s", exc)

    def release(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
        try:
            self.frontier.release_finish(self.crawl_id, self.holder)
        except redis.RedisError as exc:  # it expires by itself
            logger.warning("finish lock not released: %s", exc)


class LeaseQueue(PriorityQueue):
    """scrapy-redis's PriorityQueue whose pop leases the request instead of deleting it."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        settings = spider.settings
        self.crawl_id = settings.get("SMA_CRAWL_ID")
        self.worker = settings.get("SMA_WORKER_NAME")
        self.frontier = Frontier(server, settings.get("SMA_REDIS_NAMESPACE", "sma"),
                                 settings.getfloat("SMA_LEASE_S", 60.0))
        self.held: set[str] = set()

    def encode(self, request: Any) -> bytes:
        meta = {k: v for k, v in request.meta.items() if k != LEASE_META}
        return self._encode_request(request.replace(meta=meta))

    def push(self, request: Any) -> None:
        token = request.meta.get(LEASE_META)
        if token:  # a retry of a page this worker holds: its lease becomes the queued copy
            self.held.discard(token)
            self.frontier.requeue(self.crawl_id, token, self.encode(request), request.priority)
            return
        pipe = self.server.pipeline(transaction=True)
        pipe.zadd(self.key, {self.encode(request): -request.priority})
        pipe.incr(self.frontier.key(self.crawl_id, "outstanding"))
        pipe.execute()

    def pop(self, timeout: int = 0) -> Any:
        self.frontier.reclaim(self.crawl_id)
        claimed = self.frontier.claim(self.crawl_id, self.worker)
        if claimed is None:
            return None
        token, payload = claimed
        request = self._decode_request(payload)
        request.meta[LEASE_META] = token
        self.held.add(token)
        return request


class LeaseScheduler(Scheduler):
    """scrapy-redis's Scheduler with the lease queue; `SCHEDULER_PERSIST` is always on (the frontier
    outlives every worker)."""

    @classmethod
    def from_settings(cls, settings: Any) -> LeaseScheduler:
        instance = super().from_settings(settings)
        instance.persist = True
        instance.flush_on_start = False
        return instance

    # Scrapy 2.19 compatibility (scrapy-redis 0.9.1 targets 2.13-2.15): the same steps without the
    # deprecated `spider.log()` and `stats.inc_value(spider=...)` calls.
    def open(self, spider: Any) -> None:
        self.spider = spider
        self.queue = LeaseQueue(server=self.server, spider=spider, key=self.queue_key, serializer=self.serializer)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)

    def enqueue_request(self, request: Any) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Any:
        request = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return len(self) > 0
