"""Log formatting: download errors are the spider's to report, not Scrapy's.

Scrapy logs every failed download at ERROR with a traceback, even when the spider's errback has
handled it. SMA's errback turns each one into a named error in the crawl summary (or, for the
profile page, into the CLI's one-line error), so the traceback is only noise for the user and is
logged at WARNING instead (visible with SMA_LOG_LEVEL=WARNING).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter


class QuietDownloadErrors(LogFormatter):
    def download_error(self, *args: Any, **kwargs: Any) -> Any:
        result = super().download_error(*args, **kwargs)
        result["level"] = logging.WARNING
        return result
