"""The TikTok skin under /tiktok: a profile's video grid, video pages with a comment panel, and
the web API their JS uses.

Pages:  /tiktok/  /tiktok/@<handle>  /tiktok/@<handle>/video/<video id>
Media:  /tiktok/avatar/<digest>.png  /tiktok/cover/<video id>.png  /tiktok/video/<video id>.webm
API:    /tiktok/api/post/item_list/?secUid=<id>&cursor=<ms>&count=<n>    cursor = createTime (ms)
        /tiktok/api/comment/list/?aweme_id=<id>&cursor=<offset>&count=<n>
        /tiktok/api/comment/list/reply/?item_id=<id>&comment_id=<cid>&cursor=<offset>&count=<n>
Like TikTok, a thread has two levels: level-1 comments and, under each, every deeper reply
flattened into level 2 (with "reply to" whom). The video page's HTML carries no comments; the
panel opens with the comment button, and replies arrive with "N antwoorden weergeven" clicks.
"""

from __future__ import annotations

import re
from typing import Any

from demo_platform import media
from demo_platform.model import Account, Comment, Post, World
from demo_platform.skins import tiktok_html as ui
from demo_platform.skins.assets import HANDLE, SkinAssets, clip_response, flattened, png
from demo_platform.skins.base import Skin
from demo_platform.web import PNG, Request, Response, binary, json_response, page

MAX_COUNT = 50
DEFAULT_COUNTS = {"posts": 30, "comments": 10, "replies": 3}


def ms(post: Post) -> int:
    return int(post.created_at.timestamp() * 1000)


