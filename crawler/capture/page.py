"""Hooks scrapy-playwright calls for each page, and the snapshot taken before a page closes."""

from __future__ import annotations

import weakref
from typing import Any

from ..archive.model import PageCapture, utc_now
from . import privacy_capture
from .network import NetworkRecorder

_RECORDERS: weakref.WeakKeyDictionary[Any, NetworkRecorder] = weakref.WeakKeyDictionary()


async def init_page(page: Any, request: Any) -> None:
    """`playwright_page_init_callback`: start recording before the first navigation.

    Referenced by its import path in request meta (not as a callable) so requests stay
    picklable for a Redis frontier.
    """
    recorder = NetworkRecorder(page)
    await recorder.start()
    _RECORDERS[page] = recorder
    await privacy_capture.on_page_init(page)


def recorder_for(page: Any) -> NetworkRecorder:
    return _RECORDERS[page]


async def snapshot(page: Any, kind: str, facts: dict[str, Any] | None = None, screenshot: bool = True) -> PageCapture:
    """What the reader saw (screenshot, rendered DOM, text) plus every exchange, then stop recording."""
    recorder = recorder_for(page)
    started = utc_now()
    await recorder.wait_idle(quiet_ms=150, timeout_ms=10_000)
    # Lazy images below the fold load only when scrolled to; the full-page screenshot then
    # shows them, and their bytes are in the archive for replay.
    await page.evaluate(
        "() => document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })"
    )
    await recorder.wait_idle(quiet_ms=150, timeout_ms=10_000)
    # Who the page shows and where their data is drawn, in the layout the screenshot gets.
    third_parties, pii_boxes = await privacy_capture.read_page(page)
    shot = await page.screenshot(full_page=True, type="png", timeout=60_000) if screenshot else None
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
    if sockets:
        # Written as WARC records by the pipeline, not as metadata facts (docs/reader.md).
        capture.facts["websockets"] = sockets
    return capture
