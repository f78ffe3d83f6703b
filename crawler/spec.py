"""CrawlSpec: what one account crawl is asked to do, decided once (by `sma crawl`, `sma run`'s registry
entry or a worker's Redis spec) and frozen.

It travels in Scrapy's settings (`settings[SETTING]`), never in request meta: a shared frontier pickles
requests, and every worker process runs one crawl whose settings carry that crawl's spec. Components
read it in `from_crawler` (`CrawlSpec.from_crawler`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .archive.history import account_key

SETTING = "SMA_CRAWL_SPEC"


@dataclass(frozen=True)
class CrawlSpec:
    url: str  # the account's profile page
    archive: Path
    crawl_id: str = ""
    profile: str = "auto"  # a profile name from profiles/, or auto (by URL, else generic)
    max_posts: int | None = None
    account: str = ""  # the account's key in the archive (registry id, or derived from the URL)
    comments: bool = True  # False: scenario A, threads are not archived
    revisit_days: float = 7.0  # recapture: posts younger than this are visited again
    full: bool = False  # recapture: every post visited again
    posts: tuple[str, ...] = field(default=())  # scenario C: only these post pages
    reason: str | None = None  # why the posts are captured (scenario C), part of the record
    session: str | None = None  # the login session's name (its secrets stay out of the spec)

    def __post_init__(self) -> None:
        # Normalised here so that every reader sees one form.
        object.__setattr__(self, "archive", Path(self.archive))
        object.__setattr__(self, "posts", tuple(self.posts or ()))
        object.__setattr__(self, "max_posts", int(self.max_posts) if self.max_posts not in (None, "") else None)
        object.__setattr__(self, "revisit_days", float(self.revisit_days))
        object.__setattr__(self, "account", self.account or account_key(self.url))
        object.__setattr__(self, "profile", self.profile or "auto")

    def with_crawl_id(self, crawl_id: str) -> CrawlSpec:
        return replace(self, crawl_id=crawl_id)

    @classmethod
    def from_settings(cls, settings: Any) -> CrawlSpec | None:
        spec = settings.get(SETTING)
        return spec if isinstance(spec, CrawlSpec) else None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlSpec | None:
        """The crawl's spec; None for a crawler built without one (a component test)."""
        return cls.from_settings(crawler.settings)

    @classmethod
    def from_redis(cls, spec: dict[str, Any], archive: Path, crawl_id: str = "") -> CrawlSpec:
        """A shared frontier's crawl (`worker.enqueue_account`'s dict) as a spec."""
        return cls(url=spec["url"], archive=archive, crawl_id=crawl_id, profile=spec.get("profile") or "auto",
                   max_posts=spec.get("max_posts"), account=spec.get("account") or "",
                   comments=bool(spec.get("comments", True)), revisit_days=float(spec.get("revisit_days", 7.0)),
                   full=bool(spec.get("full")))
