"""The Mastodon skin, at the site root: profile and post pages plus the JSON API their JS uses.

Pages:  /  /about  /@<handle>  /@<handle>/<post id>  /users/<handle> (301 to /@<handle>)
        /@<handle>?max_id=<id> (older statuses, server-rendered, 20 a page, rel=next)
Media:  /avatars/<handle> (302 to /media/avatars/<digest>.png)  /media/headers/<digest>.png
        /media/<key>-400.png  /media/<key>-1200.png  /media/clip.webm (Range)
API:    /api/v1/accounts/lookup?acct=  /api/v1/accounts/<id>  /api/v1/accounts/<id>/statuses
        /api/v1/statuses/<id>  /api/v1/statuses/<id>/context  /api/v1/statuses/<id>/replies
JSON follows Mastodon's shape; the deviations are documented where they are built.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from demo_platform.model import Account, Comment, Person, Post, Status, World, iso
from demo_platform.skins import mastodon_html as ui
from demo_platform.skins.assets import HANDLE, SkinAssets
from demo_platform.skins.base import Skin
from demo_platform.web import Request, Response, json_response, page, redirect

MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9_]+)")
DEFAULT_LIMIT, MAX_LIMIT = 20, 40
HTML_PAGE_SIZE = 20  # statuses per server-rendered page (Mastodon's AccountsController PAGE_SIZE)


def counts(who: Account | Person) -> tuple[int, int, int]:
    """(posts, followers, following). Citizens only reply, so their own timeline is empty."""
    if isinstance(who, Account):
        return len(who.live_posts()), who.followers, who.following
    return 0, int(who.id[-3:]), int(who.id[-5:-3])


class MastodonSkin(Skin):
    name = "mastodon"
    prefix = ""
    official = (("ministerie-demo", "Ministerie van Demo", 64),)
    # Mastodon answers 410 Gone for a deleted status (its ActivityPub tombstone semantics).
    deleted_post_status = 410
    comment_api = r"/api/v1/statuses/\d+/(context|replies)"
    accent = "#6364ff"

    def __init__(self) -> None:
        self.assets = SkinAssets(self.name, self.prefix)

    def profile_url(self, base_url: str, account: Account) -> str:
        return f"{base_url}/@{account.handle}"

    def post_url(self, base_url: str, account: Account, post: Post) -> str:
        return f"{base_url}/@{account.handle}/{post.id}"

    def not_found(self, request: Request) -> Response:
        if request.path.startswith("/api/"):
            return json_response({"error": "Record not found"}, 404, cache="error")
        return page(ui.not_found_page("Deze pagina bestaat niet (meer)."), 404)

    # --- routing ------------------------------------------------------------------------
    def handle(self, request: Request) -> Response | None:
        path, world = request.path, request.world
        if path == "/":
            return page(ui.landing_page(self.accounts(world)))
        if path == "/about":
            return page(ui.about_page())
        if match := re.fullmatch(rf"/users/({HANDLE})/?", path):
            return redirect(f"/@{match.group(1)}", 301) if self.assets.who(world, match[1]) else None
        if match := re.fullmatch(rf"/@({HANDLE})/?", path):
            return self._profile(world, match[1], request.arg("max_id", "") or "")
        if match := re.fullmatch(rf"/@({HANDLE})/(\d+)/?", path):
            post = world.status(self.name, match[2])
            if isinstance(post, Post) and post.account.handle == match[1]:
                return page(ui.post_page(post))
            return None
        if path.startswith("/avatars/") or path.startswith("/media/"):
            return self.assets.serve(world, path)
        if path.startswith("/api/v1/"):
            return self._api(request, path[len("/api/v1"):])
        return None

    def _profile(self, world: World, handle: str, max_id: str = "") -> Response | None:
        who = self.assets.who(world, handle)
        if who is None:
            return None
        posts, followers, following = counts(who)
        header = self.assets.header(world, who)
        if max_id.isdigit() and isinstance(who, Account):
            # Older statuses, server-rendered and paged by max_id like Mastodon's public account page
            # (and its API: `Link: <...?max_id=<last id>>; rel="next"`).
            live = who.live_posts()
            older = [p for p in live if int(p.id) < int(max_id)]
            chunk = older[:HTML_PAGE_SIZE]
            nxt = f"/@{who.handle}?max_id={chunk[-1].id}" if len(older) > len(chunk) else None
            return page(ui.older_page(who, chunk, posts=posts, followers=followers, following=following,
                                      header_src=header, older=nxt, offset=len(live) - len(older)))
        return page(ui.profile_page(who, posts=posts, followers=followers, following=following, header_src=header))

    # --- JSON API -----------------------------------------------------------------------
    def _api(self, request: Request, path: str) -> Response | None:
        world, base = request.world, request.base_url
        if path == "/accounts/lookup":
            who = self.assets.who(world, request.arg("acct", "") or "")
            return json_response(self.account_json(who, base)) if who else None
        if match := re.fullmatch(r"/accounts/(\d+)", path):
            who = world.account_by_id(self.name, match[1])
            return json_response(self.account_json(who, base)) if who else None
        if match := re.fullmatch(r"/accounts/(\d+)/statuses", path):
            return self._timeline(request, match[1])
        if not (match := re.fullmatch(r"/statuses/(\d+)(/context|/replies)?", path)):
            return None
        status = world.status(self.name, match[1])
        if status is None:
            return None
        post = world.post_of(self.name, status)
        if match[2] is None:
            return json_response(self.status_json(world, status, post, base))
        if match[2] == "/replies":
            # Not a real Mastodon endpoint: what the web UI's "Show more replies" fetches.
            # All direct replies, oldest first; deeper levels need another click.
            parent = status.id if isinstance(status, Comment) else None
            return json_response([self.status_json(world, c, post, base)
                                  for c in post.children(parent)])
        return json_response(self._context(world, status, post, base))

    def _timeline(self, request: Request, account_id: str) -> Response | None:
        world = request.world
        who = world.account_by_id(self.name, account_id)
        if who is None:
            return None
        try:
            limit = max(1, min(MAX_LIMIT, int(request.arg("limit", "") or DEFAULT_LIMIT)))
            max_id = int(request.arg("max_id", "") or 0)
        except ValueError:
            return json_response({"error": "Invalid parameter"}, 422, cache="error")
        posts = who.live_posts() if isinstance(who, Account) else []
        if max_id:
            posts = [p for p in posts if int(p.id) < max_id]
        chunk = posts[:limit]
        headers = []
        if chunk:
            # Like Mastodon: a "next" link whenever the page is non-empty; the end is an [].
            nxt = (f"{request.base_url}/api/v1/accounts/{account_id}/statuses"
                   f"?limit={limit}&max_id={chunk[-1].id}")
            headers.append(("Link", f'<{nxt}>; rel="next"'))
        body = [self.status_json(world, p, p, request.base_url) for p in chunk]
        return json_response(body, headers=headers)

    def _context(self, world: World, status: Status, post: Post, base: str) -> dict[str, Any]:
        """Ancestors up to the post, and the descendants the first thread view shows:
        only comments flagged `inline`; the rest come via /replies (the "more" buttons)."""
        by_id = {c.id: c for c in post.live_comments()}
        ancestors: list[Status] = []
        if isinstance(status, Comment):
            parent = status.parent
            while parent is not None:
                ancestors.insert(0, by_id[parent])
                parent = by_id[parent].parent
            ancestors.insert(0, post)
        subtree = {status.id} if isinstance(status, Comment) else {None}
        descendants = []
        for comment in post.live_comments():  # depth-first order: parents first
            if comment.parent in subtree:
                subtree.add(comment.id)
                if comment.inline:
                    descendants.append(comment)
        return {"ancestors": [self.status_json(world, s, post, base) for s in ancestors],
                "descendants": [self.status_json(world, c, post, base) for c in descendants]}

    def account_json(self, who: Account | Person, base: str) -> dict[str, Any]:
        posts, followers, following = counts(who)
        return {
            "id": who.id, "username": who.handle, "acct": who.handle,
            "display_name": who.name, "url": f"{base}/@{who.handle}",
            "avatar": f"{base}/avatars/{who.handle}", "note": f"<p>{escape(who.bio)}</p>",
            "bot": False, "locked": False, "group": False,
            "statuses_count": posts, "followers_count": followers, "following_count": following,
        }

    def status_json(self, world: World, status: Status, post: Post, base: str) -> dict[str, Any]:
        author = status.account if isinstance(status, Post) else status.author
        url = self.post_url(base, post.account, post)
        is_post = isinstance(status, Post)
        parent = None if is_post else (status.parent or post.id)
        direct = post.children(None if is_post else status.id)
        data: dict[str, Any] = {
            "id": status.id, "created_at": iso(status.created_at),
            "in_reply_to_id": parent, "visibility": "public", "language": "nl",
            # Comments have no page of their own here; their url points into the thread.
            "url": url if is_post else f"{url}#{status.id}",
            "uri": f"{base}/users/{author.handle}/statuses/{status.id}",
            "content": self.content_html(status.text),
            # Mastodon semantics: direct replies only (drives the "Show more replies" button).
            "replies_count": len(direct),
            "reblogs_count": post.boosts if is_post else 0,
            "favourites_count": post.favourites if is_post else int(status.id) % 7,
            "edited_at": iso(status.edited_at) if status.edited_at else None,
            "account": self.account_json(author, base),
            "media_attachments": [],
            "mentions": self.mentions_json(world, status.text, base),
        }
        if isinstance(status, Post):
            # Deviation: the whole thread's size, which the UI's reply counter shows.
            data["comments_count"] = len(status.live_comments())
            data["media_attachments"] = [self._attachment(status, i, m.kind, m.key,
                                                          m.description, base)
                                         for i, m in enumerate(status.media)]
        return data

    def _attachment(self, post: Post, index: int, kind: str, key: str, description: str,
                    base: str) -> dict[str, Any]:
        if kind == "video":
            return {"id": f"{post.id}{index}", "type": "video", "url": f"{base}/media/{key}",
                    "preview_url": None, "description": description}
        return {"id": f"{post.id}{index}", "type": "image",
                "url": f"{base}/media/{key}-1200.png", "preview_url": f"{base}/media/{key}-400.png",
                "description": description,
                "meta": {"original": {"width": 1200, "height": 675},
                         "small": {"width": 400, "height": 225}}}

    def content_html(self, text: str) -> str:
        """Plain text -> content HTML: one paragraph, no inline markup.

        Real Mastodon wraps mentions in links; we deliberately do not, because SMA's archive
        checks look for each comment's text as one contiguous run in the DOM and in the JSON."""
        return f"<p>{escape(text, quote=False)}</p>"

    def mentions_json(self, world: World, text: str, base: str) -> list[dict[str, str]]:
        found = []
        for handle in MENTION.findall(text):
            if person := world.citizen(handle):
                found.append({"id": person.id, "username": handle, "acct": handle,
                              "url": f"{base}/@{handle}"})
        return found
