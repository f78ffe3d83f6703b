"""Completeness: what each page displayed against what SMA captured, and what failed to match.

SMA never reports success silently: every shortfall is named (post, counter, action, selector).
"""

from __future__ import annotations

from typing import Any


def assess(observed: dict[str, Any]) -> dict[str, Any]:
    """Turns the spider's observations into a report with a list of named shortfalls."""
    shortfalls: list[dict[str, Any]] = []
    profile = observed.get("profile") or {}
    posts = observed.get("posts") or []
    selected = observed.get("posts_selected")

    counted_posts = (profile.get("counters") or {}).get("posts")
    found = profile.get("posts_found")
    if counted_posts is not None and found is not None and found < counted_posts and selected == found:
        shortfalls.append({"where": profile.get("url"), "what": "posts", "displayed": counted_posts,
                           "captured": found})
    if profile and counted_posts is None and "posts" in (profile.get("counters") or {}):
        shortfalls.append({"where": profile.get("url"), "what": "counter", "name": "posts",
                           "note": "post counter selector matched nothing"})
    for action in profile.get("actions", []):
        if not action.get("complete", True) or action.get("note") == "matched nothing":
            shortfalls.append({"where": profile.get("url"), "what": "action", **_action_brief(action)})

    comments_displayed = comments_captured = 0
    for post in posts:
        counters = post.get("counters") or {}
        shown = counters.get("comments")
        got = post.get("comments_captured")
        if shown is not None:
            comments_displayed += shown
        if got is not None:
            comments_captured += got
        if "comments" in counters and shown is None:
            shortfalls.append({"where": post["url"], "what": "counter", "name": "comments",
                               "note": "comment counter selector matched nothing"})
        if shown is not None and got is not None and got < shown:
            shortfalls.append({"where": post["url"], "what": "comments", "displayed": shown, "captured": got})
        for action in post.get("actions", []):
            # An expansion action that finds nothing is normal on a post without hidden replies;
            # it is a shortfall only when it gave up before the page was fully expanded.
            if not action.get("complete", True):
                shortfalls.append({"where": post["url"], "what": "action", **_action_brief(action)})
    for error in observed.get("errors", []):
        shortfalls.append({"what": "error", "note": error})
    return {
        "complete": not shortfalls,
        "profile": {"posts_displayed": counted_posts, "posts_found": found, "posts_visited": len(posts)},
        "comments": {"displayed": comments_displayed, "captured": comments_captured},
        "shortfalls": shortfalls,
        "observed": observed,
    }


def _action_brief(action: dict[str, Any]) -> dict[str, Any]:
    return {k: action.get(k) for k in ("name", "do", "selector", "matched", "note")}
