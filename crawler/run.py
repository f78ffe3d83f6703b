"""Runs one account crawl in this process and turns its outcome into an exit code."""

from __future__ import annotations

import errno
import os
import shutil
import sys
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sma.exitcodes import ExitCode

from .archive.model import timestamp14, utc_now
from .completeness import describe
from .profiles import ProfileError, resolve
from .spec import SETTING as SPEC_SETTING
from .spec import CrawlSpec

MIN_FREE_BYTES = 200 * 1024 * 1024
SHORTFALLS_SHOWN = 10


class CrawlError(Exception):
    """Bad input or an environment that cannot hold an archive: one line for the user."""


@dataclass
class CrawlOutcome:
    exit_code: int
    message: str
    summary: dict[str, Any] = field(default_factory=dict)
    completeness: dict[str, Any] = field(default_factory=dict)


def check_archive_dir(archive: Path, min_free: int = MIN_FREE_BYTES) -> None:
    """Fails early, before any browser starts, when the archive cannot be written."""
    try:
        (archive / "warcs").mkdir(parents=True, exist_ok=True)
        probe = archive / f".sma-write-test-{os.getpid()}"
        with open(probe, "wb") as fh:
            fh.write(b"\0" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
        probe.unlink()
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise CrawlError(f"archive directory {archive} is full") from exc
        raise CrawlError(f"archive directory {archive} is not writable: {exc.strerror or exc}") from exc
    free = shutil.disk_usage(archive).free
    if free < min_free:
        raise CrawlError(
            f"archive directory {archive} has only {free // 1_048_576} MB free (need {min_free // 1_048_576} MB)"
        )


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CrawlError(f"not an http(s) URL: {url!r}")


@dataclass
class Session:
    """A login session for the crawl: the storage state file and what must never be archived."""

    name: str
    storage_state: Path
    secrets: list[str]
    cookie_names: list[str]


def crawl(
    url: str,
    archive: Path,
    profile: str = "auto",
    max_posts: int | None = None,
    settings_overrides: dict[str, Any] | None = None,
    account: str | None = None,
    comments: bool = True,
    revisit_days: float = 7.0,
    full: bool = False,
    posts: list[str] | None = None,
    reason: str | None = None,
    session: Session | None = None,
) -> CrawlOutcome:
    """Captures an account (or, with `posts`, only those post pages) into `archive`.

    With an earlier capture of the same account in the archive this is a recapture: new posts,
    posts younger than `revisit_days`, and known posts gone from the timeline are visited; `full`
    visits every post again.
    """
    spec = CrawlSpec(url=url, archive=Path(archive), profile=profile, max_posts=max_posts, account=account or "",
                     comments=comments, revisit_days=revisit_days, full=full, posts=tuple(posts or ()),
                     reason=reason, session=session.name if session else None)
    return crawl_spec(spec, session, settings_overrides)


def crawl_spec(spec: CrawlSpec, session: Session | None = None,
               settings_overrides: dict[str, Any] | None = None) -> CrawlOutcome:
    """Runs the crawl `spec` asks for (checked first: bad input is one `CrawlError` line)."""
    archive = spec.archive
    check_url(spec.url)
    for post in spec.posts:
        check_url(post)
    try:
        resolve(spec.url, spec.profile)
    except ProfileError as exc:
        raise CrawlError(str(exc)) from exc
    from sma.config import CONTEXT_RECYCLE_PAGES, MIN_FREE_BYTES

    try:
        check_archive_dir(archive, MIN_FREE_BYTES.integer())
    except ValueError as exc:
        raise CrawlError(str(exc)) from exc

    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from . import settings as default_settings
    from .extensions import CrawlReport
    from .spiders.account import AccountSpider
    from .state import CrawlState

    crawl_id = spec.crawl_id or f"{timestamp14(utc_now())}-{uuid.uuid4().hex[:6]}"
    spec = replace(spec, archive=archive.resolve(), crawl_id=crawl_id)
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.setdict(default_settings.environment_settings(), priority="project")
    settings.set("SMA_ARCHIVE_DIR", str(spec.archive), priority="cmdline")
    settings.set("SMA_CRAWL_ID", crawl_id, priority="cmdline")
    settings.set(SPEC_SETTING, spec, priority="cmdline")
    if session is not None:
        contexts = {name: dict(ctx) for name, ctx in settings.getdict("PLAYWRIGHT_CONTEXTS").items()}
        contexts["default"]["storage_state"] = str(session.storage_state)
        settings.set("PLAYWRIGHT_CONTEXTS", contexts, priority="cmdline")
        settings.set("SMA_SESSION_SECRETS", session.secrets, priority="cmdline")
        settings.set("SMA_SESSION_COOKIES", session.cookie_names, priority="cmdline")
    # Long crawls: a fresh browser context every N pages (crawler/contexts.py; NotConfigured at 0).
    try:
        settings.set("SMA_CONTEXT_RECYCLE_PAGES", CONTEXT_RECYCLE_PAGES.integer(), priority="cmdline")
    except ValueError as exc:
        raise CrawlError(str(exc)) from exc
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares.setdefault("crawler.contexts.ContextRecycler", 530)
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="cmdline")
    for key, value in (settings_overrides or {}).items():
        settings.set(key, value, priority="cmdline")

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(AccountSpider)
    process.crawl(crawler)  # the spider reads the spec from the settings
    try:
        process.start()
    except KeyboardInterrupt:
        pass
    finish_crawl(crawler)
    report = _extension(crawler, CrawlReport)
    result = report.result if report else {}
    summary = result.get("summary", {})
    state = _extension(crawler, CrawlState)
    if state is not None and state.paused:
        return CrawlOutcome(ExitCode.PAUSED, f"PAUSED: {state.paused}", summary, result.get("completeness", {}))
    if state is not None and state.fatal_error:
        return CrawlOutcome(ExitCode.FAILED, state.fatal_error, summary, result.get("completeness", {}))
    if not summary:
        return CrawlOutcome(ExitCode.FAILED, "crawl ended without a summary (see log above)")
    if summary.get("finish_reason") not in ("finished",):
        return CrawlOutcome(ExitCode.FAILED, f"crawl stopped: {summary.get('finish_reason')}", summary)
    if not summary.get("complete"):
        n = summary.get("shortfalls", 0)
        return CrawlOutcome(
            ExitCode.INCOMPLETE,
            f"INCOMPLETE: {n} shortfall(s); see {summary.get('report') or archive / 'crawls' / crawl_id}",
            summary,
            result.get("completeness", {}),
        )
    return CrawlOutcome(ExitCode.OK, "complete", summary, result.get("completeness", {}))


