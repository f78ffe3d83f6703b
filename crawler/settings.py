"""Scrapy settings for SMA crawls. Components are wired here, as in any Scrapy project."""

import os

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

CHROMIUM = os.environ.get("SMA_CHROMIUM", "/usr/bin/chromium")
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
CONCURRENT_REQUESTS_PER_DOMAIN = 3
DOWNLOAD_DELAY = 0
RETRY_TIMES = 1
COOKIES_ENABLED = False  # the browser keeps its own cookies
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = os.environ.get("SMA_LOG_LEVEL", "ERROR")

ITEM_PIPELINES = {"crawler.pipelines.WarcPipeline": 100, "crawler.privacy_pipeline.PrivacyPipeline": 200}
EXTENSIONS = {"crawler.extensions.CrawlReport": 100}
LOG_FORMATTER = "crawler.logformatter.QuietDownloadErrors"

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
SMA_PRIVACY = os.environ.get("SMA_PRIVACY", "1").lower() not in ("0", "false", "no", "off")
SMA_ORGANISATION = os.environ.get("SMA_ORGANISATION", "default")
SMA_STAFF_SIGNATURES = [s for s in os.environ.get("SMA_STAFF_SIGNATURES", "").split("|") if s.strip()]
SMA_BLOCK_THIRD_PARTY_AVATARS = os.environ.get("SMA_BLOCK_THIRD_PARTY_AVATARS", "").lower() in ("1", "true", "yes")
