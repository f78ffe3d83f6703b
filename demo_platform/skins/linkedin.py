"""The LinkedIn skin under /linkedin: a company page, single-update pages and the JSON API
("voyager") their JS uses.

Pages:  /linkedin/  /linkedin/company/<slug>/  /linkedin/feed/update/urn:li:activity:<id>/
        /linkedin/in/<handle>/ (commenters)
Media:  /linkedin/media/... (see assets.py)
API:    /linkedin/voyager/api/organization/updates?companyId=<id>&start=<n>&count=<n>
        /linkedin/voyager/api/feed/updates/urn:li:activity:<id>
        /linkedin/voyager/api/feed/comments?updateId=urn:li:activity:<id>&start=<n>&count=<n>
        /linkedin/voyager/api/feed/comments?updateId=urn:li:activity:<id>&parentComment=<id>
Quirks a crawler has to deal with (see static/linkedin.js):
  * the company feed pages in on scroll (feed-shared-update-v2 cards);
  * long texts are cut off behind "…meer" (the JSON always holds the full text);
  * the first comments response holds FIRST_PAGE top-level comments ("Meer reacties laden"), each
    with only its inline replies nested; the others wait behind "Eerdere antwoorden weergeven",
    one request per parent, like Mastodon's lazily loaded thread levels.
"""

from __future__ import annotations

import re
from typing import Any

from demo_platform.model import Account, Comment, Person, Post, World
from demo_platform.skins import linkedin_html as ui
from demo_platform.skins.assets import SkinAssets
from demo_platform.skins.base import Skin
from demo_platform.web import Request, Response, json_response, page

SLUG = r"[A-Za-z0-9_.-]+"
ACTIVITY = "urn:li:activity:"
FEED_PAGE, FEED_MAX = 10, 50
FIRST_PAGE, NEXT_PAGE, COMMENTS_MAX = 5, 20, 50


