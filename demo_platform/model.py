"""The platform's content as plain objects, shared by every skin.

All mutable state lives in one `World` that the server owns (never in module globals), so the
clock (clock.py) can advance it (new posts, comments, edits, deletions) under `World.lock` while requests
are being served, and two servers with different seeds can run in one process (tests do).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from demo_platform.content import ContentGenerator

PII_TYPES = ("name", "email", "phone", "postcode", "iban", "bsn", "mention", "plate", "birthdate")

# Mastodon-style ids: milliseconds since the epoch shifted left 16 bits plus a sequence number,
# so ids sort by time and `max_id` pagination is a plain integer comparison.
ID_SHIFT = 16


def snowflake(moment: datetime, seq: int) -> str:
    return str((int(moment.timestamp() * 1000) << ID_SHIFT) | (seq & 0xFFFF))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Pii:
    type: str  # one of PII_TYPES
    value: str  # exactly as it appears in the text


@dataclass
class Person:
    """A citizen account: the commenters. The same people exist on every skin."""

    id: str
    name: str
    handle: str  # without "@"
    email: str
    bio: str = ""


@dataclass
class Media:
    kind: str  # "image" | "video"
    key: str  # images: /media/<key>-400.png etc.; video: static file name
    description: str


@dataclass
class Comment:
    id: str
    post_id: str
    parent: str | None  # None = reply to the post itself
    author: Person
    text: str  # plain text as shown (mentions as "@handle")
    pii: list[Pii]
    created_at: datetime
    depth: int  # 1 = direct reply to the post
    # False = left out of the first thread response; only reachable via "Show more replies".
    inline: bool = True
    # Set by the clock (demo_platform/clock.py); never at day 0.
    edited_at: datetime | None = None
    deleted: bool = False
    deleted_at: datetime | None = None


@dataclass
class Post:
    id: str
    account: Account
    text: str
    created_at: datetime
    media: list[Media] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)  # thread (depth-first) order
    boosts: int = 0
    favourites: int = 0
    # Set by the clock (demo_platform/clock.py); never at day 0.
    edited_at: datetime | None = None
    deleted: bool = False
    deleted_at: datetime | None = None
    # Position in the account's day-0 timeline (0 = newest); clock posts count down from -1.
    # Skins derive per-post quirks from it, so new posts on top never shift older posts' quirks.
    ordinal: int = 0

    def live_comments(self) -> list[Comment]:
        return [c for c in self.comments if not c.deleted]

    def children(self, parent: str | None) -> list[Comment]:
        """Direct replies to `parent` (None = the post), oldest first."""
        return [c for c in self.live_comments() if c.parent == parent]


@dataclass
class Account:
    """An account whose posts we track (the government account of a skin)."""

    id: str
    skin: str
    handle: str
    name: str
    bio: str
    followers: int
    following: int
    created_at: datetime
    fields: list[tuple[str, str]] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)  # newest first, like a timeline

    def live_posts(self) -> list[Post]:
        return [p for p in self.posts if not p.deleted]


Status = Post | Comment


@dataclass
class Change:
    """One thing the clock did: a post or comment that appeared, was edited or was deleted."""

    skin: str
    account: Account
    kind: str  # "post" | "comment"
    change: str  # "new" | "edited" | "deleted"
    status: Status
    post: Post  # the post itself, or the post a comment belongs to
    at: datetime


@dataclass
class World:
    """Everything one server serves. Readers and the clock synchronise on `lock`."""

    seed: int
    now: datetime
    generator: ContentGenerator
    citizens: list[Person] = field(default_factory=list)
    accounts: dict[str, dict[str, Account]] = field(default_factory=dict)  # skin -> handle -> acct
    lock: threading.RLock = field(default_factory=threading.RLock)
    revision: int = 0  # bumped by every mutation; lets caches and the clock notice change
    clock_steps: int = 0  # advances so far; seeds each step's random choices
    changes: list[Change] = field(default_factory=list)  # every clock change, oldest first
    _statuses: dict[tuple[str, str], Status] = field(default_factory=dict)

    def add_account(self, account: Account) -> None:
        self.accounts.setdefault(account.skin, {})[account.handle] = account
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the id index; call after any change to posts or comments."""
        index: dict[tuple[str, str], Status] = {}
        for skin, accounts in self.accounts.items():
            for account in accounts.values():
                for post in account.posts:
                    index[(skin, post.id)] = post
                    for comment in post.comments:
                        index[(skin, comment.id)] = comment
        self._statuses = index
        self.revision += 1

    def account(self, skin: str, handle: str) -> Account | None:
        return self.accounts.get(skin, {}).get(handle)

    def account_by_id(self, skin: str, account_id: str) -> Account | Person | None:
        for account in self.accounts.get(skin, {}).values():
            if account.id == account_id:
                return account
        return next((p for p in self.citizens if p.id == account_id), None)

    def citizen(self, handle: str) -> Person | None:
        return next((p for p in self.citizens if p.handle == handle), None)

    def status(self, skin: str, status_id: str) -> Status | None:
        found = self._statuses.get((skin, status_id))
        if found is None or found.deleted:
            return None
        if isinstance(found, Comment) and self.post_of(skin, found).deleted:
            return None  # a deleted post takes its thread with it
        return found

    def post_of(self, skin: str, status: Status) -> Post:
        if isinstance(status, Post):
            return status
        post = self._statuses[(skin, status.post_id)]
        assert isinstance(post, Post)
        return post
