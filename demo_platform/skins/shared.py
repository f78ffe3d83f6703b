"""Pieces the X and Facebook skins share: media routes under a skin prefix and small helpers.

Media URLs (relative to the skin prefix):
  /avatars/<handle>              302 to /media/avatars/<digest>.png (a redirect hop on purpose)
  /media/headers/<digest>.png    profile banners
  /media/<key>-400.png, -1200.png post images      /media/clip.webm  the video (Range)
"""

from __future__ import annotations

import re

from demo_platform import media
from demo_platform.model import Account, Person, Post, World
from demo_platform.web import PNG, WEBM, Response, binary, redirect

HANDLE = r"[A-Za-z0-9_.-]+"


def number_nl(value: int) -> str:
    """12873 -> '12.873' (Dutch thousands separator)."""
    return f"{value:,}".replace(",", ".")


def post_index(post: Post) -> int:
    return post.account.posts.index(post)


class MediaRoutes:
    """Avatars, banners, post images and the clip for one skin, under its prefix."""

    def __init__(self, skin: str, prefix: str) -> None:
        self.skin, self.prefix = skin, prefix

    def digest(self, world: World, kind: str, handle: str) -> str:
        return world.generator.digest(f"{self.skin}/{kind}/{handle}", 16)

    def who(self, world: World, handle: str) -> Account | Person | None:
        return world.account(self.skin, handle) or world.citizen(handle)

    def header_src(self, world: World, handle: str) -> str:
        return f"{self.prefix}/media/headers/{self.digest(world, 'header', handle)}.png"

    def _handles(self, world: World) -> list[str]:
        return list(world.accounts.get(self.skin, {})) + [p.handle for p in world.citizens]

    def _image_keys(self, world: World) -> set[str]:
        return {m.key for a in world.accounts.get(self.skin, {}).values() for p in a.posts
                for m in p.media if m.kind == "image"}

    def handle(self, world: World, path: str) -> Response | None:
        """`path` is relative to the prefix ("/avatars/x", "/media/...")."""
        if match := re.fullmatch(rf"/avatars/({HANDLE})", path):
            if not self.who(world, match[1]):
                return None
            digest = self.digest(world, "avatar", match[1])
            return redirect(f"{self.prefix}/media/avatars/{digest}.png")
        if match := re.fullmatch(r"/media/(avatars|headers)/([0-9a-f]{16})\.png", path):
            kind = match[1][:-1]
            if match[2] not in {self.digest(world, kind, h) for h in self._handles(world)}:
                return None
            draw = media.avatar_png if kind == "avatar" else media.header_png
            return binary(draw(match[2]), PNG)
        if match := re.fullmatch(r"/media/([0-9a-f]{12})-(\d+)\.png", path):
            width = int(match[2])
            if width not in media.IMAGE_WIDTHS or match[1] not in self._image_keys(world):
                return None
            return binary(media.post_image_png(match[1], width), PNG)
        if path == "/media/clip.webm":
            data = media.static_file("clip.webm")
            return binary(data, WEBM) if data else None
        return None