class LinkedInSkin(Skin):
    name = "linkedin"
    prefix = "/linkedin"
    official = (("ministerie-demo", "Ministerie van Demo", 64),)
    comment_api = r"/linkedin/voyager/api/feed/comments"
    login_prompt_text = "Meld u aan om reacties te bekijken"
    accent = "#0a66c2"

    def __init__(self) -> None:
        self.assets = SkinAssets(self.name, self.prefix)

    def profile_url(self, base_url: str, account: Account) -> str:
        return f"{base_url}{self.prefix}/company/{account.handle}/"

    def post_url(self, base_url: str, account: Account, post: Post) -> str:
        return f"{base_url}{self.prefix}/feed/update/{ACTIVITY}{post.id}/"

    def not_found(self, request: Request) -> Response:
        if request.path.startswith(f"{self.prefix}/voyager/"):
            return json_response({"status": 404, "message": "Not found"}, 404, cache="error")
        return page(ui.not_found_page(), 404)

    # --- routing ------------------------------------------------------------------------
    def handle(self, request: Request) -> Response | None:
        world, path = request.world, request.path[len(self.prefix):]
        if path in ("", "/"):
            return page(ui.landing_page(self.accounts(world)))
        if path.startswith("/media/"):
            return self.assets.serve(world, path)
        if path.startswith("/voyager/api/"):
            return self._api(request, path[len("/voyager/api"):])
        if match := re.fullmatch(rf"/company/({SLUG})/?", path):
            account = world.account(self.name, match[1])
            if account is None:
                return None
            return page(ui.company_page(account, self.assets.avatar(world, account),
                                        self.assets.header(world, account)))
        if match := re.fullmatch(rf"/feed/update/{ACTIVITY}(\d+)/?", path):
            post = self._post(world, match[1])
            return page(ui.update_page(post)) if post else None
        if match := re.fullmatch(rf"/in/({SLUG})/?", path):
            person = world.citizen(match[1])
            return page(ui.member_page(person, self.assets.avatar(world, person))) if person else None
        return None

    def _post(self, world: World, post_id: str) -> Post | None:
        status = world.status(self.name, post_id)
        return status if isinstance(status, Post) else None

    # --- JSON API -----------------------------------------------------------------------
    def _api(self, request: Request, path: str) -> Response | None:
        world, base = request.world, request.base_url
        if path == "/organization/updates":
            return self._updates(request)
        if match := re.fullmatch(rf"/feed/updates/{ACTIVITY}(\d+)", path):
            post = self._post(world, match[1])
            return json_response(self.update_json(world, post, base)) if post else None
        if path == "/feed/comments":
            urn = request.arg("updateId", "") or ""
            post = self._post(world, urn[len(ACTIVITY):]) if urn.startswith(ACTIVITY) else None
            if post is None:
                return None
            parent = request.arg("parentComment")
            if parent is not None:
                status = world.status(self.name, parent)
                if not isinstance(status, Comment) or status.post_id != post.id:
                    return None
                children = post.children(status.id)
                return json_response({
                    "elements": [self.comment_json(world, c, post, base) for c in children],
                    "paging": {"start": 0, "count": len(children), "total": len(children)}})
            return self._top_comments(request, post)
        return None

    def _page_args(self, request: Request, default: int, limit: int) -> tuple[int, int] | None:
        try:
            start = max(0, int(request.arg("start", "") or 0))
            count = max(1, min(limit, int(request.arg("count", "") or default)))
        except ValueError:
            return None
        return start, count

    def _updates(self, request: Request) -> Response | None:
        world = request.world
        account = world.account_by_id(self.name, request.arg("companyId", "") or "")
        if not isinstance(account, Account):
            return None
        args = self._page_args(request, FEED_PAGE, FEED_MAX)
        if args is None:
            return json_response({"status": 400, "message": "Bad request"}, 400, cache="error")
        start, count = args
        posts = account.live_posts()
        return json_response({
            "elements": [self.update_json(world, p, request.base_url)
                         for p in posts[start:start + count]],
            "paging": {"start": start, "count": count, "total": len(posts)}})

    def _top_comments(self, request: Request, post: Post) -> Response:
        args = self._page_args(request, FIRST_PAGE, COMMENTS_MAX)
        if args is None:
            return json_response({"status": 400, "message": "Bad request"}, 400, cache="error")
        start, count = args
        tops = post.children(None)
        return json_response({
            "elements": [self.comment_json(request.world, c, post, request.base_url)
                         for c in tops[start:start + count]],
            "paging": {"start": start, "count": count, "total": len(tops)},
            "totalComments": len(post.live_comments())})

    # --- JSON shapes --------------------------------------------------------------------
    def actor_json(self, world: World, who: Account | Person, base: str) -> dict[str, Any]:
        if isinstance(who, Account):
            return {"name": who.name, "handle": who.handle, "type": "company",
                    "description": f"{who.followers:,} volgers".replace(",", "."),
                    "url": f"{self.prefix}/company/{who.handle}/",
                    "image": base + self.assets.avatar(world, who)}
        return {"name": who.name, "handle": who.handle, "type": "member",
                "description": who.bio, "url": f"{self.prefix}/in/{who.handle}/",
                "image": base + self.assets.avatar(world, who)}

    def update_json(self, world: World, post: Post, base: str) -> dict[str, Any]:
        return edited(self._update_json(world, post, base), post)

    def _update_json(self, world: World, post: Post, base: str) -> dict[str, Any]:
        content: dict[str, Any] | None = None
        images = [m for m in post.media if m.kind == "image"]
        if images:
            content = {"type": "images", "images": [
                {"url": base + self.assets.image(m.key, 1200),
                 "thumbnail": base + self.assets.image(m.key, 400), "alt": m.description}
                for m in images]}
        elif post.media:
            content = {"type": "video", "url": base + self.assets.clip(),
                       "alt": post.media[0].description}
        return {
            "urn": f"{ACTIVITY}{post.id}", "id": post.id,
            "permalink": f"{base}{self.prefix}/feed/update/{ACTIVITY}{post.id}/",
            "actor": self.actor_json(world, post.account, base),
            "createdAt": int(post.created_at.timestamp() * 1000),
            "commentary": {"text": post.text},
            "content": content,
            # numComments is the whole thread, replies included: what the counter shows.
            "socialDetail": {"totalSocialActivityCounts": {
                "numComments": len(post.live_comments()), "numLikes": post.favourites,
                "numShares": post.boosts}},
        }

    def comment_json(self, world: World, comment: Comment, post: Post, base: str
                     ) -> dict[str, Any]:
        children = post.children(comment.id)
        return edited({
            "urn": f"urn:li:comment:(activity:{post.id},{comment.id})", "id": comment.id,
            "parentId": comment.parent,
            "commenter": self.actor_json(world, comment.author, base),
            "createdAt": int(comment.created_at.timestamp() * 1000),
            "commentary": {"text": comment.text},
            "numReplies": len(children),
            # Only the replies the first view shows; the rest need "Eerdere antwoorden weergeven".
            "replies": [self.comment_json(world, c, post, base) for c in children if c.inline],
        }, comment)


def edited(data: dict[str, Any], status: Post | Comment) -> dict[str, Any]:
    """`editedAt` (ms) only on edited updates and comments (unedited ones keep their shape)."""
    if status.edited_at:
        data["editedAt"] = int(status.edited_at.timestamp() * 1000)
    return data
