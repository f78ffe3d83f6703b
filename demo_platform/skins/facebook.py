"""The Facebook skin under /facebook: profile and post pages plus the GraphQL-style API their JS uses.

Pages:  /facebook/<handle>   /facebook/<handle>/posts/<id>   Media: assets.SkinAssets (under /facebook)
API:    /facebook/api/graphql/ProfileTimeline?id=&cursor=           feed pages (10 posts)
        /facebook/api/graphql/StoryQuery?postId=                     one post (the post page)
        /facebook/api/graphql/CommentsList?postId=&order=&cursor=    top-level comments, 10 a page;
            order=RANKED ("Meest relevant", the default) leaves out every second top-level
            comment and its replies; order=ALL ("Alle reacties") has them all
        /facebook/api/graphql/CommentReplies?commentId=              all direct replies
Every response carries full texts; the page truncates long ones behind "Meer weergeven".
"""

from __future__ import annotations

import base64
import re
from typing import Any

from demo_platform.model import Account, Comment, Person, Post, World, iso
from demo_platform.skins import facebook_html as ui
from demo_platform.skins.assets import HANDLE, SkinAssets
from demo_platform.skins.base import Skin
from demo_platform.web import Request, Response, json_response, page

PREFIX = "/facebook"
FEED_PAGE, COMMENT_PAGE = 10, 10


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"AQHR:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
                   .split(":", 1)[1])
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def edited(node: dict[str, Any], status: Post | Comment) -> dict[str, Any]:
    """`edited_time` only on edited posts and comments (unedited ones keep their exact shape)."""
    if status.edited_at:
        node["edited_time"] = iso(status.edited_at)
    return node


def top_level(post: Post, order: str) -> list[Comment]:
    """Top-level comments in a view: RANKED hides every second one (and so its replies)."""
    comments = post.children(None)
    if order == "RANKED":
        return [c for i, c in enumerate(comments) if i % 2 == 0]
    return comments


