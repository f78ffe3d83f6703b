"""The Skin interface: one platform look-alike (Mastodon, X, ...) on top of the shared world.

A skin is a stateless singleton. All content lives in the `World` the server owns (reachable as
`request.world`); a skin only (1) says which official accounts it wants generated, (2) turns
requests under its URL prefix into responses, and (3) knows its own URL scheme so the generic
ground truth can carry absolute profile/post URLs. The server does routing by prefix, gzip,
ETag/304, Range and the /_truth endpoints for every skin.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from demo_platform.model import Account, Post, World
from demo_platform.web import Request, Response, page


class Skin(ABC):
    name: ClassVar[str]  # "mastodon"; also the skin id in /_truth/<skin>/<account>.json
    prefix: ClassVar[str] = ""  # URL prefix without trailing slash; "" = site root
    # (handle, display name, number of posts) of the tracked (government) accounts.
    official: ClassVar[tuple[tuple[str, str, int], ...]] = ()

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
            "account": {"url": self.profile_url(base_url, account), "name": account.name,
                        "handle": account.handle, "post_count": len(posts)},
            "posts": [{
                "id": post.id,
                "url": self.post_url(base_url, account, post),
                "text": normalise(post.text),
                "comment_count": len(post.live_comments()),
                "comments": [{
                    "id": c.id, "parent": c.parent,
                    "author": {"name": c.author.name, "handle": c.author.handle},
                    "text": normalise(c.text),
                    "pii": [{"type": p.type, "value": p.value} for p in c.pii],
                } for c in post.live_comments()],
            } for post in posts],
        }


def normalise(text: str) -> str:
    return " ".join(text.split())
