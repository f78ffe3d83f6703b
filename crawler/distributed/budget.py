"""`--max-posts` per account crawl, whichever workers find the posts (spider middleware of a worker).

In one process the spider keeps its budget itself: the profile page queues at most `max_posts` post
pages and every further timeline page only what is left. Under the shared frontier the pages of one
crawl are parsed by several processes, each with its own spider: a worker that takes timeline page 2
has not seen the profile page, so its spider would queue `max_posts` more. Here every post page a
worker's callback yields is admitted against one Redis set per crawl (`<ns>:crawl:<id>:posts`, deleted
when the crawl ends): a URL already admitted passes (the duplicate filter drops it later), a new one
only while the set holds fewer than `max_posts`. The rest is dropped before it is queued or counted
(this middleware runs before `LeaseOutput`), so the page's lease still ends."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from .frontier import Frontier, connect

logger = logging.getLogger(__name__)
POST_CALLBACK = "parse_post"
DROPPED_STAT = "sma/budget/posts_dropped"

# 1: admitted (new and within the budget, or admitted before); 0: over the budget.
_ADMIT = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
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
        return bool(self._admit(keys=[self.key], args=[url, limit]))

    async def process_spider_output(self, response: Any, result: AsyncIterator[Any], spider: Any = None
                                    ) -> AsyncIterator[Any]:
        limit = getattr(spider, "max_posts", None)
        async for obj in result:
            if limit is not None and isinstance(obj, Request) and _callback(obj) == POST_CALLBACK \
                    and not self.admit(obj.url.split("#")[0], int(limit)):
                self.crawler.stats.inc_value(DROPPED_STAT)
                logger.debug("over --max-posts %s for this crawl (all workers): %s not visited", limit, obj.url)
                continue
            yield obj


def _callback(request: Request) -> str | None:
    callback = request.callback
    return callback if isinstance(callback, str) else getattr(callback, "__name__", None)
