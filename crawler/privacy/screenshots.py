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
    image = Image.open(io.BytesIO(png))
    image.load()
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    width, height = image.size
    for box in boxes:
        left = max(0, int(box["x"]) - PADDING)
        top = max(0, int(box["y"]) - PADDING)
        right = min(width, int(box["x"] + box["width"]) + PADDING + 1)
        bottom = min(height, int(box["y"] + box["height"]) + PADDING + 1)
        if right > left and bottom > top:
            draw.rectangle((left, top, right - 1, bottom - 1), fill=FILL)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
