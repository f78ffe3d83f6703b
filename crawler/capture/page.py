"""The crawl's per-page recorders (`PageRecorders`) and the snapshot taken before a page closes."""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any
from urllib.parse import urlsplit

from ..archive.model import PageCapture, utc_now
from . import privacy_capture
from .network import NetworkRecorder
from .privacy_capture import CrawlPrivacy
from .screenshot import full_page_png

logger = logging.getLogger(__name__)

# scrapy-playwright's hook, called with (page, request) once the page exists, before its first navigation.
INIT_META = "playwright_page_init_callback"


class PageInitFailed(Exception):
    """The page's recording (or its privacy and limit guards) did not start: the page is not archived."""


class PageRecorders:
    """Downloader middleware owning one crawl's per-page network recorders.

    It binds its own `init_page` as the request's `playwright_page_init_callback` once the request has
    left the scheduler (a shared frontier pickles scheduled requests, so meta holds no callable there)
    and takes it out again when the download ends (a retried request goes back to the scheduler). The
    spider asks `for_page(page)` for a page's recorder; a page whose set-up failed has none, and asking
    raises `PageInitFailed`: the page fails, is reported and nothing of it is archived (scrapy-playwright
    itself would only log the failure and let the page load unrecorded and unguarded)."""

    def __init__(self, privacy: Any = None) -> None:
        self._privacy = privacy or (lambda: None)  # -> CrawlPrivacy | None, the crawl's (crawler/state.py)
        self._recorders: weakref.WeakKeyDictionary[Any, NetworkRecorder] = weakref.WeakKeyDictionary()
        self._failures: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Any) -> PageRecorders:
        from ..state import CrawlState

        state = CrawlState.of(crawler)
        return cls(lambda: state.privacy)

    @property
    def privacy(self) -> CrawlPrivacy | None:
        return self._privacy()

    # -- downloader middleware ---------------------------------------------------------------------
    def process_request(self, request: Any, spider: Any = None) -> None:
        if request.meta.get("playwright"):
            request.meta[INIT_META] = self.init_page

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        request.meta.pop(INIT_META, None)
        return response

    def process_exception(self, request: Any, exception: BaseException, spider: Any = None) -> None:
        request.meta.pop(INIT_META, None)

    # -- pages -------------------------------------------------------------------------------------
    async def init_page(self, page: Any, request: Any) -> None:
        """Starts recording before the first navigation, with the crawl's bounds and privacy guards."""
        try:
            recorder = NetworkRecorder(page)
            # The crawl's bounds (crawler/limits.py puts them in the request's meta; docs/limits.md).
            limits = (getattr(request, "meta", None) or {}).get("sma_limits") or {}
            recorder.max_body_bytes = int(limits.get("max_response_bytes") or 0)
            recorder.idle_timeout_ms = int(float(limits.get("network_idle_s") or 0) * 1000)
            recorder.action_max_seconds = float(limits.get("action_max_s") or 0)
            await recorder.start()
            await privacy_capture.on_page_init(page, self.privacy)
            await _guard(page, recorder, bool(limits.get("close_popups", True)),
                         bool(limits.get("block_navigation", True)))
        except Exception as exc:  # noqa: BLE001 - fail closed: the page is refused in for_page, with this reason
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self._failures[page] = f"the page's recording did not start ({reason}); not archived"
            logger.error("page set-up failed for %s: %s", getattr(request, "url", page), reason)
            return
        self._recorders[page] = recorder

    def for_page(self, page: Any) -> NetworkRecorder:
        recorder = self._recorders.get(page)
        if recorder is None:
            raise PageInitFailed(self._failures.get(page) or "the page's recording never started; not archived")
        return recorder

    async def snapshot(self, page: Any, kind: str, facts: dict[str, Any] | None = None,
                       screenshot: bool = True) -> PageCapture:
        return await snapshot(page, kind, facts, screenshot, recorder=self.for_page(page), privacy=self.privacy)


