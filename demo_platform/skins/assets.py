"""Media every skin serves under its own prefix, plus small helpers the skins share.

`SkinAssets.serve` handles the common scheme (URLs relative to the skin prefix):
  /avatars/<handle>              302 to /media/avatars/<digest>.png (a redirect hop on purpose)
  /media/avatars/<digest>.png    /media/headers/<digest>.png   content-addressed like a CDN's
  /media/<key>-400.png, -1200.png post images      /media/clip.webm  the video (Range)
Post images are either the generator's `Media` images or extra "cards" a skin derives from a
post (Instagram needs a picture for every post); `image_keys` names both. Skins with their own
URL scheme (YouTube, TikTok) build on `digest`, `known`, `png` and `clip_response`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from demo_platform import media
from demo_platform.model import Account, Comment, Person, Post, World
from demo_platform.web import PNG, WEBM, Response, binary, redirect

HANDLE = r"[A-Za-z0-9_.-]+"


def number_nl(value: int) -> str:
    """12873 -> '12.873' (Dutch thousands separator)."""
    return f"{value:,}".replace(",", ".")


def post_index(post: Post) -> int:
    """The post's place in the day-0 timeline (clock posts: -1, -2, ...), stable when new
    posts appear on top."""
    return post.ordinal


def flattened(post: Post, top: Comment) -> list[Comment]:
    """All descendants of a top-level comment, in thread (depth-first) order."""
    under, found = {top.id}, []
    for comment in post.live_comments():
        if comment.parent in under:
            under.add(comment.id)
            found.append(comment)
    return found


def png(kind: str, digest: str) -> Response:
    """An avatar ("avatar") or banner (any other kind) drawn from its digest."""
    draw = media.avatar_png if kind == "avatar" else media.header_png
    return binary(draw(digest), PNG)


def clip_response() -> Response | None:
    data = media.static_file("clip.webm")
    return binary(data, WEBM) if data else None


class SkinAssets:
    """Avatars, banners, post images and the clip for one skin, under its prefix."""

    def __init__(self, skin: str, prefix: str,
                 extra_keys: Callable[[World, Post], Iterable[str]] | None = None) -> None:
        self.skin, self.prefix, self.extra_keys = skin, prefix, extra_keys

    def digest(self, world: World, kind: str, handle: str) -> str:
        return world.generator.digest(f"{self.skin}/{kind}/{handle}", 16)

    def who(self, world: World, handle: str) -> Account | Person | None:
        return world.account(self.skin, handle) or world.citizen(handle)

    def handles(self, world: World, citizens: bool = True) -> list[str]:
        accounts = [a.handle for a in world.accounts.get(self.skin, {}).values()]
        return accounts + [p.handle for p in world.citizens] if citizens else accounts

    def known(self, world: World, kind: str, digest: str, citizens: bool = True) -> bool:
        return digest in {self.digest(world, kind, h) for h in self.handles(world, citizens)}

    def avatar(self, world: World, who: Account | Person) -> str:
        return f"{self.prefix}/media/avatars/{self.digest(world, 'avatar', who.handle)}.png"

    def header(self, world: World, who: Account | Person) -> str:
        return f"{self.prefix}/media/headers/{self.digest(world, 'header', who.handle)}.png"

    def image(self, key: str, width: int) -> str:
        return f"{self.prefix}/media/{key}-{width}.png"

    def clip(self) -> str:
        return f"{self.prefix}/media/clip.webm"

    def image_keys(self, world: World) -> set[str]:
        keys: set[str] = set()
        for account in world.accounts.get(self.skin, {}).values():
            for post in account.posts:
                keys.update(m.key for m in post.media if m.kind == "image")
                if self.extra_keys is not None:
                    keys.update(self.extra_keys(world, post))
        return keys

    def serve(self, world: World, path: str) -> Response | None:
        """A response for `path` relative to the prefix ("/avatars/x", "/media/..."), or None."""
        if match := re.fullmatch(rf"/avatars/({HANDLE})", path):
            if not self.who(world, match[1]):
                return None
            digest = self.digest(world, "avatar", match[1])
            return redirect(f"{self.prefix}/media/avatars/{digest}.png")
        if match := re.fullmatch(r"/media/(avatars|headers)/([0-9a-f]{16})\.png", path):
            kind = match[1][:-1]
            return png(kind, match[2]) if self.known(world, kind, match[2]) else None
        if match := re.fullmatch(r"/media/([0-9a-f]{12})-(\d+)\.png", path):
            width = int(match[2])
            if width not in media.IMAGE_WIDTHS or match[1] not in self.image_keys(world):
                return None
            return binary(media.post_image_png(match[1], width), PNG)
        if path == "/media/clip.webm":
            return clip_response()
        return None
