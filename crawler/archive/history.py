"""An account's capture history in the archive: what was known after each run, and what changed.

    DIR/accounts/<account>/state.json    what the archive knows of the account's posts now (rewritten
                                         atomically after every post page, so a killed crawl resumes)
    DIR/accounts/<account>/changes.jsonl append-only: new / edited / deleted posts and comments
    DIR/accounts/<account>/runs.jsonl    append-only: one line per run (crawl id, times, outcome)

Only digests of comment texts are kept here, never the texts: citizens' words stay in the WARCs,
where access is controlled. The WARCs also get a metadata record for every change (see the pipeline),
so the archive stays self-describing if these files are lost; these files are the quick index.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from archive.jsonl import read_jsonl
from archive.pages import rfc3339


def digest_text(text: str) -> str:
    """Whitespace-insensitive: a re-rendered page with other line breaks is not an edit."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def account_key(url: str) -> str:
    """A file-safe key for an account crawled without a registry id (`sma crawl URL`)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", url.split("://", 1)[-1]).strip("_")[:120] or "account"


def parse_time(value: str | None) -> datetime | None:
    """ISO 8601, or a Unix time in seconds or milliseconds (what some platforms put in attributes)."""
    if not value:
        return None
    if re.fullmatch(r"\d{9,13}", str(value).strip()):
        number = int(str(value).strip())
        return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Change:
    """One thing that changed on the platform, as a recapture saw it."""

    kind: str  # "post" | "comment"
    change: str  # "new" | "edited" | "deleted"
    url: str  # the post's URL (a comment's post)
    id: str  # post URL or comment id
    detected: str  # RFC 3339, when this run saw it
    crawl_id: str
    previous_capture: str | None = None  # RFC 3339 of the last capture that had the old state
    evidence: str = ""  # "HTTP 404", "missing from a complete thread", "text digest changed", ...

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PostContent:
    """What a post page showed, reduced to what change detection needs."""

    url: str
    status: int
    text: str | None
    published: str | None
    comments: dict[str, str]  # comment id -> text
    thread_complete: bool  # every displayed comment captured: only then can a missing one be "deleted"


@dataclass
class PostState:
    first_seen: str
    last_captured: str
    published: str | None = None
    text_sha256: str | None = None
    comments: dict[str, str] = field(default_factory=dict)  # comment id -> text digest
    deleted_at: str | None = None
    edited_at: str | None = None


class AccountHistory:
    def __init__(self, archive_dir: Path, key: str) -> None:
        self.dir = Path(archive_dir) / "accounts" / key
        self.key = key
        self.posts: dict[str, PostState] = {}
        self.paused: dict[str, str] | None = None
        self.profile_url: str | None = None
        self._load()

    # -- files -----------------------------------------------------------------------------
    def _load(self) -> None:
        path = self.dir / "state.json"
        if not path.exists():
            return
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.profile_url = raw.get("url")
        self.paused = raw.get("paused")
        self.posts = {url: PostState(**post) for url, post in raw.get("posts", {}).items()}

    def save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        data = {
            "account": self.key,
            "url": self.profile_url,
            "paused": self.paused,
            "posts": {url: asdict(post) for url, post in sorted(self.posts.items())},
        }
        tmp = self.dir / "state.json.tmp"
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.dir / "state.json")

    def _append(self, name: str, row: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / name, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    def record_run(self, row: dict[str, Any]) -> None:
        self._append("runs.jsonl", row)

    def runs(self) -> list[dict[str, Any]]:
        return read_jsonl(self.dir / "runs.jsonl")

    def changes(self) -> list[dict[str, Any]]:
        return read_jsonl(self.dir / "changes.jsonl")

    def last_run(self) -> datetime | None:
        """When the last run that captured anything ended (failed runs do not count)."""
        done = [r for r in self.runs() if r.get("exit_code") in (0, 3)]
        return parse_time(done[-1].get("ended")) if done else None

    # -- planning ----------------------------------------------------------------------------
    def live_posts(self) -> list[str]:
        return [url for url, post in self.posts.items() if post.deleted_at is None]

    def plan(
        self, on_timeline: list[str], platform_now: datetime, revisit_days: float, full: bool = False
    ) -> dict[str, list[str]]:
        """Which post pages this run visits, and why.

        new: never captured; young: published within the window (late comments, edits); missing:
        known but gone from the timeline (a deletion to confirm); all: `full` revisits the rest too.
        """
        window = timedelta(days=revisit_days)
        plan: dict[str, list[str]] = {"new": [], "young": [], "missing": [], "old": []}
        listed = set(on_timeline)
        for url in on_timeline:
            post = self.posts.get(url)
            if post is None or post.deleted_at is not None:
                plan["new"].append(url)
                continue
            published = parse_time(post.published) or parse_time(post.first_seen)
            if published is not None and platform_now - published <= window:
                plan["young"].append(url)
            elif full:
                plan["old"].append(url)
        plan["missing"] = [url for url in self.live_posts() if url not in listed]
        return plan

    # -- comparing -----------------------------------------------------------------------------
    def compare(self, seen: PostContent, crawl_id: str, when: datetime) -> tuple[list[Change], PostState]:
        """What changed since the archive last saw this post, and the post's state after this visit.

        Changes nothing: `commit` does, once the page is safely in the WARC, so a crawl killed in
        between revisits the post next time instead of believing it archived.
        """
        now = rfc3339(when)
        old = self.posts.get(seen.url)
        changes: list[Change] = []

        def change(kind: str, what: str, ident: str, evidence: str) -> None:
            previous = old.last_captured if old else None
            changes.append(Change(kind, what, seen.url, ident, now, crawl_id, previous, evidence))

        if seen.status in (404, 410):
            state = replace(old) if old is not None else PostState(first_seen=now, last_captured=now)
            if old is not None and old.deleted_at is None:
                state.deleted_at = now
                change("post", "deleted", seen.url, f"HTTP {seen.status}")
            return changes, state
        old_comments: dict[str, str] = {}
        if old is None or old.deleted_at is not None:
            # New, or deleted before and back now (restored by the platform).
            state = PostState(first_seen=old.first_seen if old else now, last_captured=now, published=seen.published)
            change("post", "new", seen.url, f"{len(seen.comments)} comments")
        else:
            state = replace(old, comments=dict(old.comments))
            old_comments = old.comments
            if seen.text is not None and state.text_sha256 and digest_text(seen.text) != state.text_sha256:
                state.edited_at = now
                change("post", "edited", seen.url, "post text changed")
            for cid, text in seen.comments.items():
                if cid not in old_comments:
                    change("comment", "new", cid, "")
                elif digest_text(text) != old_comments[cid]:
                    change("comment", "edited", cid, "comment text changed")
            if seen.thread_complete:
                for cid in old_comments:
                    if cid not in seen.comments:
                        change("comment", "deleted", cid, "missing from a complete thread")
        if seen.text is not None:
            state.text_sha256 = digest_text(seen.text)
        state.published = seen.published or state.published
        # An incomplete thread proves nothing about absent comments: remember them still.
        kept = {} if seen.thread_complete else old_comments
        state.comments = {**kept, **{cid: digest_text(text) for cid, text in seen.comments.items()}}
        state.last_captured = now
        return changes, state

    def commit(self, url: str, state: PostState, changes: list[dict[str, Any]]) -> None:
        """Records a visit whose page is written: the post's new state and its changes, on disk."""
        self.posts[url] = state
        for change in changes:
            self._append("changes.jsonl", change)
        self.save()
