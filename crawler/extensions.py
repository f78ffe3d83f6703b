"""CrawlReport: progress while a crawl runs; summary and completeness files when it ends."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from . import report_html
from .completeness import assess
from .spec import CrawlSpec
from .state import CrawlState


class CrawlReport:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("SMA_PROGRESS_INTERVAL")
        self.archive_dir = Path(crawler.settings.get("SMA_ARCHIVE_DIR"))
        self.crawl_id = crawler.settings.get("SMA_CRAWL_ID")
        self.spec = CrawlSpec.from_crawler(crawler)
        self.state: CrawlState | None = None  # reached once every extension is built
        self.started = time.monotonic()
        self._task: asyncio.Task | None = None
        self.result: dict[str, Any] = {}
        self.out: Path | None = None  # where `write` puts summary.json, completeness.json and report.html

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.state = CrawlState.of(self.crawler)
        self.started = time.monotonic()
        if self.interval > 0:
            self._task = asyncio.ensure_future(self._progress())

    async def _progress(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            print(self._line("capturing"), file=sys.stderr, flush=True)

    def _line(self, state: str) -> str:
        stats = self.crawler.stats
        scheduler = getattr(self.crawler.engine, "slot", None)
        queued = len(scheduler.scheduler) if scheduler and hasattr(scheduler.scheduler, "__len__") else 0
        return (
            f"sma: {state}: {stats.get_value('sma/pages', 0)} pages, {queued} queued, "
            f"{stats.get_value('sma/records', 0)} records, {stats.get_value('sma/bytes', 0) / 1e6:.1f} MB, "
            f"{len(self.state.errors) if self.state else 0} errors, {time.monotonic() - self.started:.0f} s"
        )

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._task:
            self._task.cancel()
        stats = self.crawler.stats
        state = CrawlState.of(self.crawler)
        observed = state.observed()
        # Bounds that stopped something and rate-limit waits (crawler/limits.py, crawler/ratelimit.py).
        observed["limits"] = list(stats.get_value("sma/limits") or [])
        observed["rate_limits"] = list(stats.get_value("sma/ratelimit") or [])
        report = assess(observed)
        summary = {
            "crawl_id": self.crawl_id,
            "url": self.spec.url if self.spec else None,
            "profile": state.profile.name if state.profile else None,
            "finish_reason": reason,
            "fatal_error": state.fatal_error,
            "pages": stats.get_value("sma/pages", 0),
            "pages_by_kind": {k: stats.get_value(f"sma/pages/{k}", 0) for k in ("profile", "post")},
            "records": stats.get_value("sma/records", 0),
            "revisits": stats.get_value("sma/revisits", 0),
            "bytes": stats.get_value("sma/bytes", 0),
            "warc_files": stats.get_value("sma/warc_files", []),
            "errors": state.errors,
            "duration_s": round(time.monotonic() - self.started, 1),
            "complete": report["complete"] and not state.fatal_error,
            "comments": report["comments"],
            "shortfalls": len(report["shortfalls"]),
            "limits": len(observed["limits"]),
            "rate_limit_waits": sum(1 for w in observed["rate_limits"] if not w.get("gave_up")),
            "drift": report["drift"],
            "account": self.spec.account if self.spec else None,
            "visits": {reason: len(urls) for reason, urls in state.plan.items()},
            "changes": count_changes(state.changes),
            "paused": state.paused,
        }
        # One source of truth: completeness.json, summary.json, the report and the exit code agree.
        report["complete"] = summary["complete"]
        self.result = {"summary": summary, "completeness": report}

    def write(self) -> None:
        """The report's stage, the crawl's last (crawler/run.finish_crawl): after the access copy, whose
        failure fails the crawl, so that the files say what `sma crawl` says."""
        if not self.result:
            return
        summary, report = self.result["summary"], self.result["completeness"]
        state = CrawlState.of(self.crawler)
        summary["duration_s"] = round(time.monotonic() - self.started, 1)  # the access copy's time included
        if state.fatal_error and not summary["fatal_error"]:
            summary["fatal_error"] = state.fatal_error
            summary["complete"] = report["complete"] = False
        out = self.archive_dir / "crawls" / self.crawl_id
        try:
            out.mkdir(parents=True, exist_ok=True)
            summary["report"] = str(report_html.write(out, summary, report))
            for name, data in (("summary.json", summary), ("completeness.json", report)):
                (out / name).write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        except OSError as exc:  # a full disk must not hide the crawl's own outcome
            print(f"sma: warning: could not write crawl report to {out}: {exc}", file=sys.stderr)


def count_changes(changes: list[dict[str, Any]]) -> dict[str, int]:
    """{"new post": 2, "deleted comment": 1, ...}"""
    counts: dict[str, int] = {}
    for change in changes:
        key = f"{change['change']} {change['kind']}"
        counts[key] = counts.get(key, 0) + 1
    return counts
