"""`--max-posts` over every worker of an account crawl (crawler/distributed/budget.py) on a real
redis-server, through Scrapy's own spider-middleware manager as a worker's engine calls it (a direct
call with a `spider` argument hid that Scrapy no longer passes one: every post was admitted)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
import redis
from async_run import run_async
from scrapy import Request, Spider
from scrapy.core.spidermw import SpiderMiddlewareManager
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.distributed.budget import DROPPED_STAT, SharedPostBudget, post_key

BASE = "http://127.0.0.1:9/@a"
BUDGET_MW = {"crawler.distributed.budget.SharedPostBudget": 20}


class Account(Spider):
    """Stands for AccountSpider: the budget goes by `max_posts` and the callbacks' names."""

    name = "account"

    def __init__(self, max_posts: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_posts = max_posts

    async def parse_timeline_page(self, response: Any) -> Any:
        for url in response.meta["links"]:
            yield Request(url, callback=self.parse_post)
        yield Request(f"{response.url}&next=1", callback=self.parse_timeline_page)
        yield {"page": response.url}

    async def parse_post(self, response: Any) -> Any:
        yield {"post": response.url}


class Worker:
    """One worker process's crawl of `crawl_id`: its own spider (own budget) and middleware chain."""

    def __init__(self, redis_server: Any, crawl_id: str, max_posts: int | None) -> None:
        settings = {"SMA_REDIS_URL": redis_server.url, "SMA_REDIS_NAMESPACE": "budgettest",
                    "SMA_CRAWL_ID": crawl_id, "SPIDER_MIDDLEWARES": BUDGET_MW}
        self.crawler = get_crawler(Account, settings_dict=settings)
        self.crawler.spider = self.crawler._create_spider(max_posts=max_posts)
        self.crawler.stats.open_spider()
        self.manager = SpiderMiddlewareManager.from_crawler(self.crawler)

    def page(self, url: str, posts: list[int]) -> list[str]:
        """What one timeline page's callback output that reaches the scheduler: URLs and items."""
        request = Request(url, callback=self.crawler.spider.parse_timeline_page,
                          meta={"links": [f"{BASE}/{n}" for n in posts]})
        response = HtmlResponse(url, body=b"<p></p>", request=request)

        async def scrape(response: Any, request: Request) -> Any:
            return request.callback(response)

        async def through() -> list[str]:
            out = await self.manager.scrape_response_async(scrape, response, request)
            return [o.url if isinstance(o, Request) else "item" async for o in out]

        return run_async(through())

    @property
    def dropped(self) -> int:
        return int(self.crawler.stats.get_value(DROPPED_STAT, 0))


def posts_of(output: list[str]) -> list[str]:
    return [u for u in output if u != "item" and "?" not in u]


def test_a_worker_restarted_after_a_kill_queues_no_post_over_max_posts(redis_server, caplog) -> None:  # noqa: ANN001
    """bench/faults.py's case: the profile page (posts 1-40) planned the newest 2; the worker died, a
    restarted one (its spider's own budget at 0) re-read the profile page after the lease expired and
    read the second piece (posts 41-60): no post page beyond the 2."""
    first = Worker(redis_server, "kill1", max_posts=2)
    assert posts_of(first.page(f"{BASE}?piece=1", [1, 2])) == [f"{BASE}/1", f"{BASE}/2"]
    restarted = Worker(redis_server, "kill1", max_posts=2)
    # The profile page again: its posts were admitted before and stay admitted (the duplicate filter
    # drops the second request later); the next piece's link still goes out.
    again = restarted.page(f"{BASE}?piece=1", [1, 2])
    assert posts_of(again) == [f"{BASE}/1", f"{BASE}/2"] and f"{BASE}?piece=1&next=1" in again
    with caplog.at_level(logging.INFO, logger="crawler.distributed.budget"):
        second = restarted.page(f"{BASE}?piece=2", [41, 42, 43])
    assert posts_of(second) == [], "the second piece's posts are over --max-posts 2"
    assert second == [f"{BASE}?piece=2&next=1", "item"], "the piece is still archived and its next page read"
    assert restarted.dropped == 3 and first.dropped == 0
    assert sum("over --max-posts 2" in r.getMessage() for r in caplog.records) == 3
    assert redis.Redis.from_url(redis_server.url).scard("budgettest:crawl:kill1:posts") == 2


def test_one_post_is_one_admission_however_its_link_is_written(redis_server) -> None:  # noqa: ANN001
    worker = Worker(redis_server, "canon1", max_posts=2)
    request_urls = [f"{BASE}/7?b=2&a=1", f"{BASE}/7?a=1&b=2#replies", f"{BASE}/8", f"{BASE}/9"]
    budget = SharedPostBudget.from_crawler(worker.crawler)
    assert [budget.admit(post_key(u), 2) for u in request_urls] == [True, True, True, False]


def test_no_max_posts_admits_every_post(redis_server) -> None:  # noqa: ANN001
    worker = Worker(redis_server, "nolimit", max_posts=None)
    assert len(posts_of(worker.page(f"{BASE}?piece=1", list(range(30))))) == 30 and worker.dropped == 0


@pytest.mark.parametrize("limit", [1, 5])
def test_admission_is_atomic_over_concurrent_workers(redis_server, limit: int) -> None:  # noqa: ANN001
    """16 workers (own connections) offer 8 posts each at once, half of them the same 4 posts: exactly
    `limit` distinct posts admitted in all, and every worker offering an admitted post gets it."""
    budgets = [SharedPostBudget.from_crawler(Worker(redis_server, f"race{limit}", max_posts=limit).crawler)
               for _ in range(16)]
    admitted: list[set[str]] = [set() for _ in budgets]
    start = threading.Barrier(len(budgets))

    def offer(i: int) -> None:
        start.wait()
        for n in [*range(4), *range(100 + 10 * i, 104 + 10 * i)]:
            if budgets[i].admit(f"{BASE}/{n}", limit):
                admitted[i].add(f"{BASE}/{n}")

    threads = [threading.Thread(target=offer, args=(i,)) for i in range(len(budgets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    union = set().union(*admitted)
    assert len(union) == limit
    assert redis.Redis.from_url(redis_server.url).smembers(f"budgettest:crawl:race{limit}:posts") == {
        u.encode() for u in union}
    for i, got in enumerate(admitted):  # a post admitted for one worker passes for every other that offers it
        offered = {f"{BASE}/{n}" for n in [*range(4), *range(100 + 10 * i, 104 + 10 * i)]}
        assert got == union & offered
