"""CrawlState: what one crawl has learnt and decided while it runs, kept by an extension.

The spider, the pipelines, the crawl report and a worker's lease keeper all reach the same object with
`CrawlState.of(crawler)` (Scrapy's `crawler.get_extension`), instead of reading attributes off the
spider: the resolved profile, the browser's version, the recapture plan and the changes found, the
completeness facts of every page, the errors, and the one reason the crawl failed or paused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _completeness() -> dict[str, Any]:
    return {"profile": None, "posts": [], "actions": [], "drift": []}


@dataclass
class CrawlState:
    profile: Any = None  # crawler.profiles.Profile, once the start URL is resolved
    browser_version: str | None = None
    plan: dict[str, list[str]] = field(default_factory=dict)  # recapture: visit reason -> post URLs
    changes: list[dict[str, Any]] = field(default_factory=list)  # committed to the account's history
    # What each page displayed against what was captured (crawler/completeness.py reads it).
    completeness: dict[str, Any] = field(default_factory=_completeness)
    errors: list[str] = field(default_factory=list)
    fatal_error: str | None = None
    paused: str | None = None  # a logged-out session's message
    # What capture needs from the crawl's privacy pipeline (crawler/capture/privacy_capture.CrawlPrivacy);
    # None: privacy is off, nothing is read in the browser.
    privacy: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlState:
        return cls()

    @classmethod
    def of(cls, crawler: Any) -> CrawlState:
        """The crawl's state; an error (not a silent stand-in) when the extension is not enabled."""
        state = crawler.get_extension(cls)
        if state is None:
            raise RuntimeError("crawler.state.CrawlState is not in EXTENSIONS (crawler/settings.py)")
        return state

    def fail(self, message: str) -> str:
        """Records why the crawl failed, unless an earlier reason is already recorded; returns the reason."""
        self.fatal_error = self.fatal_error or message
        return self.fatal_error

    def observed(self) -> dict[str, Any]:
        """The completeness facts with the errors, as `crawler.completeness.assess` reads them."""
        observed = dict(self.completeness)
        # The post pages this run meant to visit (recapture's plan: new, young, old with --full,
        # or --post's selection), before --max-posts: fewer visited is a cut, whatever the spider
        # counted as selected. A deletion to confirm ("missing") is not a visit of a displayed post.
        planned = {url for reason, urls in self.plan.items() if reason != "missing" for url in urls}
        observed["posts_planned"] = len(planned) if self.plan else None
        observed["errors"] = list(self.errors)
        observed["fatal_error"] = self.fatal_error
        return observed
