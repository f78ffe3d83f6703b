"""Scrapy settings for SMA crawls. Components are wired here, as in any Scrapy project.

Nothing here reads the environment: the settings an `SMA_*` variable decides (sma/config.py) are
`environment_settings()`, which `crawler.run` applies when it sets a crawl up (over these defaults,
under the command line's own settings)."""

from typing import Any

BOT_NAME = "sma"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# An organisation archives its own public accounts; robots.txt of social platforms forbids
# every crawler, and the Archiefwet obligation is the organisation's, not the platform's.
ROBOTSTXT_OBEY = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}

CHROMIUM = "/usr/bin/chromium"  # SMA_CHROMIUM
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Media should play in headless replay and capture alike.
    "--autoplay-policy=no-user-gesture-required",
]
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}
PLAYWRIGHT_CONTEXTS = {
    "default": {"viewport": {"width": 1280, "height": 1000}, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}
}
# Keep the browser's own request headers: the archive records what a browser sent.
PLAYWRIGHT_PROCESS_REQUEST_HEADERS = None
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 3

CONCURRENT_REQUESTS = 3
# Politeness per platform host (Scrapy's own settings; a shared frontier shares them): pages in
# flight at once and seconds between two page requests to the same host.
CONCURRENT_REQUESTS_PER_DOMAIN = 3
DOWNLOAD_DELAY = 0
RETRY_TIMES = 1
# 429 and 503 are rate limits, handled by crawler.ratelimit (waited out, never archived), not retried here.
RETRY_HTTP_CODES = [500, 502, 504, 522, 524, 408]
# PageRecorders nearest the download handler: it binds each page's init callback last and unbinds it first.
DOWNLOADER_MIDDLEWARES = {"crawler.limits.CaptureLimitsMiddleware": 540, "crawler.ratelimit.RateLimitMiddleware": 560,
                          "crawler.capture.page.PageRecorders": 950}
SPIDER_MIDDLEWARES = {"crawler.limits.PageTimeoutMiddleware": 1000}
COOKIES_ENABLED = False  # the browser keeps its own cookies
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "ERROR"  # SMA_LOG_LEVEL

ITEM_PIPELINES = {"crawler.pipelines.WarcPipeline": 100, "crawler.privacy_pipeline.PrivacyPipeline": 200}
# CrawlState first: every other component reaches the crawl's state through it (crawler/state.py).
EXTENSIONS = {"crawler.state.CrawlState": 0, "crawler.extensions.CrawlReport": 100}
LOG_FORMATTER = "crawler.logformatter.QuietDownloadErrors"

# Bounds on hostile pages (crawler/limits.py, docs/limits.md). Each bound that stops something is a
# shortfall in completeness.json and the report, with the setting and the reason; the crawl goes on.
SMA_MAX_PAGES = 10_000  # pages (profile, timeline and post pages) per crawl; 0 = no bound
# A timeline is read in pieces: a page's scroll stops at this many posts in the DOM and the timeline
# goes on in a fresh page (its rel=next, the profile's next_piece, the API's cursor: crawler/spiders/timeline.py);
# 0 = one page, however long (Chromium grows ~0.6 MB per post held).
SMA_TIMELINE_PIECE_POSTS = 100  # + the reader's last load (~20): ~29,000 px on Mastodon (screenshot bound 32,768)
SMA_PAGE_TIMEOUT = 1800.0  # seconds one page's capture may take once loaded; then abandoned; 0 = none
# Generous: the profile page of a 2,000-post account scrolls for minutes.
SMA_ACTION_MAX_SECONDS = 600.0  # seconds one profile action (scroll, click_all) may take on a page
# A profile selector a page waited for in vain (`ready`, a `wait_for` action) is waited for in full once
# per crawl; later pages only probe it this long (a redesign must not cost every page the full timeout).
SMA_DRIFT_PROBE_MS = 1500  # milliseconds; a selector seen again is waited for in full again
# A first wait for a profile selector also ends once the page settled without it: no request in flight
# this long and no DOM change this long (a redesigned page that is done loading has nothing more to show).
SMA_DRIFT_QUIET_MS = 2500
SMA_DRIFT_STILL_MS = 1500
SMA_NETWORK_IDLE_TIMEOUT = 10.0  # seconds any wait for a quiet network may take; then captured as it stands
SMA_DOWNLOAD_MAXSIZE = 100 * 1024 * 1024  # bytes kept of one response; beyond: loading stopped, WARC-Truncated
SMA_CLOSE_POPUPS = True  # windows a page opens are closed at once
SMA_BLOCK_NAVIGATION = True  # a loaded page may not navigate its main frame to another document
# The reader's bounds (crawler/capture/reader.py; defaults there): SMA_READER_MAX_ROUNDS (scroll
# rounds per page, 120), SMA_READER_MAX_CLICKS (presses per page, 600), SMA_READER_MAX_SECONDS (90).
# Rate limits (crawler/ratelimit.py): Retry-After honoured, else exponential backoff; per host.
SMA_RATELIMIT_ENABLED = True
SMA_RATELIMIT_HTTP_CODES = [429, 503]
SMA_RATELIMIT_RETRIES = 5  # tries after the first; then the page is reported, not archived
SMA_RATELIMIT_BACKOFF = 2.0  # seconds before the first retry without Retry-After; doubled each time
SMA_RATELIMIT_MAX_WAIT = 300.0  # cap on any one wait, Retry-After included

# SMA's own settings (set per crawl by `sma crawl`).
SMA_ARCHIVE_DIR = None
SMA_CRAWL_ID = None
SMA_PROGRESS_INTERVAL = 5.0
SMA_MAX_WARC_BYTES = 1_000_000_000
# A login session's cookie/token values and cookie names: replaced in every record (set by `sma run`).
SMA_SESSION_SECRETS: list[str] = []
SMA_SESSION_COOKIES: list[str] = []
# Privacy (docs/privacy.md): the pseudonymised access copy, whose organisation key to use, staff
# signatures that are not third parties ("|"-separated), and whether third parties' avatars load at all.
SMA_PRIVACY = True
SMA_ORGANISATION = "default"
SMA_STAFF_SIGNATURES: list[str] = []
SMA_BLOCK_THIRD_PARTY_AVATARS = False


def environment_settings() -> dict[str, Any]:
    """The settings the environment decides, read now (not when this module was imported)."""
    from sma.config import (
        BLOCK_THIRD_PARTY_AVATARS,
        ORGANISATION,
        PRIVACY,
        STAFF_SIGNATURES,
    )
    from sma.config import CHROMIUM as CHROMIUM_PATH
    from sma.config import LOG_LEVEL as LOG_LEVEL_NAME

    chromium = CHROMIUM_PATH.get()
    return {
        "CHROMIUM": chromium,
        "PLAYWRIGHT_LAUNCH_OPTIONS": {**PLAYWRIGHT_LAUNCH_OPTIONS, "executable_path": chromium},
        "LOG_LEVEL": LOG_LEVEL_NAME.get(),
        "SMA_PRIVACY": PRIVACY.flag(),
        "SMA_ORGANISATION": ORGANISATION.get(),
        "SMA_STAFF_SIGNATURES": STAFF_SIGNATURES.items(),
        "SMA_BLOCK_THIRD_PARTY_AVATARS": BLOCK_THIRD_PARTY_AVATARS.flag(),
    }
