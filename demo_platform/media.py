"""Deterministic PNG images (avatars, headers, post illustrations) with a tiny stdlib encoder.

Pictures are drawn row by row from horizontal spans (rectangles, circles, gradients), which is
fast enough in pure Python for 1200 px wide images. Everything derives from a key string, so the
same URL always yields the same bytes; results are memoised because crawls fetch them repeatedly.
"""

from __future__ import annotations

import hashlib
import math
import struct
import zlib
from functools import lru_cache
from pathlib import Path

RGB = tuple[int, int, int]
STATIC_DIR = Path(__file__).with_name("static")
IMAGE_WIDTHS = (400, 1200)  # the srcset candidates of post images
PALETTE: tuple[RGB, ...] = (
    (99, 100, 255), (86, 58, 204), (0, 140, 186), (22, 163, 74), (234, 88, 12),
    (220, 38, 38), (202, 138, 4), (13, 148, 136), (219, 39, 119), (71, 85, 105),
)


def encode_png(width: int, height: int, rows: list[bytes]) -> bytes:
    """8-bit RGB PNG, filter type 0 on every row; zlib level 9 keeps flat art tiny."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


class Canvas:
    """Shapes are recorded, then rasterised one row at a time by slicing bytearrays."""

    def __init__(self, width: int, height: int, top: RGB, bottom: RGB | None = None) -> None:
        self.width, self.height = width, height
        self.top, self.bottom = top, bottom or top
        self.shapes: list[tuple[str, tuple[float, ...], RGB]] = []

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: RGB) -> None:
        self.shapes.append(("rect", (x0, y0, x1, y1), color))

    def circle(self, cx: float, cy: float, r: float, color: RGB) -> None:
        self.shapes.append(("circle", (cx, cy, r), color))

    def _span(self, kind: str, geo: tuple[float, ...], y: int) -> tuple[int, int] | None:
        if kind == "rect":
            x0, y0, x1, y1 = geo
            return (round(x0), round(x1)) if y0 <= y < y1 else None
        cx, cy, r = geo
        dy = y + 0.5 - cy
        if abs(dy) >= r:
            return None
        dx = math.sqrt(r * r - dy * dy)
        return round(cx - dx), round(cx + dx)

    def png(self) -> bytes:
        rows = []
        for y in range(self.height):
            t = y / max(1, self.height - 1)
            bg = bytes(round(a + (b - a) * t) for a, b in zip(self.top, self.bottom, strict=True))
            row = bytearray(bg * self.width)
            for kind, geo, color in self.shapes:
                span = self._span(kind, geo, y)
                if span:
                    x0, x1 = max(0, span[0]), min(self.width, span[1])
                    if x1 > x0:
                        row[x0 * 3:x1 * 3] = bytes(color) * (x1 - x0)
            rows.append(bytes(row))
        return encode_png(self.width, self.height, rows)


def _bytes_of(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def _shade(color: RGB, factor: float) -> RGB:
    r, g, b = (min(255, max(0, round(c * factor))) for c in color)
    return (r, g, b)


@lru_cache(maxsize=256)
def avatar_png(key: str, size: int = 120) -> bytes:
    """A symmetric 5x5 identicon, the classic look of a default avatar."""
    h = _bytes_of(key)
    fg = PALETTE[h[0] % len(PALETTE)]
    canvas = Canvas(size, size, (240, 240, 245))
    cell = size / 6
    pad = cell / 2
    for row in range(5):
        for col in range(3):
            if h[1 + row * 3 + col] & 1:
                for c in {col, 4 - col}:
                    canvas.rect(pad + c * cell, pad + row * cell,
                                pad + (c + 1) * cell, pad + (row + 1) * cell, fg)
    return canvas.png()


@lru_cache(maxsize=64)
def header_png(key: str, width: int = 1200, height: int = 400) -> bytes:
    """Profile header banner: a gradient with soft circles."""
    h = _bytes_of(key)
    base = PALETTE[h[0] % len(PALETTE)]
    canvas = Canvas(width, height, _shade(base, 0.55), _shade(base, 1.1))
    for i in range(6):
        r = height * (0.15 + h[i + 1] / 255 * 0.35)
        canvas.circle(width * h[i + 7] / 255, height * h[i + 13] / 255, r,
                      _shade(base, 0.7 + i * 0.08))
    return canvas.png()


@lru_cache(maxsize=128)
def post_image_png(key: str, width: int) -> bytes:
    """A 16:9 'infographic': sky gradient, a sun, bars of a chart and a ground band.

    Both srcset widths draw the same picture at a different scale."""
    h = _bytes_of(key)
    height = width * 9 // 16
    base = PALETTE[h[0] % len(PALETTE)]
    accent = PALETTE[h[1] % len(PALETTE)]
    canvas = Canvas(width, height, _shade(base, 1.35), _shade(base, 0.85))
    s = width / 400
    canvas.circle((60 + h[2] % 280) * s, (40 + h[3] % 40) * s, (18 + h[4] % 20) * s,
                  (250, 204, 21))
    bars = 4 + h[5] % 5
    bar_w = 260 / bars
    for i in range(bars):
        top = 90 + h[6 + i] % 90
        canvas.rect((70 + i * bar_w) * s, top * s, (70 + (i + 0.7) * bar_w) * s, 200 * s,
                    _shade(accent, 0.8 + (i % 3) * 0.15))
    canvas.rect(0, 200 * s, width, height, _shade(base, 0.5))
    return canvas.png()


def favicon_png() -> bytes:
    return avatar_png("favicon", 32)


def static_file(name: str) -> bytes | None:
    """A file shipped in demo_platform/static (names are validated by the caller)."""
    path = STATIC_DIR / name
    return path.read_bytes() if path.is_file() else None
