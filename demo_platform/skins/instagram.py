"""The Instagram skin under /instagram: a profile grid, post pages and the JSON API their JS uses.

Pages:  /instagram/  /instagram/<handle>/  /instagram/p/<shortcode>/  /instagram/accounts/login/
Media:  /instagram/media/... (see assets.py)
API:    /instagram/api/v1/feed/user/<user id>/?count=12[&max_id=<post id>]
        /instagram/api/v1/media/<post id>/info/
        /instagram/api/v1/media/<post id>/comments/[?min_id=<comment id>]   top-level, paged
        /instagram/api/v1/media/<post id>/comments/<comment id>/child_comments/
Quirks a crawler has to deal with (see static/instagram.js):
  * the grid pages in on scroll; after the second page a login nag (div[role=dialog]) opens and
    no further page loads until it is closed;
  * every post has a picture: text-only posts get a generated card, image posts become carousels;
  * the first comments response holds only FIRST_PAGE top-level comments ("Load more comments"),
    and replies stay hidden behind "View replies (N)"; Instagram shows one reply level, so all
    deeper replies are flattened under their top-level comment.
Shortcodes are the post id in Instagram's base64 alphabet, as on the real site.
"""

from __future__ import annotations

import re
from typing import Any

from demo_platform.model import Account, Comment, Person, Post, World
from demo_platform.skins import instagram_html as ui
from demo_platform.skins.assets import SkinAssets
from demo_platform.skins.base import Skin
from demo_platform.web import Request, Response, json_response, page

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
HANDLE = r"[A-Za-z0-9_.-]+"
RESERVED = {"p", "api", "media", "accounts", "explore", "static"}
FEED_PAGE, FEED_MAX = 12, 33
FIRST_PAGE, NEXT_PAGE = 12, 24  # top-level comments in the first / each further response


def shortcode(post_id: str) -> str:
    number, out = int(post_id), ""
    while number:
        number, digit = divmod(number, 64)
        out = ALPHABET[digit] + out
    return out or "A"


def post_id_of(code: str) -> str | None:
    number = 0
    for char in code:
        if char not in ALPHABET:
            return None
        number = number * 64 + ALPHABET.index(char)
    return str(number)


def card_key(world: World, post: Post) -> str:
    """The generated picture every Instagram post leads with."""
    return world.generator.digest(f"instagram/card/{post.id}")


