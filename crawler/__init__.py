"""SMA's capture side: a Scrapy project that drives Chromium through Playwright into WARC."""

__version__ = "0.1.0"
