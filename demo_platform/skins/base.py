"""The Skin interface: one platform look-alike (Mastodon, X, ...) on top of the shared world.

A skin is a stateless singleton. All content lives in the `World` the server owns (reachable as
`request.world`); a skin only (1) says which official accounts it wants generated, (2) turns
requests under its URL prefix into responses, and (3) knows its own URL scheme so the generic
ground truth can carry absolute profile/post URLs. The server does routing by prefix, gzip,
ETag/304, Range and the /_truth endpoints for every skin.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import replace
from html import escape
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from demo_platform.model import Account, Change, Comment, Post, World, iso
from demo_platform.web import HTML, Request, Response, json_response, page

BODY_TAG = re.compile(rb"<body[^>]*>")


class Skin(ABC):
    name: ClassVar[str]  # "mastodon"; also the skin id in /_truth/<skin>/<account>.json
    prefix: ClassVar[str] = ""  # URL prefix without trailing slash; "" = site root
    # (handle, display name, number of posts) of the tracked (government) accounts.
    official: ClassVar[tuple[tuple[str, str, int], ...]] = ()
    # What a deleted post's own page answers: most platforms say 404, some 410 Gone.
    deleted_post_status: ClassVar[int] = 404
    # Full paths of the APIs that return comments (a regex). With login required, visitors
    # without a session get 401 there, and post pages show the post with a login prompt instead.
    comment_api: ClassVar[str] = r"(?!)"
    login_prompt_text: ClassVar[str] = "Log in om reacties te bekijken"
    accent: ClassVar[str] = "#333"  # the platform's button colour, for the prompt

    def populate(self, world: World) -> None:
        """Create this skin's accounts in a fresh world (content from the shared generator)."""
        for handle, display_name, post_count in self.official:
            world.add_account(world.generator.official_account(
                world, self.name, handle, display_name, post_count))

    def owns(self, path: str) -> bool:
        return not self.prefix or path == self.prefix or path.startswith(self.prefix + "/")

    @abstractmethod
    def handle(self, request: Request) -> Response | None:
        """A response for a path under `prefix`, or None for "not mine" (the server 404s)."""

    def not_found(self, request: Request) -> Response:
        return page("<!DOCTYPE html><title>404</title><h1>Niet gevonden</h1>\n", 404)

    def missing(self, request: Request) -> Response:
        """What a path `handle` did not serve answers: `deleted_post_status` for the page of a
        post the clock deleted, the skin's `not_found` otherwise."""
        response = self.not_found(request)
        if self.post_of_page(request, deleted=True) is not None:
            return replace(response, status=self.deleted_post_status)
        return response

    def post_of_page(self, request: Request, deleted: bool = False) -> Post | None:
        """The post whose own page `request` asks for (a deleted one if `deleted`), by
        comparing with `post_url`, so every skin's URL scheme works without extra routes."""
        for account in self.accounts(request.world):
            for post in account.posts:
                if post.deleted != deleted:
                    continue
                target = urlsplit(self.post_url("", account, post))
                if (target.path.rstrip("/") == request.path.rstrip("/")
                        and all(request.arg(k) == v for k, v in parse_qsl(target.query))):
                    return post
        return None

    # --- login sessions -----------------------------------------------------------------
    def guard(self, request: Request) -> Response | None:
        """401 for a comment API without a valid session when the server requires login."""
        if request.login_required and request.session is None \
                and re.fullmatch(self.comment_api, request.path):
            return json_response({"error": "login_required",
                                  "message": "Log in om reacties te bekijken."}, 401,
                                 cache="error",
                                 headers=[("WWW-Authenticate", 'Bearer realm="sma-demo"')])
        return None

    def decorate(self, request: Request, response: Response) -> Response:
        """Logged in: a bar naming the account on every page. Logged out on a server that
        requires login: a prompt on post pages (their scripts then leave comments out)."""
        if response.status != 200 or response.content_type != HTML:
            return response
        if request.session is not None:
            insert = self.session_bar(request)
        elif request.login_required and self.post_of_page(request) is not None:
            insert = self.login_prompt()
        else:
            return response
        body = BODY_TAG.sub(lambda m: m[0] + b"\n" + insert.encode(), response.body, count=1)
        return replace(response, body=body)

    def session_bar(self, request: Request) -> str:
        assert request.session is not None
        handle = request.session.account
        account = request.world.account(self.name, handle)
        href = escape(self.profile_url("", account)) if account else "#"
        return (f'<div class="session-bar" style="font:13px sans-serif;padding:4px 12px;'
                f'background:#f2f2f2;border-bottom:1px solid #ddd">Ingelogd als '
                f'<a class="logged-in-account" href="{href}" data-account="{escape(handle)}">'
                f"@{escape(handle)}</a></div>")

    def login_prompt(self) -> str:
        # Fixed to the bottom of the window, like the logged-out bars of X and Instagram; no link
        # to /_auth (never linked from pages).
        return (f'<div class="login-prompt" data-login-required role="region" aria-label="Inloggen"'
                f' style="position:fixed;left:0;right:0;bottom:0;z-index:50;padding:14px 20px;'
                f'background:{self.accent};color:#fff;font:600 15px sans-serif;display:flex;'
                f'gap:16px;align-items:center;justify-content:center">'
                f"<span>{escape(self.login_prompt_text)}</span>"
                f'<span class="login-prompt__button" role="button" style="background:#fff;'
                f'color:{self.accent};border-radius:18px;padding:6px 16px">Inloggen</span></div>')

    def socket(self, world: World, path: str, message: str) -> list[str] | None:
        """Answers to one WebSocket text message at `path`; None = no socket there (404)."""
        return None

    @abstractmethod
    def profile_url(self, base_url: str, account: Account) -> str:
        """Absolute URL of the account's profile page."""

    @abstractmethod
    def post_url(self, base_url: str, account: Account, post: Post) -> str:
        """Absolute URL of a post's own page."""

    def accounts(self, world: World) -> list[Account]:
        """The accounts listed in /_truth/index.json."""
        return list(world.accounts.get(self.name, {}).values())

    def truth(self, world: World, handle: str, base_url: str) -> dict[str, Any] | None:
        """Ground truth for one account in the format of docs/architecture.md.

        Texts are whitespace-normalised, exactly as a browser shows them."""
        account = world.account(self.name, handle)
        if account is None:
            return None
        posts = account.live_posts()
        return {
            "now": iso(world.now),
            "account": {"url": self.profile_url(base_url, account), "name": account.name,
                        "handle": account.handle, "post_count": len(posts)},
            "posts": [{
                "id": post.id,
                "url": self.post_url(base_url, account, post),
                "text": normalise(post.text),
                "comment_count": len(post.live_comments()),
                **edited(post),
                "comments": [{
                    "id": c.id, "parent": c.parent,
                    "author": {"name": c.author.name, "handle": c.author.handle},
                    "text": normalise(c.text),
                    "pii": [{"type": p.type, "value": p.value} for p in c.pii],
                    **edited(c),
                } for c in post.live_comments()],
            } for post in posts],
        }

    def changes(self, world: World, handle: str, base_url: str) -> list[dict[str, Any]] | None:
        """Every clock change to one account so far, oldest first (None: no such account)."""
        if world.account(self.name, handle) is None:
            return None
        return [self.change_json(c, base_url) for c in world.changes
                if c.skin == self.name and c.account.handle == handle]

    def change_json(self, change: Change, base_url: str) -> dict[str, Any]:
        return {"skin": change.skin, "account": change.account.handle, "kind": change.kind,
                "change": change.change, "id": change.status.id,
                "url": self.post_url(base_url, change.account, change.post), "at": iso(change.at)}


def edited(status: Post | Comment) -> dict[str, str]:
    """`edited_at` for truth, only on edited items (day-0 truth keeps its shape)."""
    return {"edited_at": iso(status.edited_at)} if status.edited_at else {}


def normalise(text: str) -> str:
    return " ".join(text.split())