async def _guard(page: Any, recorder: NetworkRecorder, close_popups: bool, block_navigation: bool) -> None:
    """A page that opens windows or navigates itself away is not allowed to: popups are closed at
    once, and once the page's document has arrived, its main frame loads no other document (the
    capture stays of the page the crawl asked for). Each attempt is reported (docs/limits.md)."""
    tasks: set[asyncio.Task] = set()

    def popup(other: Any) -> None:
        recorder.limit_events.append({"setting": "SMA_CLOSE_POPUPS", "value": True,
                                      "note": f"the page opened a window ({other.url}); closed"})
        task = asyncio.ensure_future(other.close())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    if close_popups:
        page.on("popup", popup)
    if not block_navigation:
        return
    arrived: list[str] = []

    def navigated(frame: Any) -> None:
        if frame == page.main_frame and not arrived:
            arrived.append(frame.url)

    async def route(route: Any, req: Any) -> None:
        if (arrived and req.is_navigation_request() and req.frame == page.main_frame
                and _document(req.url) != _document(arrived[0])):
            recorder.limit_events.append({"setting": "SMA_BLOCK_NAVIGATION", "value": True,
                                          "note": f"the page tried to navigate away to {req.url}; blocked"})
            # A 204 answer cancels a navigation and leaves the document as it is (an abort would
            # replace it with the browser's error page).
            await route.fulfill(status=204, body=b"")
            return
        await route.fallback()

    page.on("framenavigated", navigated)
    # Registered after scrapy-playwright's own route, so it is asked first and falls back to it.
    await page.route("**/*", route)


def _document(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.netloc, parts.path, parts.query


async def snapshot(page: Any, kind: str, facts: dict[str, Any] | None = None, screenshot: bool = True, *,
                   recorder: NetworkRecorder, privacy: CrawlPrivacy | None = None) -> PageCapture:
    """What the reader saw (screenshot, rendered DOM, text) plus every exchange, then stop recording."""
    started = utc_now()
    quiet = await recorder.wait_idle(quiet_ms=150, timeout_ms=10_000)
    # Lazy images below the fold load only when scrolled to; the full-page screenshot then
    # shows them, and their bytes are in the archive for replay.
    await page.evaluate(
        "() => document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })"
    )
    quiet = await recorder.wait_idle(quiet_ms=150, timeout_ms=10_000) or quiet
    if not quiet:
        # Captured as it stood: what the page was still loading may be missing (docs/limits.md).
        waited = (recorder.idle_timeout_ms or 10_000) / 1000
        recorder.limit_events.append({"setting": "SMA_NETWORK_IDLE_TIMEOUT", "value": waited,
                                      "note": f"the network never went quiet within {waited:g} s (twice); "
                                              "captured as it stood"})
    # Who the page shows and where their data is drawn, in the layout the screenshot gets.
    third_parties, pii_boxes = await privacy_capture.read_page(page, privacy)
    shot = await full_page_png(page, recorder.limit_events) if screenshot else None  # tiled, bounded: screenshot.py
    # The top of the page as a reader first sees it, small, for the completeness report.
    await page.evaluate("() => window.scrollTo(0, 0)")
    thumbnail = await page.screenshot(type="jpeg", quality=40, timeout=30_000) if screenshot else None
    dom = await page.content()
    text = await page.evaluate("() => document.body ? document.body.innerText : ''")
    title = await page.title()
    exchanges = await recorder.drain(timeout_ms=15_000)
    sockets = recorder.take_websockets()
    await recorder.stop()
    capture = PageCapture(
        url=page.url,
        kind=kind,
        title=title,
        started=started,
        exchanges=exchanges,
        screenshot=shot,
        thumbnail=thumbnail,
        dom=dom,
        text=text,
        facts=dict(facts or {}),
        third_parties=third_parties,
        pii_boxes=pii_boxes,
    )
    if recorder.failures:
        capture.facts["network_failures"] = recorder.failures
    if recorder.limit_events:
        # Also written into the page's metadata record: the WARC says where a capture was cut.
        capture.facts["limits"] = list(recorder.limit_events)
    if sockets:
        # Written as WARC records by the pipeline, not as metadata facts (docs/reader.md).
        capture.facts["websockets"] = sockets
    return capture