class InstagramSkin(Skin):
    name = "instagram"
    prefix = "/instagram"
    official = (("ministerie-demo", "Ministerie van Demo", 64),)
    comment_api = r"/instagram/api/v1/media/\d+/comments/.*"
    accent = "#0095f6"

    def __init__(self) -> None:
        self.assets = SkinAssets(self.name, self.prefix, lambda w, p: [card_key(w, p)])

    def profile_url(self, base_url: str, account: Account) -> str:
        return f"{base_url}{self.prefix}/{account.handle}/"

    def post_url(self, base_url: str, account: Account, post: Post) -> str:
        return f"{base_url}{self.prefix}/p/{shortcode(post.id)}/"

    def not_found(self, request: Request) -> Response:
        if request.path.startswith(f"{self.prefix}/api/"):
            return json_response({"message": "Page not found", "status": "fail"}, 404, cache="error")
        return page(ui.not_found_page(), 404)

    # --- routing ------------------------------------------------------------------------
    def handle(self, request: Request) -> Response | None:
        world, path = request.world, request.path[len(self.prefix):]
        if path in ("", "/"):
            return page(ui.landing_page(self.accounts(world)))
        if path == "/accounts/login/":
            return page(ui.login_page())
        if path.startswith("/media/"):
            return self.assets.serve(world, path)
        if path.startswith("/api/v1/"):
            return self._api(request, path[len("/api/v1"):])
        if match := re.fullmatch(r"/p/([A-Za-z0-9_-]+)/?", path):
            post = self._post(world, post_id_of(match[1]) or "")
            if post is None or shortcode(post.id) != match[1]:
                return None
            return page(ui.post_page(post, shortcode(post.id), self.assets.avatar(world, post.account)))
        if (match := re.fullmatch(rf"/({HANDLE})/?", path)) and match[1] not in RESERVED:
            who = self._who(world, match[1])
            if who is None:
                return None
            posts = len(who.live_posts()) if isinstance(who, Account) else 0
            followers = who.followers if isinstance(who, Account) else int(who.id[-3:])
            following = who.following if isinstance(who, Account) else int(who.id[-5:-3])
            return page(ui.profile_page(who, self.assets.avatar(world, who), posts=posts,
                                        followers=followers, following=following))
        return None

    def _who(self, world: World, handle: str) -> Account | Person | None:
        return world.account(self.name, handle) or world.citizen(handle)

    def _post(self, world: World, post_id: str) -> Post | None:
        status = world.status(self.name, post_id)
        return status if isinstance(status, Post) else None

    # --- JSON API -----------------------------------------------------------------------
    def _api(self, request: Request, path: str) -> Response | None:
        world, base = request.world, request.base_url
        if match := re.fullmatch(r"/feed/user/(\d+)/?", path):
            return self._feed(request, match[1])
        if not (match := re.fullmatch(r"/media/(\d+)/(info|comments)/(?:(\d+)/child_comments/)?",
                                      path)):
            return None
        post = self._post(world, match[1])
        if post is None:
            return None
        if match[2] == "info":
            return json_response({"items": [self.item_json(world, post, base)],
                                  "num_results": 1, "status": "ok"})
        if match[3]:
            top = world.status(self.name, match[3])
            if not isinstance(top, Comment) or top.post_id != post.id or top.parent is not None:
                return None
            replies = descendants(post, top)
            return json_response({"child_comments": [self.comment_json(world, c, post, base)
                                                     for c in replies],
                                  "child_comment_count": len(replies), "parent_comment_id": top.id,
                                  "has_more_tail_child_comments": False, "status": "ok"})
        return self._comments(request, post)

    def _feed(self, request: Request, user_id: str) -> Response | None:
        world = request.world
        who = world.account_by_id(self.name, user_id)
        if who is None:
            return None
        try:
            count = max(1, min(FEED_MAX, int(request.arg("count", "") or FEED_PAGE)))
            max_id = int(request.arg("max_id", "") or 0)
        except ValueError:
            return json_response({"message": "Invalid parameter", "status": "fail"}, 400,
                                 cache="error")
        posts = who.live_posts() if isinstance(who, Account) else []
        if max_id:
            posts = [p for p in posts if int(p.id) < max_id]
        chunk = posts[:count]
        more = len(posts) > len(chunk)
        return json_response({
            "items": [self.item_json(world, p, request.base_url) for p in chunk],
            "num_results": len(chunk), "more_available": more,
            "next_max_id": chunk[-1].id if more else None, "status": "ok"})

    def _comments(self, request: Request, post: Post) -> Response:
        world, base = request.world, request.base_url
        tops = post.children(None)
        after = request.arg("min_id", "") or ""
        if after:
            ids = [c.id for c in tops]
            start = ids.index(after) + 1 if after in ids else len(ids)
            chunk = tops[start:start + NEXT_PAGE]
        else:
            start, chunk = 0, tops[:FIRST_PAGE]
        more = start + len(chunk) < len(tops)
        return json_response({
            "comments": [self.comment_json(world, c, post, base) for c in chunk],
            "comment_count": len(post.live_comments()),
            "has_more_comments": more,
            "next_min_id": chunk[-1].id if more and chunk else None,
            "status": "ok"})

    # --- JSON shapes --------------------------------------------------------------------
    def user_json(self, world: World, who: Account | Person, base: str) -> dict[str, Any]:
        return {"pk": who.id, "username": who.handle, "full_name": who.name,
                "is_verified": isinstance(who, Account),
                "profile_pic_url": base + self.assets.avatar(world, who)}

    def _image(self, key: str, base: str) -> dict[str, Any]:
        return {"candidates": [
            {"url": base + self.assets.image(key, 1200), "width": 1200, "height": 675},
            {"url": base + self.assets.image(key, 400), "width": 400, "height": 225}]}

    def item_json(self, world: World, post: Post, base: str) -> dict[str, Any]:
        slides: list[dict[str, Any]] = [{"media_type": 1, "id": f"{post.id}_0",
                                         "image_versions2": self._image(card_key(world, post), base),
                                         "accessibility_caption": "Afbeelding met tekst."}]
        for index, item in enumerate(post.media, start=1):
            if item.kind == "video":
                slides[0]["media_type"] = 2
                slides[0]["video_versions"] = [{"url": base + self.assets.clip(), "type": 101}]
                slides[0]["accessibility_caption"] = item.description
            else:
                slides.append({"media_type": 1, "id": f"{post.id}_{index}",
                               "image_versions2": self._image(item.key, base),
                               "accessibility_caption": item.description})
        data: dict[str, Any] = {
            "pk": post.id, "id": f"{post.id}_{post.account.id}", "code": shortcode(post.id),
            "taken_at": int(post.created_at.timestamp()),
            "user": self.user_json(world, post.account, base),
            "caption": {"text": post.text, "pk": f"{post.id}1"},
            # The whole thread, replies included: what the page's counter shows.
            "comment_count": len(post.live_comments()),
            "like_count": post.favourites,
            "media_type": 8 if len(slides) > 1 else slides[0]["media_type"],
            "image_versions2": slides[0]["image_versions2"],
        }
        if post.edited_at:  # only on edited captions: unedited ones keep their exact shape
            data["caption"]["edited_at"] = int(post.edited_at.timestamp())
            data["caption_is_edited"] = True
        if "video_versions" in slides[0]:
            data["video_versions"] = slides[0]["video_versions"]
        if len(slides) > 1:
            data["carousel_media"] = slides
            data["carousel_media_count"] = len(slides)
        return data

    def comment_json(self, world: World, comment: Comment, post: Post, base: str
                     ) -> dict[str, Any]:
        top = top_of(post, comment)
        data: dict[str, Any] = {
            "pk": comment.id, "text": comment.text, "type": 0 if comment.parent is None else 2,
            "created_at": int(comment.created_at.timestamp()),
            "user": self.user_json(world, comment.author, base),
            "comment_like_count": int(comment.id) % 9,
        }
        if comment.edited_at:
            data["edited_at"] = int(comment.edited_at.timestamp())
        if comment.parent is None:
            data["child_comment_count"] = len(descendants(post, comment))
        else:
            data["parent_comment_id"] = top.id
            data["replied_to_comment_id"] = comment.parent
        return data


def descendants(post: Post, top: Comment) -> list[Comment]:
    """Every reply below a top-level comment, in thread (depth-first) order."""
    inside, found = {top.id}, []
    for comment in post.live_comments():
        if comment.parent in inside:
            inside.add(comment.id)
            found.append(comment)
    return found


def top_of(post: Post, comment: Comment) -> Comment:
    by_id = {c.id: c for c in post.comments}
    while comment.parent is not None:
        comment = by_id[comment.parent]
    return comment
