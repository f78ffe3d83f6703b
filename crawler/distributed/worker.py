"""A worker's parts below the CLI: queueing an account crawl in Redis, and capturing a crawl's queued
pages in this process (one Scrapy crawl per process: `sma worker` starts one child per crawl it joins)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter

from sma import config

from ..archive.model import timestamp14, utc_now
from .frontier import Frontier

PROFILE_PRIORITY = 10


def enqueue_account(frontier: Frontier, spec: dict[str, Any]) -> str:
    """Queues the account's profile page as a new crawl; returns the crawl id. `spec`: url, account,
    profile, max_posts, comments, revisit_days, full, organisation, session, staff_signatures."""
    from ..spiders.account import AccountSpider

    crawl_id = f"{timestamp14(utc_now())}-{uuid.uuid4().hex[:6]}"
    spider = AccountSpider(url=spec["url"], profile=spec.get("profile") or "auto", account=spec["account"])
    request = spider._request(spec["url"], "parse_profile", priority=PROFILE_PRIORITY)
    RFPDupeFilter(frontier.server, frontier.key(crawl_id, "dupefilter")).request_seen(request)
    frontier.add_crawl(crawl_id, spec, picklecompat.dumps(request.to_dict(spider=spider)), PROFILE_PRIORITY)
    return crawl_id


def worker_settings(frontier: Frontier, redis_url: str, crawl_id: str, worker: str,
                    spec: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The crawl's Scrapy settings in a worker: scrapy-redis's scheduler, queue and duplicate filter on the
    crawl's keys, the lease components, and the crawl's own settings (organisation, staff signatures);
    `extra`: the worker's `-s NAME=VALUE` (sma/settings_option.py refuses the names wired here)."""
    from .. import settings as defaults

    here = "crawler.distributed"
    pipelines = dict(defaults.ITEM_PIPELINES)
    for name, replacement in (("crawler.pipelines.WarcPipeline", f"{here}.components.WorkerWarcPipeline"),
                              ("crawler.privacy_pipeline.PrivacyPipeline", f"{here}.components.WorkerPrivacyPipeline")):
        if name in pipelines:
            pipelines[replacement] = pipelines.pop(name)
    extensions = {**defaults.EXTENSIONS, "crawler.extensions.CrawlReport": None, f"{here}.components.PageLeases": 100}
    # The budget drops post pages over --max-posts before LeaseOutput (order 10) counts a page's output.
    spider_mw = {**getattr(defaults, "SPIDER_MIDDLEWARES", {}), f"{here}.components.LeaseOutput": 10,
                 f"{here}.budget.SharedPostBudget": 20}
    downloader_mw = {**getattr(defaults, "DOWNLOADER_MIDDLEWARES", {}), f"{here}.politeness.SharedHostPoliteness": 50}
    overrides: dict[str, Any] = {
        "SMA_CRAWL_ID": crawl_id, "SMA_DISTRIBUTED": True, "SMA_REDIS_URL": redis_url, "REDIS_URL": redis_url,
        "SMA_REDIS_NAMESPACE": frontier.ns, "SMA_WORKER_NAME": worker, "SMA_LEASE_S": frontier.lease_s,
        "SCHEDULER": f"{here}.frontier.LeaseScheduler", "SCHEDULER_QUEUE_CLASS": f"{here}.frontier.LeaseQueue",
        "SCHEDULER_QUEUE_KEY": frontier.key(crawl_id, "queue"),
        "SCHEDULER_DUPEFILTER_KEY": frontier.key(crawl_id, "dupefilter"),
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter", "SCHEDULER_PERSIST": True,
        "ITEM_PIPELINES": pipelines, "EXTENSIONS": extensions, "SPIDER_MIDDLEWARES": spider_mw,
        "DOWNLOADER_MIDDLEWARES": downloader_mw,
        # Per platform host, over all workers (the same values on every worker: docs/scale-out.md).
        "SMA_HOST_CONCURRENCY": config.HOST_CONCURRENCY.integer(),
        "SMA_HOST_DELAY_S": float(config.HOST_DELAY_S.get()),
        "SMA_PROGRESS_INTERVAL": 0,
    }
    if spec.get("organisation"):
        overrides["SMA_ORGANISATION"] = spec["organisation"]
    if spec.get("staff_signatures"):
        overrides["SMA_STAFF_SIGNATURES"] = list(spec["staff_signatures"])
    overrides.update(extra or {})
    return overrides


def scrapy_settings(overrides: dict[str, Any], archive: Path) -> Any:
    """The same Settings a crawl in this process would have (the crawl's ending reads them)."""
    from scrapy.settings import Settings

    from .. import settings as defaults

    settings = Settings()
    settings.setmodule(defaults, priority="project")
    settings.set("SMA_ARCHIVE_DIR", str(Path(archive).resolve()), priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def capture(frontier: Frontier, redis_url: str, crawl_id: str, archive: Path, worker: str,
            session: Any = None, extra: dict[str, Any] | None = None) -> None:
    """Captures queued pages of the crawl until its queue is empty (this process's one Scrapy crawl)."""
    from ..run import crawl

    spec = frontier.spec(crawl_id)
    crawl(spec["url"], archive, profile=spec.get("profile") or "auto", max_posts=spec.get("max_posts"),
          settings_overrides=worker_settings(frontier, redis_url, crawl_id, worker, spec, extra),
          account=spec["account"], comments=spec.get("comments", True),
          revisit_days=float(spec.get("revisit_days", 7.0)), full=bool(spec.get("full")), session=session)
