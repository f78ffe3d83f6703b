"""Hooks scrapy-playwright calls for each page, and the snapshot taken before a page closes."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any
from urllib.parse import urlsplit

from ..archive.model import PageCapture, utc_now
from . import privacy_capture
from .network import NetworkRecorder
from .screenshot import full_page_png

_RECORDERS: weakref.WeakKeyDictionary[Any, NetworkRecorder] = weakref.WeakKeyDictionary()


async def init_page(page: Any, request: Any) -> None:
    """`playwright_page_init_callback`: start recording before the first navigation.

    Referenced by its import path in request meta (not as a callable) so requests stay
    picklable for a Redis frontier.
    """
    recorder = NetworkRecorder(page)
    # The crawl's bounds (crawler/limits.py puts them in the request's meta; docs/limits.md).
    limits = (getattr(request, "meta", None) or {}).get("sma_limits") or {}
    recorder.max_body_bytes = int(limits.get("max_response_bytes") or 0)
    recorder.idle_timeout_ms = int(float(limits.get("network_idle_s") or 0) * 1000)
    recorder.action_max_seconds = float(limits.get("action_max_s") or 0)
    await recorder.start()
    _RECORDERS[page] = recorder
    await privacy_capture.on_page_init(page)
    await _guard(page, recorder, bool(limits.get("close_popups", True)), bool(limits.get("block_navigation", True)))


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


def recorder_for(page: Any) -> NetworkRecorder:
    return _RECORDERS[page]


async def snapshot(page: Any, kind: str, facts: dict[str, Any] | None = None, screenshot: bool = True) -> PageCapture:
    """What the reader saw (screenshot, rendered DOM, text) plus every exchange, then stop recording."""
    recorder = recorder_for(page)
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
    third_parties, pii_boxes = await privacy_capture.read_page(page)
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
