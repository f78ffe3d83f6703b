"""Recapture decisions that do not need a browser: the platform's clock, which actions a scenario
runs, and turning a post page's content into what change detection compares."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from .archive.history import PostContent
from .archive.model import utc_now


def platform_now(date_header: str | bytes | None) -> datetime:
    """The platform's clock (its Date header): post ages are measured on it, so a crawler host
    with a wrong clock neither skips young posts nor revisits old ones."""
    if isinstance(date_header, bytes):
        date_header = date_header.decode("latin-1")
    try:
        return parsedate_to_datetime(date_header) if date_header else utc_now()
    except (TypeError, ValueError):
        return utc_now()


def post_actions(actions: list[dict[str, Any]], comments: bool) -> list[dict[str, Any]]:
    """Scenario A (comments off) skips the actions a profile marks `thread: true`."""
    return actions if comments else [a for a in actions if not a.get("thread")]


def post_content(url: str, status: int, read: dict[str, Any], displayed: int | None) -> PostContent:
    """A post page's content for AccountHistory.observe.

    Comments without an id (a profile without `content.comment_id`) get one from their position
    and text, which still detects new and deleted comments but reads an edit as delete + new.
    """
    comments: dict[str, str] = {}
    for index, comment in enumerate(read.get("comments") or []):
        ident = comment.get("id") or f"#{index}:{comment.get('text', '')[:40]}"
        comments[str(ident)] = comment.get("text") or ""
    complete = displayed is None or len(comments) >= displayed
    status = 410 if read.get("gone") and status < 400 else status
    return PostContent(url, status, read.get("text"), read.get("published"), comments, complete)