class TikTokSkin(Skin):
    name = "tiktok"
    prefix = "/tiktok"
    official = (("ministerie-demo", "Ministerie van Demo", 64),)
    comment_api = r"/tiktok/api/comment/list/(reply/)?"
    accent = "#fe2c55"

    def __init__(self) -> None:
        self.assets = SkinAssets(self.name, self.prefix)

    def profile_url(self, base_url: str, account: Account) -> str:
        return f"{base_url}{self.prefix}/@{account.handle}"

    def post_url(self, base_url: str, account: Account, post: Post) -> str:
        return f"{base_url}{self.prefix}/@{account.handle}/video/{post.id}"

    def not_found(self, request: Request) -> Response:
        if request.path.startswith(f"{self.prefix}/api/"):
            return json_response({"status_code": 10201, "status_msg": "Niet gevonden"}, 404,
                                 cache="error")
        return page(ui.not_found_page(), 404)

    # --- routing ------------------------------------------------------------------------
    def handle(self, request: Request) -> Response | None:
        path, world = request.path[len(self.prefix):] or "/", request.world
        if path == "/":
            return page(ui.landing_page(self.accounts(world)))
        if match := re.fullmatch(rf"/@({HANDLE})/?", path):
            account = world.account(self.name, match[1])
            return page(ui.profile_page(account, self.avatar(world, account.handle))) \
                if account else None
        if match := re.fullmatch(rf"/@({HANDLE})/video/(\d+)/?", path):
            post = self._post(world, match[2])
            if post is None or post.account.handle != match[1]:
                return None
            return page(ui.video_page(post, self.avatar(world, post.account.handle),
                                      len(post.live_comments())))
        if path.startswith("/api/"):
            return self._api(request, path[len("/api"):])
        return self._media(world, path)

    def _post(self, world: World, video_id: str | None) -> Post | None:
        found = world.status(self.name, video_id) if video_id else None
        return found if isinstance(found, Post) else None

    # --- media --------------------------------------------------------------------------
    def avatar(self, world: World, handle: str) -> str:
        return f"{self.prefix}/avatar/{self.assets.digest(world, 'avatar', handle)}.png"

    def _media(self, world: World, path: str) -> Response | None:
        if match := re.fullmatch(r"/avatar/([0-9a-f]{16})\.png", path):
            return png("avatar", match[1]) if self.assets.known(world, "avatar", match[1]) else None
        if match := re.fullmatch(r"/cover/(\d+)\.png", path):
            post = self._post(world, match[1])
            return binary(media.post_image_png(f"tiktok/{post.id}", 400), PNG) if post else None
        if match := re.fullmatch(r"/video/(\d+)\.webm", path):
            return clip_response() if self._post(world, match[1]) else None
        return None

    # --- JSON API -----------------------------------------------------------------------
    def _ints(self, request: Request, kind: str) -> tuple[int, int] | None:
        try:
            cursor = int(request.arg("cursor", "") or 0)
            count = int(request.arg("count", "") or DEFAULT_COUNTS[kind])
        except ValueError:
            return None
        return (cursor, max(1, min(MAX_COUNT, count))) if cursor >= 0 else None

    def _bad(self) -> Response:
        return json_response({"status_code": 10101, "status_msg": "Ongeldige parameter"}, 400,
                             cache="error")

    def _api(self, request: Request, endpoint: str) -> Response | None:
        world = request.world
        if endpoint == "/post/item_list/":
            account = world.account_by_id(self.name, request.arg("secUid", "") or "")
            if not isinstance(account, Account):
                return None
            return self._item_list(request, account)
        if endpoint == "/comment/list/":
            post = self._post(world, request.arg("aweme_id"))
            return self._comment_list(request, post) if post else None
        if endpoint == "/comment/list/reply/":
            post = self._post(world, request.arg("item_id"))
            top = world.status(self.name, request.arg("comment_id", "") or "")
            if post is None or not isinstance(top, Comment) or top.post_id != post.id \
                    or top.parent is not None:
                return None
            return self._reply_list(request, post, top)
        return None

    def _item_list(self, request: Request, account: Account) -> Response:
        ints = self._ints(request, "posts")
        if ints is None:
            return self._bad()
        cursor, count = ints
        posts = [p for p in account.live_posts() if not cursor or ms(p) < cursor]
        chunk = posts[:count]
        return json_response({
            "statusCode": 0,
            "itemList": [self.item_json(request.world, p) for p in chunk],
            "cursor": str(ms(chunk[-1]) if chunk else cursor),
            "hasMore": len(posts) > count,
        })

    def item_json(self, world: World, post: Post) -> dict[str, Any]:
        return {
            "id": post.id, "desc": post.text, "createTime": ms(post) // 1000,
            "author": {"uniqueId": post.account.handle, "nickname": post.account.name},
            "video": {"cover": f"{self.prefix}/cover/{post.id}.png",
                      "playAddr": f"{self.prefix}/video/{post.id}.webm", "duration": 2},
            "stats": {"playCount": post.favourites * 53 + 210, "diggCount": post.favourites,
                      "shareCount": post.boosts, "commentCount": len(post.live_comments())},
        }

    def _comment_list(self, request: Request, post: Post) -> Response:
        ints = self._ints(request, "comments")
        if ints is None:
            return self._bad()
        cursor, count = ints
        tops = post.children(None)
        chunk = tops[cursor:cursor + count]
        return json_response({
            "status_code": 0,
            "comments": [self.comment_json(request.world, post, c) for c in chunk],
            "cursor": cursor + len(chunk),
            "has_more": int(cursor + count < len(tops)),
            "total": len(post.live_comments()),
        })

    def _reply_list(self, request: Request, post: Post, top: Comment) -> Response:
        ints = self._ints(request, "replies")
        if ints is None:
            return self._bad()
        cursor, count = ints
        flat = flattened(post, top)
        chunk = flat[cursor:cursor + count]
        return json_response({
            "status_code": 0,
            "comments": [self.comment_json(request.world, post, c) for c in chunk],
            "cursor": cursor + len(chunk),
            "has_more": int(cursor + count < len(flat)),
            "total": len(flat),
        })

    def comment_json(self, world: World, post: Post, comment: Comment) -> dict[str, Any]:
        author = comment.author
        data: dict[str, Any] = {
            "cid": comment.id, "aweme_id": post.id, "text": comment.text,
            "create_time": int(comment.created_at.timestamp()),
            "digg_count": int(comment.id) % 31,
            "user": {"unique_id": author.handle, "nickname": author.name,
                     "avatar_thumb": self.avatar(world, author.handle)},
        }
        if comment.parent is None:
            data["reply_comment_total"] = len(flattened(post, comment))
        else:
            parent = next(c for c in post.comments if c.id == comment.parent)
            data["reply_id"] = comment.parent
            # Deeper replies are shown flat in level 2, naming whom they answer.
            data["reply_to_username"] = parent.author.name if parent.parent is not None else ""
        if comment.edited_at:  # only on edited comments: unedited ones keep their exact shape
            data["edited_at"] = int(comment.edited_at.timestamp())
        return data
