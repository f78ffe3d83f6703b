"""The YouTube skin under /youtube: a channel's video grid, watch pages and the InnerTube-like
JSON API their JS uses.

Pages:  /youtube/  /youtube/@<handle> (302 to .../videos)  /youtube/@<handle>/videos
        /youtube/watch?v=<video id>
Media:  /youtube/ggpht/<digest>.png (avatars)  /youtube/banner/<digest>.png
        /youtube/vi/<video id>/hqdefault.png  /youtube/videoplayback/<video id>.webm (Range)
API:    /youtube/youtubei/v1/browse?channelId=<id>[&continuation=<token>]   video grid, 24/page
        /youtube/youtubei/v1/next?videoId=<id>[&continuation=<token>]       top-level comments
        /youtube/youtubei/v1/replies?videoId=<id>&commentId=<id>[&continuation=<token>]
Like YouTube, comments show one reply level: every deeper reply is listed (flattened, in thread
order) under its top-level comment, and the watch page's HTML carries no comments at all.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any

from demo_platform import media
from demo_platform.model import Account, Comment, Person, Post, World, iso
from demo_platform.skins import youtube_html as ui
from demo_platform.skins.assets import HANDLE, SkinAssets, clip_response, flattened, number_nl, png
from demo_platform.skins.base import Skin
from demo_platform.web import PNG, Request, Response, binary, json_response, page, redirect

GRID_PAGE, COMMENT_PAGE, REPLY_PAGE = 24, 6, 5


def ago(now: datetime, then: datetime) -> str:
    """YouTube's relative dates, in Dutch: '3 dagen geleden'."""
    seconds = max(0, int((now - then).total_seconds()))
    for size, one, many in ((31_536_000, "jaar", "jaar"), (2_592_000, "maand", "maanden"),
                            (604_800, "week", "weken"), (86_400, "dag", "dagen"),
                            (3_600, "uur", "uur"), (60, "minuut", "minuten")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {one if n == 1 else many} geleden"
    return "zojuist"


def views(post: Post) -> int:
    return post.favourites * 37 + post.boosts * 11 + 120


def token(kind: str, target: str, offset: int) -> str:
    """An opaque continuation token, as YouTube's are (base64 of the position)."""
    return base64.urlsafe_b64encode(f"{kind}:{target}:{offset}".encode()).decode().rstrip("=")


def untoken(value: str | None, kind: str, target: str) -> int | None:
    """Offset of a continuation token for (kind, target); 0 without a token; None if bad."""
    if not value:
        return 0
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    match = re.fullmatch(r"([a-z]+):(\d+):(\d+)", raw)
    if not match or match[1] != kind or match[2] != target:
        return None
    return int(match[3])


class YouTubeSkin(Skin):
    name = "youtube"
    prefix = "/youtube"
    official = (("ministerie-demo", "Ministerie van Demo", 64),)
    comment_api = r"/youtube/youtubei/v1/(next|replies)"
    accent = "#065fd4"

    def __init__(self) -> None:
        self.assets = SkinAssets(self.name, self.prefix)

    def profile_url(self, base_url: str, account: Account) -> str:
        return f"{base_url}{self.prefix}/@{account.handle}/videos"

    def post_url(self, base_url: str, account: Account, post: Post) -> str:
        return f"{base_url}{self.prefix}/watch?v={post.id}"

    def not_found(self, request: Request) -> Response:
        if "/youtubei/" in request.path:
            return json_response({"error": {"code": 404, "status": "NOT_FOUND"}}, 404,
                                 cache="error")
        return page(ui.not_found_page(), 404)

    # --- routing ------------------------------------------------------------------------
    def handle(self, request: Request) -> Response | None:
        path, world = request.path[len(self.prefix):] or "/", request.world
        if path == "/":
            return page(ui.landing_page(self.accounts(world)))
        if match := re.fullmatch(rf"/@({HANDLE})/?", path):
            if world.account(self.name, match[1]) is None:
                return None
            return redirect(f"{self.prefix}/@{match[1]}/videos")
        if match := re.fullmatch(rf"/@({HANDLE})/videos/?", path):
            account = world.account(self.name, match[1])
            if account is None:
                return None
            banner = self.assets.digest(world, "banner", account.handle)
            return page(ui.channel_page(account, self.avatar(world, account.handle),
                                        f"{self.prefix}/banner/{banner}.png"))
        if path == "/watch":
            post = self._post(world, request.arg("v"))
            if post is None:
                return None
            return page(ui.watch_page(post, self.avatar(world, post.account.handle),
                                      ago(world.now, post.created_at), views(post),
                                      edited_at=iso(post.edited_at) if post.edited_at else None))
        if path.startswith("/youtubei/v1/"):
            return self._api(request, path[len("/youtubei/v1/"):])
        return self._media(world, path)

    def _post(self, world: World, video_id: str | None) -> Post | None:
        found = world.status(self.name, video_id or "") if video_id else None
        return found if isinstance(found, Post) else None

    # --- media --------------------------------------------------------------------------
    def avatar(self, world: World, handle: str) -> str:
        return f"{self.prefix}/ggpht/{self.assets.digest(world, 'avatar', handle)}.png"

    def _media(self, world: World, path: str) -> Response | None:
        if match := re.fullmatch(r"/(ggpht|banner)/([0-9a-f]{16})\.png", path):
            kind = "avatar" if match[1] == "ggpht" else "banner"
            known = self.assets.known(world, kind, match[2], citizens=kind == "avatar")
            return png(kind, match[2]) if known else None
        if match := re.fullmatch(r"/vi/(\d+)/hqdefault\.png", path):
            post = self._post(world, match[1])
            return binary(media.post_image_png(f"youtube/{post.id}", 400), PNG) if post else None
        if match := re.fullmatch(r"/videoplayback/(\d+)\.webm", path):
            return clip_response() if self._post(world, match[1]) else None
        return None

    # --- JSON API -----------------------------------------------------------------------
    def _api(self, request: Request, endpoint: str) -> Response | None:
        world = request.world
        if endpoint == "browse":
            account = world.account_by_id(self.name, request.arg("channelId", "") or "")
            if not isinstance(account, Account):
                return None
            return self._browse(request, account)
        post = self._post(world, request.arg("videoId"))
        if post is None:
            return None
        if endpoint == "next":
            return self._comments(request, post)
        if endpoint == "replies":
            top = world.status(self.name, request.arg("commentId", "") or "")
            if not isinstance(top, Comment) or top.post_id != post.id or top.parent is not None:
                return None
            return self._replies(request, post, top)
        return None

    def _bad_token(self) -> Response:
        return json_response({"error": {"code": 400, "status": "INVALID_ARGUMENT",
                                        "message": "Ongeldige continuation."}}, 400, cache="error")

    def _browse(self, request: Request, account: Account) -> Response:
        offset = untoken(request.arg("continuation"), "browse", account.id)
        if offset is None:
            return self._bad_token()
        posts = account.live_posts()
        chunk = posts[offset:offset + GRID_PAGE]
        more = offset + GRID_PAGE < len(posts)
        world = request.world
        return json_response({
            "channelId": account.id,
            "items": [{
                "videoId": p.id,
                "title": p.text,
                "url": f"{self.prefix}/watch?v={p.id}",
                "thumbnail": f"{self.prefix}/vi/{p.id}/hqdefault.png",
                "lengthText": "0:02",
                "viewCount": views(p),
                "publishedTimeText": ago(world.now, p.created_at),
                "commentCount": len(p.live_comments()),
            } for p in chunk],
            "continuation": token("browse", account.id, offset + GRID_PAGE) if more else None,
        })

    def _comments(self, request: Request, post: Post) -> Response:
        offset = untoken(request.arg("continuation"), "next", post.id)
        if offset is None:
            return self._bad_token()
        tops = post.children(None)
        chunk = tops[offset:offset + COMMENT_PAGE]
        more = offset + COMMENT_PAGE < len(tops)
        total = len(post.live_comments())
        data: dict[str, Any] = {
            "videoId": post.id,
            "comments": [self.comment_json(request.world, post, c) for c in chunk],
            "continuation": token("next", post.id, offset + COMMENT_PAGE) if more else None,
        }
        if offset == 0:
            # The header comes with the first batch: the thread's total, replies included.
            data["header"] = {"count": total, "countText": f"{number_nl(total)} reacties"}
        return json_response(data)

    def _replies(self, request: Request, post: Post, top: Comment) -> Response:
        offset = untoken(request.arg("continuation"), "replies", top.id)
        if offset is None:
            return self._bad_token()
        flat = flattened(post, top)
        chunk = flat[offset:offset + REPLY_PAGE]
        more = offset + REPLY_PAGE < len(flat)
        return json_response({
            "commentId": top.id,
            "replies": [self.comment_json(request.world, post, c) for c in chunk],
            "continuation": token("replies", top.id, offset + REPLY_PAGE) if more else None,
        })

    def comment_json(self, world: World, post: Post, comment: Comment) -> dict[str, Any]:
        author: Person = comment.author
        data: dict[str, Any] = {
            "commentId": comment.id,
            "content": comment.text,  # plain text; the client escapes it
            "author": {"displayName": f"@{author.handle}", "channelName": author.name,
                       "avatar": self.avatar(world, author.handle)},
            "publishedTimeText": ago(world.now, comment.created_at),
            "likeCount": int(comment.id) % 23,
            "replyLevel": 0 if comment.parent is None else 1,
        }
        if comment.parent is None:
            data["replyCount"] = len(flattened(post, comment))
        if comment.edited_at:  # only on edited comments: unedited ones keep their exact shape
            data["editedAt"] = iso(comment.edited_at)
        return data