def finish_crawl(crawler: Any) -> None:
    """The stages after Scrapy has closed the crawl, and with it every original WARC: the pseudonymised
    access copy (it reads closed WARCs only), then the crawl's report (which says if the copy failed)."""
    from .extensions import CrawlReport
    from .privacy_pipeline import PrivacyPipeline

    try:
        privacy = crawler.get_item_pipeline(PrivacyPipeline) if crawler.spider is not None else None
    except RuntimeError:  # the crawl ended before its engine was built
        privacy = None
    if privacy is not None:
        privacy.write_access_copy()
    report = _extension(crawler, CrawlReport)
    if report is not None:
        report.write()


def _extension(crawler: Any, cls: type) -> Any:
    """The crawl's extension of `cls`; None when the crawl ended before its extensions were built."""
    try:
        return crawler.get_extension(cls)
    except RuntimeError:
        return None


def print_summary(outcome: CrawlOutcome, stream: Any = sys.stdout) -> None:
    s = outcome.summary
    if not s:
        return
    comments = s.get("comments", {})
    kinds = s["pages_by_kind"]
    print(
        f"pages {s['pages']} (profile {kinds.get('profile', 0)}, posts {kinds.get('post', 0)}) | "
        f"records {s['records']} ({s['revisits']} revisits) | {s['bytes'] / 1e6:.1f} MB | "
        f"comments {comments.get('captured', 0)}/{comments.get('displayed', 0)} | "
        f"errors {len(s['errors'])} | {s['duration_s']} s",
        file=stream,
    )
    for path in s.get("warc_files", []):
        print(f"  {path}", file=stream)
    shortfalls = outcome.completeness.get("shortfalls", [])
    for shortfall in shortfalls[:SHORTFALLS_SHOWN]:
        print(f"  shortfall: {describe(shortfall)}", file=stream)
    if len(shortfalls) > SHORTFALLS_SHOWN:
        print(f"  ... and {len(shortfalls) - SHORTFALLS_SHOWN} more in the report", file=stream)
    if s.get("report"):
        print(f"  report: {s['report']}", file=stream)
