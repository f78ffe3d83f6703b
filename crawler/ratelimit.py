"""Rate limits (docs/limits.md): a platform that answers 429 or 503 is waited out, never archived.

`RateLimitMiddleware` (downloader middleware) takes a 429/503 page response before anything reads
it: the browser page is closed (its exchanges are never written, so an earlier good capture stays
what replay shows), the host is paused for the server's `Retry-After` (seconds or an HTTP date,
capped at `SMA_RATELIMIT_MAX_WAIT`) or, without one, for an exponential backoff with jitter (drawn
between (1 - `SMA_RATELIMIT_JITTER`) x and 1 x `SMA_RATELIMIT_BACKOFF` * 2^attempt, same cap; the
default 1 is "full jitter", so workers refused at one moment do not all come back at the next), and
the request is tried again, at most
`SMA_RATELIMIT_RETRIES` times. Then it gives up: a limit event, the page is not archived.

Every wait is kept in the crawl's stats (`sma/ratelimit`): completeness.json and the report list them.
The pause is per host (`HostPauses`): every request to that host waits, as a polite crawler does.
A shared frontier can give the middleware a pause table that lives elsewhere (same two methods).
"""

from __future__ import annotations

import asyncio
import random
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured

from .limits import LimitReached, record_limit

WAITS_STAT = "sma/ratelimit"
ATTEMPT_META = "sma_ratelimit_attempt"


class HostPauses:
    """Per host, the moment (time.time()) before which no request may go out."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def until(self, host: str) -> float:
        return self._until.get(host, 0.0)

    def pause(self, host: str, until: float) -> None:
        self._until[host] = max(until, self._until.get(host, 0.0))


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Retry-After as seconds from `now`: delta-seconds or an HTTP date (RFC 9110 10.2.3); None if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return max(0.0, moment.timestamp() - now)


class RateLimitMiddleware:
    def __init__(self, crawler: Any, pauses: HostPauses | None = None) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.codes = {int(c) for c in settings.getlist("SMA_RATELIMIT_HTTP_CODES", [429, 503])}
        self.retries = settings.getint("SMA_RATELIMIT_RETRIES", 5)
        self.max_wait = settings.getfloat("SMA_RATELIMIT_MAX_WAIT", 300.0)
        self.backoff = settings.getfloat("SMA_RATELIMIT_BACKOFF", 2.0)
        self.jitter = settings.getfloat("SMA_RATELIMIT_JITTER", 1.0)
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"SMA_RATELIMIT_JITTER must be between 0 and 1, not {self.jitter:g}")
        self.random = random.Random()
        self.pauses = pauses or HostPauses()

    @classmethod
    def from_crawler(cls, crawler: Any) -> RateLimitMiddleware:
        if not crawler.settings.getbool("SMA_RATELIMIT_ENABLED", True):
            raise NotConfigured("SMA_RATELIMIT_ENABLED is off")
        return cls(crawler)

    async def process_request(self, request: Any) -> None:
        host = urlsplit(request.url).netloc
        delay = self.pauses.until(host) - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        attempt = request.meta.get(ATTEMPT_META)
        if attempt:
            # What the retry really waited since its refusal (the pause, plus scheduling).
            waits = list(self.crawler.stats.get_value(WAITS_STAT) or [])
            for event in waits:
                if event["url"] == request.url and event["attempt"] == attempt and "waited_s" not in event:
                    event["waited_s"] = round(time.time() - event.pop("at"), 3)
            self.crawler.stats.set_value(WAITS_STAT, waits)
        return None

    def wait_for(self, response: Any, attempt: int) -> tuple[float, str]:
        """How long to wait before attempt `attempt + 1`, and why."""
        header = response.headers.get("Retry-After")
        told = retry_after_seconds(header.decode("latin-1") if header else None, time.time())
        if told is not None:
            wait, why = told, f"Retry-After: {header.decode('latin-1')}"
            if wait > self.max_wait:
                wait, why = self.max_wait, f"{why} (capped at SMA_RATELIMIT_MAX_WAIT={self.max_wait:g} s)"
            return wait, why
        ceiling, why = self.backoff * (2 ** attempt), f"backoff {self.backoff:g} s x 2^{attempt}"
        if ceiling > self.max_wait:
            ceiling, why = self.max_wait, f"{why} (capped at SMA_RATELIMIT_MAX_WAIT={self.max_wait:g} s)"
        if not self.jitter:
            return ceiling, why
        wait = ceiling * (1.0 - self.jitter * self.random.random())
        return wait, f"{why}, jitter {self.jitter:g}: {wait:.3g} of {ceiling:g} s"

    async def process_response(self, request: Any, response: Any) -> Any:
        if response.status not in self.codes:
            return response
        page = request.meta.pop("playwright_page", None)
        if page is not None and not page.is_closed():
            await page.close()  # its recorder goes with it: nothing of the error page is written
        attempt = int(request.meta.get(ATTEMPT_META, 0))
        wait, why = self.wait_for(response, attempt)
        event: dict[str, Any] = {"url": request.url, "status": response.status, "attempt": attempt + 1,
                                 "wait_s": round(wait, 3), "why": why, "at": time.time()}
        if attempt >= self.retries:
            event["wait_s"], event["gave_up"] = 0, True
            del event["at"]
            self._keep(event)
            record_limit(self.crawler, request.url, "SMA_RATELIMIT_RETRIES", self.retries,
                         f"HTTP {response.status} after {self.retries} retries; not archived (an earlier "
                         "capture stays what replay shows)")
            raise LimitReached(f"HTTP {response.status} after {self.retries} retries")
        self._keep(event)
        self.pauses.pause(urlsplit(request.url).netloc, time.time() + wait)
        retry = request.replace(dont_filter=True)
        retry.meta[ATTEMPT_META] = attempt + 1
        return retry

    def _keep(self, event: dict[str, Any]) -> None:
        waits = list(self.crawler.stats.get_value(WAITS_STAT) or [])
        waits.append(event)
        self.crawler.stats.set_value(WAITS_STAT, waits)
