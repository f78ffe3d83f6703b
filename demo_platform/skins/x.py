"""The X (Twitter) skin under /x: profile and post pages plus the GraphQL-style API their JS uses.

Pages:  /x/<handle>   /x/<handle>/status/<id>     Media: see assets.SkinAssets (under /x)
API:    /x/i/api/graphql/UserTweets?userId=&count=&cursor=    timeline pages, opaque cursors
        /x/i/api/graphql/TweetResultByRestId?tweetId=          one tweet (the post page's first call)
        /x/i/api/graphql/TweetDetail?focalTweetId=             the conversation's first view
        /x/i/api/graphql/TweetReplies?tweetId=                 all direct replies ("Toon antwoorden")
JSON mimics X's GraphQL shapes (data.user.result.timeline_v2..., tweet_results.result.legacy);
deviations are noted where built. Some posts are flagged sensitive: their page shows an
interstitial and loads the conversation only after "Toon" is clicked.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from demo_platform.model import Account, Comment, Person, Post, Status, World, iso
from demo_platform.skins import x_html as ui
from demo_platform.skins.assets import HANDLE, SkinAssets, post_index
from demo_platform.skins.base import Skin
from demo_platform.web import Request, Response, json_response, page

PREFIX = "/x"
PAGE_SIZE, MAX_PAGE = 20, 40
# The first conversation view holds this many top-level replies; the rest needs a click.
FIRST_TOP_LEVEL = 6


def sensitive(post: Post) -> bool:
    """Every sixth post, deterministically, carries a sensitive-content interstitial."""
    return post_index(post) % 6 == 4


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"DAABCgABGQ:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(raw.split(":", 1)[1])
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


class XSkin(Skin):
    name = "x"
    prefix = PREFIX
    official = (("ministerie-demo", "Ministerie van Demo", 64),)
    comment_api = rf"{PREFIX}/i/api/graphql/(TweetDetail|TweetReplies)"
    login_prompt_text = "Log in om de antwoorden te zien"
    accent = "#1d9bf0"

    def __init__(self) -> None:
        self.assets = SkinAssets(self.name, PREFIX)

    def profile_url(self, base_url: str, account: Account) -> str:
        return f"{base_url}{PREFIX}/{account.handle}"

    def post_url(self, base_url: str, account: Account, post: Post) -> str:
        return f"{base_url}{PREFIX}/{account.handle}/status/{post.id}"

    def not_found(self, request: Request) -> Response:
        if request.path.startswith(f"{PREFIX}/i/api/"):
            return json_response({"errors": [{"message": "Not found", "code": 34}]}, 404,
                                 cache="error")
        return page(ui.not_found_page(), 404)

    # --- routing ------------------------------------------------------------------------
    def handle(self, request: Request) -> Response | None:
        path, world = request.path[len(PREFIX):], request.world
        if path in ("", "/"):
            return page(ui.landing_page(self.accounts(world)))
        if path.startswith("/avatars/") or path.startswith("/media/"):
            return self.assets.serve(world, path)
        if match := re.fullmatch(r"/i/api/graphql/(\w+)", path):
            return self._api(request, match[1])
        if match := re.fullmatch(rf"/({HANDLE})/?", path):
            who = self.assets.who(world, match[1])
            if who is None:
                return None
            posts = len(who.live_posts()) if isinstance(who, Account) else 0
            return page(ui.profile_page(who, posts, self.assets.header(world, who)))
        if match := re.fullmatch(rf"/({HANDLE})/status/(\d+)/?", path):
            post = world.status(self.name, match[2])
            if isinstance(post, Post) and post.account.handle == match[1]:
                return page(ui.post_page(post))
        return None

    # --- API ----------------------------------------------------------------------------
    def _api(self, request: Request, operation: str) -> Response | None:
        world, base = request.world, request.base_url
        if operation == "UserTweets":
            return self._timeline(request)
        tweet_id = request.arg("tweetId") or request.arg("focalTweetId") or ""
        status = world.status(self.name, tweet_id)
        if status is None:
            return None
        post = world.post_of(self.name, status)
        if operation == "TweetResultByRestId":
            return json_response({"data": {"tweetResult": {
                "result": self.tweet_json(world, status, post, base)}}})
        if operation == "TweetDetail" and isinstance(status, Post):
            return json_response(self._detail(world, post, base))
        if operation == "TweetReplies":
            # Not a real X operation: what the "Toon (meer) antwoorden" buttons fetch.
            parent = status.id if isinstance(status, Comment) else None
            entries = [self._entry(world, c, post, base) for c in post.children(parent)]
            return json_response({"data": {"replies": {"entries": entries}}})
        return None

    def _timeline(self, request: Request) -> Response | None:
        world = request.world
        who = world.account_by_id(self.name, request.arg("userId", "") or "")
        if who is None:
            return None
        try:
            count = max(1, min(MAX_PAGE, int(request.arg("count", "") or PAGE_SIZE)))
        except ValueError:
            return json_response({"errors": [{"message": "Bad count"}]}, 400, cache="error")
        offset = decode_cursor(request.arg("cursor", "") or "") if request.arg("cursor") else 0
        if offset is None:
            return json_response({"errors": [{"message": "Bad cursor"}]}, 400, cache="error")
        posts = who.live_posts() if isinstance(who, Account) else []
        chunk = posts[offset:offset + count]
        entries = [self._entry(world, p, p, request.base_url) for p in chunk]
        entries.append({"entryId": f"cursor-top-{offset}", "sortIndex": "0", "content": {
            "entryType": "TimelineTimelineCursor", "cursorType": "Top",
            "value": encode_cursor(offset)}})
        if chunk:  # like X: a bottom cursor while there were tweets; the end is a page without
            entries.append({"entryId": f"cursor-bottom-{offset + len(chunk)}", "sortIndex": "0",
                            "content": {"entryType": "TimelineTimelineCursor",
                                        "cursorType": "Bottom",
                                        "value": encode_cursor(offset + len(chunk))}})
        return json_response({"data": {"user": {"result": {"__typename": "User", "timeline_v2": {
            "timeline": {"instructions": [{"type": "TimelineAddEntries", "entries": entries}]}}}}}})

    def _detail(self, world: World, post: Post, base: str) -> dict[str, Any]:
        """The focal tweet, then the first FIRST_TOP_LEVEL top-level replies with their
        `inline` descendants (shared generator flags); everything else needs button clicks."""
        shown: set[str | None] = {None}
        top = 0
        replies = []
        for comment in post.live_comments():  # depth-first: parents come first
            if comment.parent is None:
                top += 1
                if top > FIRST_TOP_LEVEL:
                    continue
            elif comment.parent not in shown or not comment.inline:
                continue
            shown.add(comment.id)
            replies.append(comment)
        entries = [self._entry(world, post, post, base)]
        entries += [self._entry(world, c, post, base) for c in replies]
        return {"data": {"threaded_conversation_with_injections_v2": {"instructions": [
            {"type": "TimelineAddEntries", "entries": entries}]}}}

    def _entry(self, world: World, status: Status, post: Post, base: str) -> dict[str, Any]:
        return {"entryId": f"tweet-{status.id}", "sortIndex": status.id, "content": {
            "entryType": "TimelineTimelineItem", "itemContent": {
                "itemType": "TimelineTweet",
                "tweet_results": {"result": self.tweet_json(world, status, post, base)}}}}

    def user_json(self, who: Account | Person, base: str) -> dict[str, Any]:
        return {"__typename": "User", "rest_id": who.id, "legacy": {
            "name": who.name, "screen_name": who.handle, "description": who.bio,
            "profile_image_url_https": f"{base}{PREFIX}/avatars/{who.handle}",
            "verified": isinstance(who, Account)}}

    def tweet_json(self, world: World, status: Status, post: Post, base: str) -> dict[str, Any]:
        is_post = isinstance(status, Post)
        author = status.account if isinstance(status, Post) else status.author
        legacy: dict[str, Any] = {
            "id_str": status.id, "created_at": iso(status.created_at), "lang": "nl",
            "full_text": status.text,  # plain text: no entity markup splits it
            "conversation_id_str": post.id,
            "in_reply_to_status_id_str": None if is_post else (status.parent or post.id),
            # X semantics: direct replies (drives the "Toon antwoorden" buttons).
            "reply_count": len(post.children(None if is_post else status.id)),
            "retweet_count": post.boosts if is_post else 0,
            "favorite_count": post.favourites if is_post else int(status.id) % 9,
            "possibly_sensitive": is_post and sensitive(post),
        }
        if status.edited_at:  # only on edited tweets, so unedited ones keep their exact shape
            legacy["edited_at"] = iso(status.edited_at)
        if isinstance(status, Post):
            # Deviation: the whole conversation's size, which the reply counter shows.
            legacy["conversation_count"] = len(status.live_comments())
            legacy["extended_entities"] = {"media": [self._media_json(m.kind, m.key,
                                                                      m.description, base)
                                                     for m in status.media]}
        return {"__typename": "Tweet", "rest_id": status.id,
                "core": {"user_results": {"result": self.user_json(author, base)}},
                "legacy": legacy}

    def _media_json(self, kind: str, key: str, description: str, base: str) -> dict[str, Any]:
        if kind == "video":
            return {"type": "video", "ext_alt_text": description,
                    "video_info": {"variants": [{"content_type": "video/webm",
                                                 "url": f"{base}{PREFIX}/media/{key}"}]}}
        return {"type": "photo", "ext_alt_text": description,
                "media_url_https": f"{base}{PREFIX}/media/{key}-1200.png",
                "preview_url_https": f"{base}{PREFIX}/media/{key}-400.png"}
