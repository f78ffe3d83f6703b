"""Completeness: what each page displayed against what SMA captured, and what failed to match.

SMA never reports success silently: every shortfall is named (post, counter, action, selector),
and a comment shortfall carries the profile actions and selectors that matched nothing on that
page, which is where a platform redesign shows first.
"""

from __future__ import annotations

from typing import Any


def assess(observed: dict[str, Any]) -> dict[str, Any]:
    """Turns the spider's observations into a report with a list of named shortfalls."""
    shortfalls: list[dict[str, Any]] = []
    profile = observed.get("profile") or {}
    posts = observed.get("posts") or []
    selected = observed.get("posts_selected")
    where = profile.get("url")

    counted_posts = (profile.get("counters") or {}).get("posts")
    found = profile.get("posts_found")
    if counted_posts is not None and found is not None and found < counted_posts and selected == found:
        shortfalls.append({"where": where, "what": "posts", "displayed": counted_posts, "captured": found,
                           "suspects": _suspects(profile)})
    for name, value in (profile.get("counters") or {}).items():
        if value is None:
            shortfalls.append({"where": where, "what": "counter", "name": name,
                               "note": f"{name} counter selector matched nothing"})
    for name, count in (profile.get("selectors") or {}).items():
        if count == 0:
            shortfalls.append({"where": where, "what": "selector", "name": name, "note": "matched nothing"})
    for action in profile.get("actions", []):
        if not action.get("complete", True) or action.get("note") == "matched nothing":
            shortfalls.append({"where": where, "what": "action", **_action_brief(action)})

    comments_displayed = comments_captured = 0
    for post in posts:
        counters = post.get("counters") or {}
        shown = counters.get("comments")
        got = post.get("comments_captured")
        if post.get("comments_archived") is False:
            # Scenario A (one-way account): threads are not archived, so nothing is short; a post
            # that shows comments all the same means the registry's `comments: false` is wrong.
            if shown:
                shortfalls.append({"where": post["url"], "what": "scenario", "displayed": shown, "captured": 0,
                                   "note": "registered without comments (scenario A), but the post shows comments"})
            continue
        comments_displayed += shown or 0
        comments_captured += got or 0
        if "comments" in counters and shown is None:
            shortfalls.append({"where": post["url"], "what": "counter", "name": "comments",
                               "note": "comment counter selector matched nothing"})
        if shown is not None and got is not None and got < shown:
            shortfalls.append({"where": post["url"], "what": "comments", "displayed": shown, "captured": got,
                               "suspects": _suspects(post)})
        for action in post.get("actions", []):
            # An expansion action that finds nothing is normal on a post without hidden replies;
            # it is a shortfall only when it gave up before the page was fully expanded.
            if not action.get("complete", True):
                shortfalls.append({"where": post["url"], "what": "action", **_action_brief(action)})
    shortfalls.extend(_dead_post_selectors(posts))
    for error in observed.get("errors", []):
        shortfalls.append({"what": "error", "note": error})
    return {
        "complete": not shortfalls,
        "profile": {"posts_displayed": counted_posts, "posts_found": found, "posts_visited": len(posts)},
        "comments": {"displayed": comments_displayed, "captured": comments_captured},
        "shortfalls": shortfalls,
        "observed": observed,
    }


def _suspects(page: dict[str, Any]) -> list[str]:
    """Actions and selectors that matched nothing on a page that came up short."""
    names = [f"action {a.get('name')} ({a.get('selector')})" for a in page.get("actions", []) if not a.get("matched")]
    names += [f"selector {name}" for name, count in (page.get("selectors") or {}).items() if count == 0]
    return names


def _dead_post_selectors(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A post-page selector that matched on no post page although comments were displayed."""
    with_comments = [p for p in posts
                     if (p.get("counters") or {}).get("comments") and p.get("comments_archived") is not False]
    if not with_comments:
        return []
    names = set().union(*((p.get("selectors") or {}).keys() for p in with_comments))
    return [
        {"where": "every post page with comments", "what": "selector", "name": name,
         "note": f"matched nothing on {len(with_comments)} post pages that display comments"}
        for name in sorted(names)
        if all((p.get("selectors") or {}).get(name, 1) == 0 for p in with_comments)
    ]


def _action_brief(action: dict[str, Any]) -> dict[str, Any]:
    return {k: action.get(k) for k in ("name", "do", "selector", "matched", "note")}


def describe(shortfall: dict[str, Any]) -> str:
    """One line for the terminal and the HTML report."""
    what = shortfall.get("what")
    where = shortfall.get("where") or ""
    if what == "scenario":
        return f"{where}: {shortfall['note']} ({shortfall['displayed']})"
    if what in ("posts", "comments"):
        line = f"{where}: {what} displayed {shortfall['displayed']}, captured {shortfall['captured']}"
        if shortfall.get("suspects"):
            line += f" (matched nothing: {', '.join(shortfall['suspects'])})"
        return line
    if what == "action":
        return (f"{where}: action {shortfall.get('name')} [{shortfall.get('do')} {shortfall.get('selector')}]"
                f" matched {shortfall.get('matched')}: {shortfall.get('note')}")
    if what in ("selector", "counter"):
        return f"{where}: {what} {shortfall.get('name')}: {shortfall.get('note')}"
    return f"{where + ': ' if where else ''}{what}: {shortfall.get('note')}"
