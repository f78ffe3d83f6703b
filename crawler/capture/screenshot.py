"""The full-page screenshot of a capture, bounded in height and in the browser's memory.

Chromium takes a full-page screenshot as one bitmap of the whole page. A timeline scrolled to
2,000 posts is ~470,000 px tall: that bitmap took Chromium from 0.7 GB to 2.7 GB and timed out
after 60 s, so the profile page (and with it the account's crawl) failed. Here:

- a page up to `single_shot_px` tall (32,768 px) is shot as
  before, in one piece (`page.screenshot(full_page=True)`);
- a taller page is shot in tiles: the viewport is set to `tile_px` high for the time of the
  shot, the window scrolled a tile at a time, each tile shot as a viewport screenshot, decoded
  and its pixel rows streamed into one PNG (one tile in memory at a time), then the viewport and
  the scroll position are put back. The PNG has the page's coordinates, so the PII boxes read
  before the shot (crawler/capture/privacy_capture.py) cover the same pixels in the access copy;
- the screenshot shows at most `max_height_px` of the page (`SMA_SCREENSHOT_MAX_HEIGHT`, default
  32,768 px; 0 = no bound): the rest is reported as a limit event of the page (a shortfall in
  the completeness report, `facts["limits"]` in the WARC), never silently cut. The bound also keeps
  the access copy's decode of the screenshot (width x height x 3 bytes) bounded: ~126 MB at
  1280 x 32,768.

The DOM, the text and every response of the page are archived whole whatever the bound: only the
picture is cut. Elements fixed to the viewport (a sticky header) show in every tile, as they do
for a reader who scrolls; a page that reacts to the taller viewport (vh units, a list that loads
more when its end shows) may look a little different in tiles than in the reader's window.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from PIL import Image

from sma import config

# One shot up to here, as before tiles (the demo's 20,000 px pages shot whole; tiles vary run to run)
SINGLE_SHOT_PX = 32_768
TILE_PX = 4_096
MAX_HEIGHT_PX = 32_768
ZLIB_LEVEL = 1
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IDAT_BYTES = 1 << 20

_PAGE_SIZE_JS = """() => {
  const d = document.documentElement, b = document.body;
  return [Math.max(d.scrollWidth, b ? b.scrollWidth : 0, window.innerWidth),
          Math.max(d.scrollHeight, b ? b.scrollHeight : 0, window.innerHeight)];
}"""
_SCROLL_TO_JS = "(y) => { window.scrollTo(0, y); return window.scrollY; }"
# Chromium draws a paused video's frame only some time after it scrolls into view (the single shot
# of a shorter page has every video on screen long before): a tile shot at once shows the video's
# box blank, so two captures of an unchanged page differ and a recapture stores the screenshot
# again. Each tile therefore scrolls with a frame callback on the videos it will show and waits,
# bounded, until each has presented a frame (a frame presented before the callback was set just
# runs out the bound; the picture is right either way).
_SCROLL_TO_SETTLED_JS = """([y, ms]) => new Promise(done => {
  const bottom = y + window.innerHeight;
  const shown = [...document.querySelectorAll('video')].filter(v => {
    const r = v.getBoundingClientRect(), top = r.top + window.scrollY;
    return r.width > 0 && r.height > 0 && top < bottom && top + r.height > y
      && v.readyState >= 2 && typeof v.requestVideoFrameCallback === 'function';
  });
  let left = shown.length;
  const finish = () => requestAnimationFrame(() => requestAnimationFrame(() => done(window.scrollY)));
  const timer = setTimeout(finish, left ? ms : 0);
  shown.forEach(v => v.requestVideoFrameCallback(() => { if (--left === 0) { clearTimeout(timer); finish(); } }));
  window.scrollTo(0, y);
})"""
MEDIA_WAIT_MS = 1_500


@dataclass
class ScreenshotLimits:
    """How a full-page screenshot is taken; `from_env` reads `SMA_SCREENSHOT_MAX_HEIGHT` and
    `SMA_SCREENSHOT_TILE_HEIGHT` (docs/faults.md)."""

    max_height_px: int = MAX_HEIGHT_PX
    tile_px: int = TILE_PX
    single_shot_px: int = SINGLE_SHOT_PX
    timeout_ms: float = 60_000

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ScreenshotLimits:
        if environ is None:
            environ = {var.name: var.get() for var in (config.SCREENSHOT_MAX_HEIGHT, config.SCREENSHOT_TILE_HEIGHT)}
        env = environ
        return cls(max_height_px=int(env.get("SMA_SCREENSHOT_MAX_HEIGHT") or MAX_HEIGHT_PX),
                   tile_px=max(256, int(env.get("SMA_SCREENSHOT_TILE_HEIGHT") or TILE_PX)))


async def full_page_png(page: Any, limit_events: list[dict[str, Any]] | None = None,
                        limits: ScreenshotLimits | None = None) -> bytes:
    """A PNG of the whole page, or of its top `max_height_px` with the cut noted in `limit_events`."""
    limits = limits or ScreenshotLimits.from_env()
    _, height = await page.evaluate(_PAGE_SIZE_JS)
    shown = height if limits.max_height_px <= 0 else min(height, limits.max_height_px)
    if shown < height and limit_events is not None:
        limit_events.append({"setting": "SMA_SCREENSHOT_MAX_HEIGHT", "value": limits.max_height_px,
                             "note": f"the page is {height:,} px tall; its screenshot shows the top {shown:,} px "
                                     "(the DOM, text and responses are archived whole)"})
    if height <= limits.single_shot_px:
        return await page.screenshot(full_page=True, type="png", timeout=limits.timeout_ms)
    return await _tiled(page, shown, limits)


async def _tiled(page: Any, height: int, limits: ScreenshotLimits) -> bytes:
    viewport = page.viewport_size
    if viewport is None:  # a context without a fixed viewport: the window's own size
        inner = await page.evaluate("() => [window.innerWidth, window.innerHeight]")
        viewport = {"width": inner[0], "height": inner[1]}
    scroll_y = await page.evaluate("() => window.scrollY")
    tile_px = min(limits.tile_px, height)

    async def shoot(top: int) -> tuple[Image.Image, int]:
        at = await page.evaluate(_SCROLL_TO_SETTLED_JS, [top, MEDIA_WAIT_MS])
        png = await page.screenshot(type="png", timeout=limits.timeout_ms)
        image = Image.open(io.BytesIO(png))
        image.load()
        return (image if image.mode == "RGB" else image.convert("RGB")), int(round(at))

    await page.set_viewport_size({"width": viewport["width"], "height": tile_px})
    try:
        image, at = await shoot(0)
        scale = image.height / tile_px  # device pixels per CSS pixel
        out = RowsPng(image.width, int(round(height * scale)))
        top = 0
        while True:
            # The window cannot scroll past the page's end: the last tile starts higher, and
            # its rows above `top` were already taken from the tile before.
            skip = int(round((top - at) * scale))
            out.add(image, skip)
            top += tile_px
            if top >= height or out.full:
                break
            image, at = await shoot(top)  # the tile before is dropped: one tile in memory
        return out.finish()
    finally:
        await page.set_viewport_size(viewport)
        await page.evaluate(_SCROLL_TO_JS, scroll_y)


class RowsPng:
    """An RGB PNG written row by row as tiles come in (rows unfiltered, zlib level 1, as the
    access copy's covered screenshots): what is held is the compressed stream and one tile."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rows = 0
        self._zlib = zlib.compressobj(ZLIB_LEVEL)
        self._data: list[bytes] = []

    @property
    def full(self) -> bool:
        return self.rows >= self.height

    def add(self, image: Image.Image, skip: int = 0) -> None:
        """The tile's rows from `skip` on, as many as the PNG still takes (a wider tile is cut)."""
        stride = image.width * 3
        keep = min(stride, self.width * 3)
        pixels = image.tobytes()
        white = b"\xff" * (self.width * 3 - keep)
        block: list[bytes] = []
        for y in range(max(0, skip), image.height):
            if self.rows >= self.height:
                break
            block += (b"\x00", pixels[y * stride:y * stride + keep], white)
            self.rows += 1
        self._data.append(self._zlib.compress(b"".join(block)))

    def finish(self) -> bytes:
        # A page that shrank while it was shot ends in white rather than in a short, broken PNG.
        white = b"\x00" + b"\xff" * (self.width * 3)
        while self.rows < self.height:
            self._data.append(self._zlib.compress(white))
            self.rows += 1
        self._data.append(self._zlib.flush())
        data = b"".join(self._data)
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        idat = [_chunk(b"IDAT", data[i:i + _IDAT_BYTES]) for i in range(0, len(data), _IDAT_BYTES)]
        return _SIGNATURE + _chunk(b"IHDR", header) + b"".join(idat) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))
