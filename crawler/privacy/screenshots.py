"""Image work for the access derivative: covering PII boxes in screenshots, the neutral avatar."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterable
from typing import Any

from PIL import Image, ImageDraw

# Opaque mid-grey: clearly a redaction to a reader, never mistaken for page content.
FILL = (96, 96, 96)
# Boxes from getClientRects hug the glyphs; a small margin also hides descenders and anti-aliasing.
PADDING = 2
# zlib level of the covered screenshot's pixel rows (see _png).
ZLIB_LEVEL = 1
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ROWS_PER_BLOCK = 256  # rows handed to zlib at once: bounded copies of a 16,000-row page
_IDAT_BYTES = 1 << 20  # compressed bytes per IDAT chunk


def _neutral_avatar(size: int = 96) -> bytes:
    """A plain light-grey disc on white: the same for every third party, so it identifies no one."""
    image = Image.new("RGB", (size, size), (255, 255, 255))
    ImageDraw.Draw(image).ellipse((0, 0, size - 1, size - 1), fill=(200, 200, 200))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


NEUTRAL_AVATAR = _neutral_avatar()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def _png(width: int, height: int, mode: str, rows: Iterable[bytes]) -> bytes:
    """An 8-bit RGB/RGBA PNG of the given pixel rows, every row unfiltered, zlib level 1.

    Pillow's encoder tries every PNG filter on every row to pick one: on a full-page screenshot
    that costs more CPU than decoding and compressing together. A page's flat colours and text
    compress at least as small unfiltered (65 Mastodon screenshots: 15.6 MB against Pillow's
    17.4 MB at level 1), at about half the CPU of Pillow's save."""
    compressor = zlib.compressobj(ZLIB_LEVEL)
    compressed: list[bytes] = []
    block: list[bytes] = []
    for row in rows:
        block += (b"\x00", row)  # filter type 0: the row as it is
        if len(block) >= 2 * _ROWS_PER_BLOCK:
            compressed.append(compressor.compress(b"".join(block)))
            block = []
    compressed.append(compressor.compress(b"".join(block)))
    compressed.append(compressor.flush())
    data = b"".join(compressed)
    header = struct.pack(">IIBBBBB", width, height, 8, 2 if mode == "RGB" else 6, 0, 0, 0)
    idat = [_chunk(b"IDAT", data[i:i + _IDAT_BYTES]) for i in range(0, len(data), _IDAT_BYTES)] or [
        _chunk(b"IDAT", data)]
    return _SIGNATURE + _chunk(b"IHDR", header) + b"".join(idat) + _chunk(b"IEND", b"")


def cover_boxes(png: bytes, boxes: Iterable[dict[str, Any]]) -> bytes:
    """The screenshot with every box filled; boxes are page coordinates at device scale 1."""
    boxes = list(boxes)
    if not boxes or not png:
        return png
    image = Image.open(io.BytesIO(png))  # reads the header only
    width, height = image.size
    if any(b["x"] <= 0 and b["y"] <= 0 and b["x"] + b["width"] >= width and b["y"] + b["height"] >= height
           for b in boxes):  # covered whole (a page without capture facts): no need to decode it
        grey = bytes(FILL) * width
        return _png(width, height, "RGB", (grey for _ in range(height)))
    image.load()
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    for box in boxes:
        left = max(0, int(box["x"]) - PADDING)
        top = max(0, int(box["y"]) - PADDING)
        right = min(width, int(box["x"] + box["width"]) + PADDING + 1)
        bottom = min(height, int(box["y"] + box["height"]) + PADDING + 1)
        if right > left and bottom > top:
            draw.rectangle((left, top, right - 1, bottom - 1), fill=FILL)
    if image.info.get("icc_profile"):  # a colour profile to carry over: Pillow's encoder writes it
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=ZLIB_LEVEL)
        return out.getvalue()
    pixels = memoryview(image.tobytes())
    stride = width * len(image.mode)
    return _png(width, height, image.mode, (pixels[y * stride:(y + 1) * stride] for y in range(height)))
