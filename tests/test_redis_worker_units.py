"""A worker's crawl components on a real redis-server, without a browser: `--max-posts` is one budget
per account crawl however many workers parse its timeline pages, and `pages.jsonl` row ids of different
workers never collide (old rows, without a worker part, are still read)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from async_run import run_async
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.archive.pages import HEADER
from crawler.distributed.budget import DROPPED_STAT, SharedPostBudget
from crawler.distributed.components import WorkerWarcPipeline
from crawler.privacy.unfinished import clear_partial_access


class Spider:
    """The callbacks' names are what the budget goes by (requests carry bound methods)."""

    def __init__(self, max_posts: int | None) -> None:
        self.max_posts = max_posts

    def parse_post(self, response: Any) -> None: ...

    def parse_timeline_page(self, response: Any) -> None: ...


def worker_crawler(redis_server, name: str, crawl_id: str, archive: Path | None = None) -> Any:  # noqa: ANN001
    settings = {"SMA_REDIS_URL": redis_server.url, "SMA_REDIS_NAMESPACE": "workerunits", "SMA_CRAWL_ID": crawl_id,
                "SMA_WORKER_NAME": name, "SMA_ARCHIVE_DIR": str(archive or "/nonexistent")}
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    return crawler


def timeline_page(budget: SharedPostBudget, spider: Spider, page: int, posts: list[int]) -> list[str]:
    """What passes the budget of one timeline page that links to `posts` (and the next page)."""
    response = HtmlResponse(f"http://127.0.0.1:9/@a?page={page}", body=b"<p></p>")

    async def output() -> Any:
        for n in posts:
            yield Request(f"http://127.0.0.1:9/@a/{n}", callback=spider.parse_post)
        yield Request(f"http://127.0.0.1:9/@a?page={page + 1}", callback=spider.parse_timeline_page)
        yield {"an": "item"}

    budget.crawler.spider = spider  # Scrapy passes no spider argument (tests/test_redis_budget.py)

    async def through() -> list[str]:
        return [o.url if isinstance(o, Request) else "item"
                async for o in budget.process_spider_output(response, output())]

    return run_async(through())


def test_max_posts_is_one_budget_per_account_crawl_over_every_worker(redis_server) -> None:  # noqa: ANN001
    one, other = (worker_crawler(redis_server, w, "budget1") for w in ("wA", "wB"))
    budget_a, budget_b = SharedPostBudget.from_crawler(one), SharedPostBudget.from_crawler(other)
    spider = Spider(max_posts=4)
    # wA parsed the profile page (posts 1-3), wB timeline page 2 (posts 3-5), wA page 3 (posts 6-7).
    assert timeline_page(budget_a, spider, 1, [1, 2, 3])[:3] == [f"http://127.0.0.1:9/@a/{n}" for n in (1, 2, 3)]
    second = timeline_page(budget_b, spider, 2, [3, 4, 5])
    assert second == ["http://127.0.0.1:9/@a/3", "http://127.0.0.1:9/@a/4", "http://127.0.0.1:9/@a?page=3", "item"]
    third = timeline_page(budget_a, spider, 3, [6, 7])
    assert third == ["http://127.0.0.1:9/@a?page=4", "item"], "the next page is still read; no post over 4"
    assert other.stats.get_value(DROPPED_STAT) == 1 and one.stats.get_value(DROPPED_STAT) == 2
    # Another crawl of the account has its own budget; without --max-posts nothing is dropped.
    fresh = SharedPostBudget.from_crawler(worker_crawler(redis_server, "wA", "budget2"))
    assert len(timeline_page(fresh, Spider(max_posts=None), 1, list(range(10)))) == 12


def test_page_row_ids_are_unique_across_workers_and_old_rows_are_still_read(redis_server, tmp_path: Path) -> None:  # noqa: ANN001
    crawl_id = "20261202000000-abc123"
    ids = {WorkerWarcPipeline(worker_crawler(redis_server, w, crawl_id, tmp_path)).page_row_id(3) for w in ("wA", "wB")}
    assert ids == {f"{crawl_id}-wA.3", f"{crawl_id}-wB.3"}
    # A reader of pages.jsonl (the access copy's clearing) takes both new rows and old ones as the crawl's.
    access = tmp_path / "access"
    access.mkdir()
    rows = [HEADER, {"id": f"{crawl_id}-wA.3"}, {"id": f"{crawl_id}-wB.3"}, {"id": f"{crawl_id}-5"},
            {"id": "20261201000000-fff000-wA.3"}]
    (access / "pages.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    clear_partial_access(tmp_path, crawl_id)
    left = [json.loads(line).get("id") for line in (access / "pages.jsonl").read_text().splitlines()[1:]]
    assert left == ["20261201000000-fff000-wA.3"]


def test_merged_posts_found_adds_up_a_timeline_read_in_pieces() -> None:
    """The profile page's worker found 40 posts; two further pieces, read by other workers (one of them
    twice after a lost lease), found 20 and 4: the crawl found 64, not the profile page's 40."""
    from crawler.distributed.completion import merge

    profile = {"posts_found": 40, "posts_visited": 2}
    piece2 = {"url": "http://127.0.0.1/u/a?max_id=2", "posts_found": 20}
    piece3 = {"url": "http://127.0.0.1/u/a?max_id=3", "posts_found": 4}
    merged = merge([{"profile": profile, "posts": []}, {"timeline_pages": [piece2]},
                    {"timeline_pages": [piece3]}, {"timeline_pages": [{**piece3, "actions": ["again"]}]}])
    assert merged["profile"]["posts_found"] == 64
    assert profile["posts_found"] == 40  # the worker's own observation is not changed
    assert merge([{"profile": profile}])["profile"]["posts_found"] == 40
