"""`--max-posts` per account crawl, whichever workers find the posts (spider middleware of a worker).

In one process the spider keeps its budget itself: the profile page queues at most `max_posts` post
pages and every further timeline page only what is left. Under the shared frontier the pages of one
crawl are parsed by several processes, each with its own spider: a worker that takes timeline page 2
has not seen the profile page, so its spider would queue `max_posts` more. Here every post page a
worker's callback yields is admitted against one Redis set per crawl (`<ns>:crawl:<id>:posts`, deleted
when the crawl ends), in one Lua script (atomic over every worker): a URL already admitted passes (a
page re-read after its worker died yields its posts again; the duplicate filter drops them later), a
new one only while the set holds fewer than `max_posts`. The rest is dropped before it is queued or
counted (this middleware runs before `LeaseOutput`), so the page's lease still ends; each drop is logged
("over --max-posts") and counted (`sma/budget/posts_dropped`). The set's keys are canonical URLs
(`post_key`), as the duplicate filter's fingerprints are.

`max_posts` is the crawler's spider's: Scrapy (2.13 on) no longer passes `spider` to a middleware
method that does not require it; this one read an optional `spider=None`, so until it was fixed the
shared budget admitted everything and only each process's own spider kept `--max-posts` (a worker
restarted after a kill had its own budget at 0 again: 4 post pages of 2 in bench/faults.py)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from w3lib.url import canonicalize_url

from .frontier import Frontier, connect

logger = logging.getLogger(__name__)
POST_CALLBACK = "parse_post"
DROPPED_STAT = "sma/budget/posts_dropped"

ADMITTED_BEFORE, ADMITTED, OVER = 2, 1, 0
# {2, n}: admitted before; {1, n}: new and within the budget, now admitted; {0, n}: over the budget
# (n: the posts admitted in the crawl so far). One script: atomic over every worker.
_ADMIT = """
local n = redis.call('SCARD', KEYS[1])
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return {2, n} end
if n >= tonumber(ARGV[2]) then return {0, n} end
redis.call('SADD', KEYS[1], ARGV[1])
return {1, n + 1}
"""


class SharedPostBudget:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.get("SMA_REDIS_URL"):
            raise NotConfigured("no SMA_REDIS_URL: the spider keeps its own budget")
        self.crawler = crawler
        frontier = Frontier(connect(settings.get("SMA_REDIS_URL")), settings.get("SMA_REDIS_NAMESPACE", "sma"))
        self.key = frontier.key(settings.get("SMA_CRAWL_ID"), "posts")
        self._admit = frontier.server.register_script(_ADMIT)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPostBudget:
        return cls(crawler)

    def admit(self, url: str, limit: int) -> bool:
        code, count = (int(v) for v in self._admit(keys=[self.key], args=[url, limit]))
        if code == ADMITTED:
            logger.info("post budget: admitted %s (%d of %d in this crawl)", url, count, limit)
        elif code == ADMITTED_BEFORE:
            logger.debug("post budget: %s admitted before (%d of %d)", url, count, limit)
        return code != OVER

    async def process_spider_output(self, response: Any, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        # The crawler's spider, not an argument: Scrapy >= 2.13 passes `spider` only to methods that
        # require it (deprecated), so an optional `spider=None` stayed None and no post was ever counted.
        limit = getattr(self.crawler.spider, "max_posts", None)
        async for obj in result:
            if limit is not None and isinstance(obj, Request) and _callback(obj) == POST_CALLBACK \
                    and not self.admit(post_key(obj.url), int(limit)):
                self.crawler.stats.inc_value(DROPPED_STAT)
                logger.info("over --max-posts %s for this crawl (all workers): %s not visited", limit, obj.url)
                continue
            yield obj


def post_key(url: str) -> str:
    """One key per post page however its link was written (query order, fragment): the duplicate
    filter's canonical form."""
    return canonicalize_url(url)


def _callback(request: Request) -> str | None:
    callback = request.callback
    return callback if isinstance(callback, str) else getattr(callback, "__name__", None)
