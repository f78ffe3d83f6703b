"""Capture's components alone (no browser, no crawl; Scrapy's get_crawler): the crawl's spec and state
reached through the crawler, the access copy as a stage after the original WARCs are closed, and a page
whose set-up fails is refused rather than archived unguarded (issue 12 items 2 and 3)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest
from async_run import run_async
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.archive.model import Exchange, PageCapture
from crawler.capture.page import INIT_META, PageInitFailed, PageRecorders
from crawler.pipelines import WarcPipeline
from crawler.privacy_pipeline import PrivacyPipeline
from crawler.spec import CrawlSpec
from crawler.state import CrawlState

URL = "http://127.0.0.1:8700/@gemeente_demodorp/1"
CITIZEN = b"truus_1948"
PAGE = (b"<html><body><p>Wanneer gaat het zwembad open? vraagt <a href='/@truus_1948'>@truus_1948</a></p>"
        b"</body></html>")


def _crawler(archive: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN202 - scrapy.crawler.Crawler
    monkeypatch.setenv("SMA_KEYS_DIR", str(archive.parent / "keys"))
    spec = CrawlSpec(url="http://127.0.0.1:8700/@gemeente_demodorp", archive=archive, crawl_id="20260101000000-abc")
    return get_crawler(settings_dict={
        "SMA_ARCHIVE_DIR": str(archive), "SMA_CRAWL_ID": spec.crawl_id, "SMA_CRAWL_SPEC": spec,
        "SMA_MAX_WARC_BYTES": 1_000_000_000, "EXTENSIONS": {"crawler.state.CrawlState": 0}})


def _page() -> PageCapture:
    moment = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    exchange = Exchange(URL, "GET", [("User-Agent", "Chromium")], None, 200, "OK", "HTTP/1.1",
                        [("Content-Type", "text/html; charset=utf-8")], PAGE, moment)
    return PageCapture(url=URL, kind="post", title="Zwembad", started=moment, exchanges=[exchange],
                       dom=PAGE.decode(), text="Wanneer gaat het zwembad open? vraagt @truus_1948")


def _open_pipelines(crawler):  # noqa: ANN001, ANN202
    warc, privacy = WarcPipeline.from_crawler(crawler), PrivacyPipeline.from_crawler(crawler)
    warc.open_spider()
    privacy.open_spider()
    privacy._detector().presidio = False  # as the derivative runs it in tests (no engine to build)
    item = _page()
    privacy.process_item(warc.process_item(item))
    return warc, privacy


def _bytes(folder: Path) -> bytes:
    import gzip

    return b"".join(gzip.decompress(p.read_bytes()) for p in sorted(folder.glob("*.warc.gz")))


def test_the_access_copy_is_a_stage_after_the_original_warcs_are_closed(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    archive = tmp_path / "archive"
    crawler = _crawler(archive, monkeypatch)
    warc, privacy = _open_pipelines(crawler)
    assert CrawlState.of(crawler).privacy is not None, "capture reads third parties through the crawl's state"
    # Scrapy closes pipelines in reverse order: the privacy pipeline first, while the WARC is still open.
    privacy.close_spider()
    assert list((archive / "warcs").glob("*.open")), "the original WARC is still being written here"
    assert not list(archive.glob("access/warcs/*.warc.gz*")), "nothing derived yet"
    assert CrawlState.of(crawler).privacy is None
    warc.close_spider()
    read: list[str] = []
    import crawler.privacy_pipeline as module

    real = module.Deriver.run
    monkeypatch.setattr(module.Deriver, "run", lambda self: read.extend(p.name for p in (archive / "warcs").iterdir())
                        or real(self))
    privacy.write_access_copy()
    assert read and not [name for name in read if name.endswith(".open")]
    assert CrawlState.of(crawler).fatal_error is None
    original, access = _bytes(archive / "warcs"), _bytes(archive / "access" / "warcs")
    assert CITIZEN in original and b"zwembad" in access
    assert CITIZEN not in access, "the citizen's handle is pseudonymised in the access copy"


def test_an_open_original_warc_fails_the_access_copy_instead_of_being_read(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    archive = tmp_path / "archive"
    crawler = _crawler(archive, monkeypatch)
    warc, privacy = _open_pipelines(crawler)
    privacy.close_spider()
    privacy.write_access_copy()  # as the old close_spider did: before WarcPipeline closed its writer
    state = CrawlState.of(crawler)
    assert state.fatal_error and "still open" in state.fatal_error, state.fatal_error
    assert not list(archive.glob("access/warcs/*.warc.gz*"))
    warc.close_spider()


def test_off_components_say_so_and_the_spec_is_frozen(tmp_path: Path) -> None:
    from scrapy.exceptions import NotConfigured

    crawler = get_crawler(settings_dict={"SMA_ARCHIVE_DIR": str(tmp_path), "SMA_CRAWL_ID": "c1", "SMA_PRIVACY": False,
                                         "EXTENSIONS": {"crawler.state.CrawlState": 0}})
    with pytest.raises(NotConfigured):
        PrivacyPipeline.from_crawler(crawler)
    spec = CrawlSpec(url="https://h/@a", archive=tmp_path, max_posts="2", posts=["https://h/@a/1"])
    assert spec.max_posts == 2 and spec.posts == ("https://h/@a/1",) and spec.account == "h_a"
    with pytest.raises(AttributeError):
        spec.url = "https://h/@b"  # type: ignore[misc]


class _BrokenPage:
    """A page whose browser went away while scrapy-playwright set it up."""

    url = "about:blank"

    def on(self, *args: object) -> None:
        raise RuntimeError("Target page, context or browser has been closed")

    def __getattr__(self, name: str) -> object:
        raise RuntimeError("Target page, context or browser has been closed")


def test_a_page_whose_set_up_failed_is_refused_not_archived_unguarded() -> None:
    recorders, other_crawl = PageRecorders(), PageRecorders()
    page = _BrokenPage()
    run_async(recorders.init_page(page, Request("http://127.0.0.1/p")))  # scrapy-playwright would only log
    with pytest.raises(PageInitFailed, match="recording did not start .*browser has been closed.*not archived"):
        recorders.for_page(page)
    with pytest.raises(PageInitFailed, match="never started"):
        other_crawl.for_page(page)  # each crawl's recorders are its own: no module global


def test_the_init_callback_is_bound_after_the_scheduler_and_never_pickled() -> None:
    recorders = PageRecorders()
    request = Request("http://127.0.0.1/p", meta={"playwright": True, "playwright_include_page": True})
    recorders.process_request(request)
    assert request.meta[INIT_META] == recorders.init_page  # what scrapy-playwright calls for this crawl
    recorders.process_exception(request, TimeoutError())  # a retry's copy goes back to the scheduler
    assert INIT_META not in request.meta
    pickle.dumps(request.to_dict())  # as a shared frontier queues it
    recorders.process_request(request)
    response = recorders.process_response(request, object())
    assert response is not None and INIT_META not in request.meta