class FacebookSkin(Skin):
    name = "facebook"
    prefix = PREFIX
    official = (("ministerie-demo", "Ministerie van Demo", 64),)
    comment_api = rf"{PREFIX}/api/graphql/(CommentsList|CommentReplies)"
    accent = "#0866ff"

    def __init__(self) -> None:
        self.assets = SkinAssets(self.name, PREFIX)

    def profile_url(self, base_url: str, account: Account) -> str:
        return f"{base_url}{PREFIX}/{account.handle}"

    def post_url(self, base_url: str, account: Account, post: Post) -> str:
        return f"{base_url}{PREFIX}/{account.handle}/posts/{post.id}"

    def not_found(self, request: Request) -> Response:
        if request.path.startswith(f"{PREFIX}/api/"):
            return json_response({"errors": [{"message": "Not found"}]}, 404, cache="error")
        return page(ui.not_found_page(), 404)

    # --- routing ------------------------------------------------------------------------
    def handle(self, request: Request) -> Response | None:
        path, world = request.path[len(PREFIX):], request.world
        if path in ("", "/"):
            return page(ui.landing_page(self.accounts(world)))
        if path.startswith("/avatars/") or path.startswith("/media/"):
            return self.assets.serve(world, path)
        if match := re.fullmatch(r"/api/graphql/(\w+)", path):
            return self._api(request, match[1])
        if match := re.fullmatch(rf"/({HANDLE})/?", path):
            who = self.assets.who(world, match[1])
            if who is None:
                return None
            posts = len(who.live_posts()) if isinstance(who, Account) else 0
            return page(ui.profile_page(who, posts, self.assets.header(world, who)))
        if match := re.fullmatch(rf"/({HANDLE})/posts/(\d+)/?", path):
            post = world.status(self.name, match[2])
            if isinstance(post, Post) and post.account.handle == match[1]:
                return page(ui.post_page(post))
        return None

    # --- API ----------------------------------------------------------------------------
    def _api(self, request: Request, operation: str) -> Response | None:
        world, base = request.world, request.base_url
        offset = decode_cursor(request.arg("cursor"))
        if offset is None:
            return json_response({"errors": [{"message": "Bad cursor"}]}, 400, cache="error")
        if operation == "ProfileTimeline":
            who = world.account_by_id(self.name, request.arg("id", "") or "")
            if who is None:
                return None
            posts = who.live_posts() if isinstance(who, Account) else []
            chunk = posts[offset:offset + FEED_PAGE]
            edges = [{"cursor": encode_cursor(offset + i + 1), "node": self.post_json(p, base)}
                     for i, p in enumerate(chunk)]
            return json_response({"data": {"node": {"__typename": "User", "timeline_feed_units": {
                "edges": edges, "page_info": self._page_info(offset, len(chunk), len(posts))}}}})
        if operation == "StoryQuery":
            post = world.status(self.name, request.arg("postId", "") or "")
            if not isinstance(post, Post):
                return None
            return json_response({"data": {"node": self.post_json(post, base)}})
        if operation == "CommentsList":
            post = world.status(self.name, request.arg("postId", "") or "")
            order = request.arg("order", "RANKED") or "RANKED"
            if not isinstance(post, Post) or order not in ("RANKED", "ALL"):
                return None
            comments = top_level(post, order)
            chunk = comments[offset:offset + COMMENT_PAGE]
            return json_response({"data": {"feedback": {
                "id": post.id, "total_comment_count": len(post.live_comments()),
                "display_comments": {
                    "order": order, "count": len(comments),
                    "edges": [{"node": self.comment_json(world, c, post, base)} for c in chunk],
                    "page_info": self._page_info(offset, len(chunk), len(comments))}}}})
        if operation == "CommentReplies":
            comment = world.status(self.name, request.arg("commentId", "") or "")
            if not isinstance(comment, Comment):
                return None
            post = world.post_of(self.name, comment)
            return json_response({"data": {"comment": {"id": comment.id, "replies": {"edges": [
                {"node": self.comment_json(world, c, post, base)}
                for c in post.children(comment.id)]}}}})
        return None

    def _page_info(self, offset: int, size: int, total: int) -> dict[str, Any]:
        return {"has_next_page": offset + size < total,
                "end_cursor": encode_cursor(offset + size) if offset + size < total else None}

    def author_json(self, who: Account | Person, base: str) -> dict[str, Any]:
        return {"__typename": "User", "id": who.id, "name": who.name, "handle": who.handle,
                "url": f"{base}{PREFIX}/{who.handle}",
                "profile_picture": {"uri": f"{base}{PREFIX}/avatars/{who.handle}"}}

    def post_json(self, post: Post, base: str) -> dict[str, Any]:
        return edited({
            "__typename": "Story", "id": post.id, "post_id": post.id,
            "url": self.post_url(base, post.account, post),
            "creation_time": iso(post.created_at),
            "actors": [self.author_json(post.account, base)],
            "message": {"text": post.text},  # plain text: nothing splits it
            "attachments": [self._media_json(m.kind, m.key, m.description, base)
                            for m in post.media],
            "feedback": {"reaction_count": {"count": post.favourites},
                         "share_count": {"count": post.boosts},
                         # The thread's size (all live comments), which the counter shows.
                         "comment_count": {"total_count": len(post.live_comments())}},
        }, post)

    def comment_json(self, world: World, comment: Comment, post: Post,
                     base: str) -> dict[str, Any]:
        return edited({
            "__typename": "Comment", "id": comment.id, "legacy_fbid": comment.id,
            "parent_id": comment.parent or post.id, "depth": comment.depth - 1,
            "author": self.author_json(comment.author, base),
            "body": {"text": comment.text}, "created_time": iso(comment.created_at),
            "feedback": {"replies_count": len(post.children(comment.id)),
                         "reaction_count": {"count": int(comment.id) % 11}},
        }, comment)

    def _media_json(self, kind: str, key: str, description: str, base: str) -> dict[str, Any]:
        if kind == "video":
            return {"type": "Video", "description": description,
                    "playable_url": f"{base}{PREFIX}/media/{key}"}
        return {"type": "Photo", "description": description,
                "image": {"uri": f"{base}{PREFIX}/media/{key}-1200.png", "width": 1200},
                "preview": {"uri": f"{base}{PREFIX}/media/{key}-400.png", "width": 400}}
