"""The full-page screenshot of a very tall page: shot in tiles, bounded in height, the cut reported.

A synthetic page of coloured bands (each band's colour says where it is) in real Chromium; the
bounds are set small so the test takes seconds (the defaults: one shot up to 16,384 px, tiles of
4,096 px, at most 32,768 px shown; crawler/capture/screenshot.py).
"""

from __future__ import annotations

import base64
import io

import pytest
from async_run import run_async
from conftest import CHROMIUM, CHROMIUM_ARGS, ROOT
from PIL import Image
from playwright.async_api import async_playwright

from crawler.capture.screenshot import ScreenshotLimits, full_page_png

BAND = 250  # px; band i has the colour colour(i)
SMALL = ScreenshotLimits(max_height_px=6_000, tile_px=900, single_shot_px=2_000)


def colour(i: int) -> tuple[int, int, int]:
    return (i * 37 % 256, i * 91 % 256, (i * 53 + 100) % 256)


def page_html(height: int) -> str:
    bands = "".join(f'<div style="height:{BAND}px;background:rgb{colour(i)}"></div>'
                    for i in range(height // BAND))
    return f"<html><body style='margin:0'>{bands}</body></html>"


Shot = tuple[Image.Image, list[dict], dict, int]  # image, limit events, viewport and scrollY after


@pytest.fixture(scope="module")
def shots() -> dict[int, Shot]:
    """Pages of 10,000, 5,250 and 1,500 px, each shot once in one browser (a launch costs seconds)."""

    async def go() -> dict[int, Shot]:
        out: dict[int, Shot] = {}
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 400, "height": 300})
            for height in (10_000, 5_250, 1_500):
                await page.set_content(page_html(height))
                await page.evaluate("() => window.scrollTo(0, 777)")
                events: list[dict] = []
                png = await full_page_png(page, events, SMALL)
                image = Image.open(io.BytesIO(png)).convert("RGB")
                out[height] = (image, events, page.viewport_size, await page.evaluate("() => window.scrollY"))
            await browser.close()
        return out

    return run_async(go())


def assert_bands(image: Image.Image, bands: int) -> None:
    for i in range(bands):
        for y in (i * BAND + 5, i * BAND + BAND // 2, i * BAND + BAND - 5):  # top, middle, bottom of each band
            assert image.getpixel((200, y)) == colour(i), f"band {i} at y={y}"


def test_a_page_taller_than_the_bound_is_tiled_cut_at_the_bound_and_the_cut_reported(shots: dict[int, Shot]) -> None:
    image, events, viewport, scroll_y = shots[10_000]
    assert image.size == (400, 6_000)
    assert_bands(image, 6_000 // BAND)  # tile seams (every 900 px) fall inside bands: no row lost or doubled
    assert [e["setting"] for e in events] == ["SMA_SCREENSHOT_MAX_HEIGHT"]
    assert "10,000 px tall" in events[0]["note"] and "top 6,000 px" in events[0]["note"]
    # The reader's window is as it was: the rest of the snapshot (thumbnail, DOM) sees the same page.
    assert viewport == {"width": 400, "height": 300} and scroll_y == 777


def test_a_tiled_page_within_the_bound_is_whole_its_last_tile_ending_at_the_page_end(shots: dict[int, Shot]) -> None:
    # 5,250 px: the last tile cannot scroll a full 900 px on, it starts higher and only its new rows count.
    image, events, _, _ = shots[5_250]
    assert image.size == (400, 5_250)
    assert_bands(image, 5_250 // BAND)
    assert events == []


def test_a_page_up_to_the_single_shot_height_is_one_chromium_screenshot_as_before(shots: dict[int, Shot]) -> None:
    image, events, _, _ = shots[1_500]
    assert image.size == (400, 1_500)
    assert_bands(image, 1_500 // BAND)
    assert events == []


def test_the_bounds_are_settings() -> None:
    limits = ScreenshotLimits.from_env({"SMA_SCREENSHOT_MAX_HEIGHT": "20000", "SMA_SCREENSHOT_TILE_HEIGHT": "2048"})
    assert (limits.max_height_px, limits.tile_px) == (20_000, 2_048)
    assert ScreenshotLimits.from_env({}).max_height_px == 32_768


def test_a_video_in_a_later_tile_shows_its_frame() -> None:
    """A video that only a later tile scrolls into view is drawn, not left blank (two captures of an
    unchanged page must give the same picture, or a recapture stores the screenshot again)."""
    clip = base64.b64encode((ROOT / "demo_platform/static/clip.webm").read_bytes()).decode()
    html = ("<html><body style='margin:0;background:#fff'><div style='height:3000px'></div>"
            "<video preload=metadata style='width:320px;height:240px;display:block' "
            f"src='data:video/webm;base64,{clip}'></video><div style='height:1500px'></div></body></html>")

    async def go() -> Image.Image:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 400, "height": 300})
            await page.set_content(html)
            png = await full_page_png(page, [], SMALL)
            await browser.close()
        return Image.open(io.BytesIO(png)).convert("RGB")

    video_box = run_async(go()).crop((0, 3000, 320, 3240))
    assert len(set(video_box.getdata())) > 1, "the video's box is one flat colour: its frame was not drawn"
