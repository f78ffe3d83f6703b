"""A threaded forum under /forum, after Discourse's public markup (and phpBB's numbered pages).
No profile of its own in profiles/: it exists to test capture without selectors.

Pages:  /forum/u/<handle>              the account's topics, 20 a page (?page=N, rel=next)
        /forum/t/<slug>/<id>[?page=N]  a topic: the account's post, then its top-level replies,
                                       10 a page under numbered page links; the first 4 of a page
                                       are in the HTML, the other 6 stream in over a WebSocket
                                       when the reader scrolls to the end of the stream
JSON:   /forum/posts/<id>/replies.json the direct replies to a reply ("N antwoorden")
WS:     /forum/ws  {"type": "more", "topic": id, "page": n, "offset": k} -> {"type": "posts",
        "posts": [...], "offset": k', "done": bool}, three replies a message
Media:  /forum/avatars/<handle> and the rest of assets.SkinAssets
"""

from __future__ import annotations

import json
import re
from typing import Any

from demo_platform.model import Account, Comment, Post, World, iso
from demo_platform.skins import forum_html as ui
from demo_platform.skins.assets import HANDLE, SkinAssets
from demo_platform.skins.base import Skin
from demo_platform.web import Request, Response, json_response, page

PREFIX = "/forum"
TOPICS_PER_PAGE = 20
REPLIES_PER_PAGE = 10
IN_HTML = 4  # replies of a page that the HTML carries; the rest arrive over the socket
PER_MESSAGE = 3


def slug(post: Post) -> str:
    words = re.findall(r"[a-z0-9]+", post.text.lower())[:6]
    return "-".join(words) or "onderwerp"


def page_number(request: Request) -> int | None:
    raw = request.arg("page", "1") or "1"
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


def reply_json(post: Post, comment: Comment, number: int | None = None) -> dict[str, Any]:
    return {"id": comment.id, "post_number": number, "parent": comment.parent,
            "name": comment.author.name, "username": comment.author.handle,
            "created_at": iso(comment.created_at), "text": comment.text,
            "edited_at": iso(comment.edited_at) if comment.edited_at else None,
            "reply_count": len(post.children(comment.id))}


class ForumSkin(Skin):
    name = "forum"
    prefix = PREFIX
    official = (("ministerie-demo", "Ministerie van Demo", 30),)
    comment_api = rf"{PREFIX}/posts/\d+/replies\.json"
    accent = "#0f82af"

    def __init__(self) -> None:
        self.assets = SkinAssets(self.name, self.prefix)

    def profile_url(self, base_url: str, account: Account) -> str:
        return f"{base_url}{PREFIX}/u/{account.handle}"

    def post_url(self, base_url: str, account: Account, post: Post) -> str:
        return f"{base_url}{PREFIX}/t/{slug(post)}/{post.id}"

    def not_found(self, request: Request) -> Response:
        if request.path.endswith(".json"):
            return json_response({"errors": ["Niet gevonden"]}, 404, cache="error")
        return page(ui.not_found_page(), 404)

    def handle(self, request: Request) -> Response | None:
        path, world = request.path[len(PREFIX):], request.world
        if path in ("", "/"):
            return page(ui.landing_page(self.accounts(world)))
        if match := re.fullmatch(rf"/u/({HANDLE})/?", path):
            return self._topics(request, match[1])
        if match := re.fullmatch(r"/t/([a-z0-9-]+)/(\d+)/?", path):
            return self._topic(request, match[2])
        if match := re.fullmatch(r"/posts/(\d+)/replies\.json", path):
            comment = world.status(self.name, match[1])
            if not isinstance(comment, Comment):
                return None
            post = world.post_of(self.name, comment)
            return json_response([reply_json(post, c) for c in post.children(comment.id)])
        if path.startswith(("/avatars/", "/media/")):
            return self.assets.serve(world, path)
        return None

    def _topics(self, request: Request, handle: str) -> Response | None:
        world = request.world
        account = world.account(self.name, handle)
        who = account or world.citizen(handle)
        number = page_number(request)
        if who is None or number is None:
            return None
        posts = account.live_posts() if account else []
        pages = max(1, -(-len(posts) // TOPICS_PER_PAGE))
        if number > pages:
            return None
        chunk = posts[(number - 1) * TOPICS_PER_PAGE:number * TOPICS_PER_PAGE]
        rows = [(p, self.post_url("", p.account, p), len(p.live_comments())) for p in chunk]
        return page(ui.topics_page(who, rows, number, pages, len(posts)))

    def _topic(self, request: Request, post_id: str) -> Response | None:
        post = request.world.status(self.name, post_id)
        number = page_number(request)
        if not isinstance(post, Post) or number is None:
            return None
        top = post.children(None)
        pages = max(1, -(-len(top) // REPLIES_PER_PAGE))
        if number > pages:
            return None
        first = (number - 1) * REPLIES_PER_PAGE
        shown = [reply_json(post, c, first + i + 2) for i, c in enumerate(top[first:first + IN_HTML])]
        on_page = len(top[first:first + REPLIES_PER_PAGE])
        gated = request.login_required and request.session is None
        return page(ui.topic_page(post, self.post_url("", post.account, post), number, pages,
                                  [] if gated else shown, on_page, len(post.live_comments())))

    # --- the socket -----------------------------------------------------------------------
    def socket(self, world: World, path: str, message: str) -> list[str] | None:
        """Answers to one message on /forum/ws (None: no socket at this path)."""
        if path != f"{PREFIX}/ws":
            return None
        try:
            asked = json.loads(message)
            topic, number, offset = str(asked["topic"]), int(asked["page"]), int(asked["offset"])
        except (ValueError, KeyError, TypeError):
            return [json.dumps({"type": "error", "error": "bad message"})]
        with world.lock:
            post = world.status(self.name, topic)
            if not isinstance(post, Post) or number < 1 or offset < 0:
                return [json.dumps({"type": "error", "error": "unknown topic"})]
            first = (number - 1) * REPLIES_PER_PAGE
            top = post.children(None)[first:first + REPLIES_PER_PAGE]
            answers = []
            while offset < len(top):
                batch = top[offset:offset + PER_MESSAGE]
                replies = [reply_json(post, c, first + offset + i + 2) for i, c in enumerate(batch)]
                offset += len(batch)
                answers.append(json.dumps({"type": "posts", "posts": replies, "offset": offset,
                                           "done": offset >= len(top)}, ensure_ascii=False))
            return answers or [json.dumps({"type": "posts", "posts": [], "offset": offset, "done": True})]
