"""Image work for the access derivative: covering PII boxes in screenshots, the neutral avatar."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from PIL import Image, ImageDraw

# Opaque mid-grey: clearly a redaction to a reader, never mistaken for page content.
FILL = (96, 96, 96)
# Boxes from getClientRects hug the glyphs; a small margin also hides descenders and anti-aliasing.
PADDING = 2
# zlib level of the covered screenshot: a full-page PNG (1280 x 16,000) costs about half the CPU at 3
# that it costs at the default 6, for ~10% more bytes; the access copy is written for every crawl.
COMPRESS_LEVEL = 3


def _neutral_avatar(size: int = 96) -> bytes:
    """A plain light-grey disc on white: the same for every third party, so it identifies no one."""
    image = Image.new("RGB", (size, size), (255, 255, 255))
    ImageDraw.Draw(image).ellipse((0, 0, size - 1, size - 1), fill=(200, 200, 200))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


NEUTRAL_AVATAR = _neutral_avatar()


def cover_boxes(png: bytes, boxes: Iterable[dict[str, Any]]) -> bytes:
    """The screenshot with every box filled; boxes are page coordinates at device scale 1."""
    boxes = list(boxes)
    if not boxes or not png:
        return png
    image = Image.open(io.BytesIO(png))  # reads the header only
    width, height = image.size
    if any(b["x"] <= 0 and b["y"] <= 0 and b["x"] + b["width"] >= width and b["y"] + b["height"] >= height
           for b in boxes):  # covered whole (a page without capture facts): no need to decode it
        out = io.BytesIO()
        Image.new("RGB", (width, height), FILL).save(out, format="PNG", compress_level=COMPRESS_LEVEL)
        return out.getvalue()
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
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=COMPRESS_LEVEL)
    return out.getvalue()
