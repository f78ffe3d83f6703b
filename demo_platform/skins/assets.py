"""Media a prefixed skin serves under its own prefix (avatars, post images, the clip).

Used by the Instagram and LinkedIn skins; URLs are content-addressed like a CDN's:
    <prefix>/media/avatars/<digest>.png   <prefix>/media/<key>-400.png (and -1200)
    <prefix>/media/clip.webm (Range)
Post images are either the generator's `Media` images or extra "cards" a skin derives from a
post id (Instagram needs a picture for every post); `image_keys` names both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from demo_platform import media
from demo_platform.model import Account, Person, Post, World
from demo_platform.web import PNG, WEBM, Response, binary


class SkinAssets:
    def __init__(self, skin: str, prefix: str,
                 extra_keys: Callable[[World, Post], Iterable[str]] | None = None) -> None:
        self.skin = skin
        self.prefix = prefix
        self.extra_keys = extra_keys

    def digest(self, world: World, kind: str, handle: str) -> str:
        return world.generator.digest(f"{self.skin}/{kind}/{handle}", 16)

    def avatar(self, world: World, who: Account | Person) -> str:
        return f"{self.prefix}/media/avatars/{self.digest(world, 'avatar', who.handle)}.png"

    def header(self, world: World, who: Account | Person) -> str:
        return f"{self.prefix}/media/headers/{self.digest(world, 'header', who.handle)}.png"

    def image(self, key: str, width: int) -> str:
        return f"{self.prefix}/media/{key}-{width}.png"

    def clip(self) -> str:
        return f"{self.prefix}/media/clip.webm"

    def _handles(self, world: World) -> list[str]:
        accounts = world.accounts.get(self.skin, {}).values()
        return [a.handle for a in accounts] + [p.handle for p in world.citizens]

    def image_keys(self, world: World) -> set[str]:
        keys: set[str] = set()
        for account in world.accounts.get(self.skin, {}).values():
            for post in account.posts:
                keys.update(m.key for m in post.media if m.kind == "image")
                if self.extra_keys is not None:
                    keys.update(self.extra_keys(world, post))
        return keys

    def serve(self, world: World, path: str) -> Response | None:
        """A response for `<prefix>/media/...`, or None."""
        rest = path[len(self.prefix):]
        if match := re.fullmatch(r"/media/(avatars|headers)/([0-9a-f]{16})\.png", rest):
            kind = match[1][:-1]
            if match[2] not in {self.digest(world, kind, h) for h in self._handles(world)}:
                return None
            draw = media.avatar_png if kind == "avatar" else media.header_png
            return binary(draw(match[2]), PNG)
        if match := re.fullmatch(r"/media/([0-9a-f]{12})-(\d+)\.png", rest):
            width = int(match[2])
            if width not in media.IMAGE_WIDTHS or match[1] not in self.image_keys(world):
                return None
            return binary(media.post_image_png(match[1], width), PNG)
        if rest == "/media/clip.webm":
            data = media.static_file("clip.webm")
            return binary(data, WEBM) if data else None
        return None
