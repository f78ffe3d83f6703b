"""The rate-limit middleware, truncated WARC records and the streamed trap, without a browser."""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path

import pytest
from async_run import run_async
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.model import Exchange
from crawler.archive.warc import ArchiveWriter
from crawler.limits import LimitReached
from crawler.ratelimit import ATTEMPT_META, RateLimitMiddleware, retry_after_seconds
from tests.conftest import Platform


def test_retry_after_as_seconds_or_http_date() -> None:
    now = time.time()
    assert retry_after_seconds("120", now) == 120
    assert 29 <= retry_after_seconds(formatdate(now + 30, usegmt=True), now) <= 30
    assert retry_after_seconds(formatdate(now - 30, usegmt=True), now) == 0  # already past: go now
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None


def middleware(**settings: object) -> RateLimitMiddleware:
    crawler = get_crawler(settings_dict={"SMA_RATELIMIT_RETRIES": 2, "SMA_RATELIMIT_BACKOFF": 1.0,
                                         "SMA_RATELIMIT_MAX_WAIT": 60, "SMA_RATELIMIT_JITTER": 0, **settings})
    crawler.stats.open_spider()
    return RateLimitMiddleware(crawler)


def refused(status: int, retry_after: str | None = None, url: str = "https://platform.example/p/1") -> HtmlResponse:
    headers = {"Retry-After": retry_after} if retry_after else {}
    return HtmlResponse(url, status=status, headers=headers, body=b"<p>Te veel verzoeken</p>")


def test_429_pauses_the_host_for_retry_after_capped() -> None:
    mw = middleware()
    request = Request("https://platform.example/p/1")
    retry = run_async(mw.process_response(request, refused(429, "7")))
    assert isinstance(retry, Request) and retry.meta[ATTEMPT_META] == 1 and retry.dont_filter
    assert 6 <= mw.pauses.until("platform.example") - time.time() <= 7
    retry = run_async(mw.process_response(request, refused(429, "9999")))
    assert "capped at SMA_RATELIMIT_MAX_WAIT=60" in mw.crawler.stats.get_value("sma/ratelimit")[-1]["why"]
    assert mw.pauses.until("platform.example") - time.time() <= 60


def test_503_without_retry_after_backs_off_then_gives_up_unarchived() -> None:
    mw = middleware()
    request = Request("https://platform.example/p/1")
    for _ in range(2):
        request = run_async(mw.process_response(request, refused(503)))
        assert isinstance(request, Request)
    with pytest.raises(LimitReached):  # never handed to the spider, so never archived
        run_async(mw.process_response(request, refused(503)))
    waits = mw.crawler.stats.get_value("sma/ratelimit")
    assert [w["wait_s"] for w in waits] == [1.0, 2.0, 0] and waits[-1]["gave_up"]
    assert mw.crawler.stats.get_value("sma/limits")[0]["setting"] == "SMA_RATELIMIT_RETRIES"
    ok = HtmlResponse("https://platform.example/p/2", status=200, body=b"<p>ok</p>")
    assert run_async(mw.process_response(Request(ok.url), ok)) is ok


def test_backoff_has_full_jitter_within_the_exponential_ceiling_and_the_cap() -> None:
    """Workers refused at one moment come back at different moments, never later than the backoff's
    ceiling (nor the cap); a Retry-After is honoured as told, not jittered."""
    mw = middleware(SMA_RATELIMIT_JITTER=1.0, SMA_RATELIMIT_MAX_WAIT=6)
    mw.random = random.Random(16)
    for attempt, ceiling in ((0, 1.0), (1, 2.0), (2, 4.0), (5, 6.0)):
        waits = [mw.wait_for(refused(503), attempt)[0] for _ in range(200)]
        assert all(0 <= w <= ceiling for w in waits) and len(set(waits)) == 200
        assert min(waits) < ceiling * 0.1 and max(waits) > ceiling * 0.9, "drawn over the whole range"
    assert "jitter 1" in mw.wait_for(refused(503), 1)[1]
    assert mw.wait_for(refused(429, "5"), 3)[0] == 5.0
    half = middleware(SMA_RATELIMIT_JITTER=0.5)
    assert all(2.0 <= half.wait_for(refused(503), 2)[0] <= 4.0 for _ in range(100))
    with pytest.raises(ValueError, match="SMA_RATELIMIT_JITTER must be between 0 and 1"):
        middleware(SMA_RATELIMIT_JITTER=2)


def test_truncated_response_record_says_so_and_passes_warcio_check(tmp_path: Path) -> None:
    writer = ArchiveWriter(tmp_path, "c1", {"software": "test"})
    body = b"\0" * 4096
    writer.write_exchange(Exchange("http://h.example/huge.bin", "GET", [("Accept", "*/*")], None, 200, "OK", "HTTP/1.1",
                                   [("Content-Type", "application/octet-stream"), ("Content-Length", str(1 << 30))],
                                   body, datetime.now(UTC), truncated="length"))
    writer.close()
    [warc] = (tmp_path / "warcs").glob("*.warc.gz")
    with open(warc, "rb") as fh:
        responses = [(r.rec_headers.get_header("WARC-Truncated"), r.http_headers.get_header("Content-Length"),
                      r.content_stream().read()) for r in ArchiveIterator(fh) if r.rec_type == "response"]
    # Marked truncated; its Content-Length is what the record holds.
    assert responses == [("length", "4096", body)]
    check = subprocess.run([str(Path(sys.executable).with_name("warcio")), "check", str(warc)], capture_output=True)
    assert check.returncode == 0, check.stdout


def test_gigabyte_trap_is_streamed_not_held(platform: Platform) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with urllib.request.urlopen(platform.base + "/traps/units/huge.bin", timeout=30) as resp:
        assert resp.headers["Content-Length"] == str(1 << 30)
        read = sum(len(resp.read(1 << 20)) for _ in range(64))
    assert read == 64 << 20
    # The server (a thread of this process) never built the body: peak memory grew far less than 64 MiB.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 32 * 1024
