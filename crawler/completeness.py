"""Completeness: what each page displayed against what SMA captured, and what failed to match.

SMA never reports success silently: every shortfall is named (post, counter, action, selector),
and a comment shortfall carries the profile actions and selectors that matched nothing on that
page, which is where a platform redesign shows first. Profiles are hints (docs/reader.md): a
profile step that no longer fits is *drift*, reported, not a shortfall by itself; what a page
displays that neither the profile nor the reader can read is *unknown*, and unknown is never
complete.
"""

from __future__ import annotations

from typing import Any


def assess(observed: dict[str, Any]) -> dict[str, Any]:
    """Turns the spider's observations into a report with a list of named shortfalls."""
    shortfalls: list[dict[str, Any]] = []
    drift: list[dict[str, Any]] = [dict(d) for d in observed.get("drift") or []]
    profile = observed.get("profile") or {}
    posts = observed.get("posts") or []
    selected = observed.get("posts_selected")
    where = profile.get("url")

    counted_posts = (profile.get("counters") or {}).get("posts")
    found = profile.get("posts_found")
    # A count the reader read from the page's text (no post counter in the profile) is judged strictly:
    # fewer posts found or visited (--max-posts) than the page says is short.
    reached = found
    if (profile.get("counters") or {}).get("posts_from_text") and found is not None and selected is not None:
        reached = selected = min(found, selected)
        planned = observed.get("posts_planned")
        if planned is not None and len(posts) < planned:
            # --max-posts visited fewer than the run planned (on a first crawl: every post found).
            reached = selected = min(reached, len(posts))
    if counted_posts is not None and reached is not None and reached < counted_posts and selected == reached:
        shortfalls.append({"where": where, "what": "posts", "displayed": counted_posts, "captured": reached,
                           "suspects": _suspects(profile)})
    if profile and counted_posts is None and "posts" not in (profile.get("counters") or {}):
        # No counter says how many posts there are: found posts are never "all of them".
        shortfalls.append({"where": where, "what": "unknown", "name": "posts",
                           "note": f"how many posts the profile displays is unknown ({found or 0} found)"})
    for name, value in (profile.get("counters") or {}).items():
        if value is None:
            drift.append({"page": where, "step": f"counters.{name}", "note": "matched nothing"})
            if name == "posts":
                shortfalls.append({"where": where, "what": "unknown", "name": name,
                                   "note": "how many posts the profile displays is unknown"})
    for name, count in (profile.get("selectors") or {}).items():
        if count == 0:
            drift.append({"page": where, "step": f"profile_page.{name}", "note": "matched nothing"})
    for action in profile.get("actions", []):
        if action.get("note") == "matched nothing":
            drift.append({"page": where, "step": f"action {action.get('name')}", "selector": action.get("selector"),
                          "note": "matched nothing"})
        elif not action.get("complete", True):
            shortfalls.append({"where": where, "what": "action", **_action_brief(action)})
    if (profile.get("reader") or {}).get("complete") is False:
        shortfalls.append({"where": where, "what": "reader", "note": profile["reader"].get("note")})

    comments_displayed = comments_captured = unknown = 0
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
        if shown is None:
            # Neither the profile's counter nor the page's text says how many comments it has.
            unknown += 1
            shortfalls.append({"where": post["url"], "what": "unknown", "name": "comments",
                               "note": "how many comments the page displays is unknown",
                               "captured": got, "suspects": _suspects(post)})
        for reading in post.get("reader") or []:
            if reading.get("complete") is False:
                shortfalls.append({"where": post["url"], "what": "reader", "note": reading.get("note")})
        if shown is not None and got is not None and got < shown:
            shortfalls.append({"where": post["url"], "what": "comments", "displayed": shown, "captured": got,
                               "suspects": _suspects(post)})
        whole = shown is not None and got is not None and got >= shown
        for action in post.get("actions", []):
            # An expansion action that finds nothing is normal on a post without hidden replies;
            # it is a shortfall only when it gave up before the page was fully expanded, and drift
            # when the reader expanded the thread whole all the same.
            if action.get("complete", True):
                continue
            if whole:
                drift.append({"page": post["url"], "step": f"action {action.get('name')}",
                              "selector": action.get("selector"), "note": f"{action.get('note')}; the reader did it"})
            else:
                shortfalls.append({"where": post["url"], "what": "action", **_action_brief(action)})
    drift.extend(_dead_post_selectors(posts))
    drift.extend(_idle_post_actions(posts))
    for event in observed.get("limits") or []:
        # A bound of docs/limits.md stopped something: never complete, and the reason is named.
        shortfalls.append({"what": "limit", "where": event.get("where"), "name": event.get("setting"),
                           "value": event.get("value"), "note": event.get("note")})
    for error in observed.get("errors", []):
        shortfalls.append({"what": "error", "note": error})
    if observed.get("fatal_error"):
        shortfalls.append({"what": "error", "note": observed["fatal_error"]})
    return {
        "complete": not shortfalls,
        "profile": {"posts_displayed": counted_posts, "posts_found": found, "posts_visited": len(posts)},
        "comments": {"displayed": comments_displayed, "captured": comments_captured, "unknown": unknown},
        "shortfalls": shortfalls,
        "drift": drift,
        # Every 429/503 wait and retry (crawler/ratelimit.py); a give-up is also a shortfall.
        "rate_limits": list(observed.get("rate_limits") or []),
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
        {"page": "every post page with comments", "step": f"post_page.{name}",
         "note": f"matched nothing on {len(with_comments)} post pages that display comments"}
        for name in sorted(names)
        if all((p.get("selectors") or {}).get(name, 1) == 0 for p in with_comments)
    ]


def _idle_post_actions(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A post-page action that matched nothing on every post page with comments while the reader
    pressed controls there: the profile's step stopped fitting and the reader did it."""
    with_comments = [p for p in posts
                     if (p.get("counters") or {}).get("comments") and p.get("comments_archived") is not False]
    if not with_comments or not any(r.get("clicks") for p in with_comments for r in p.get("reader") or []):
        return []
    idle: dict[str, dict[str, Any]] = {}
    for action in with_comments[0].get("actions", []):
        idle[action.get("name")] = action
    for post in with_comments:
        matched = {a.get("name") for a in post.get("actions", []) if a.get("matched")}
        for name in matched:
            idle.pop(name, None)
    return [{"page": "every post page with comments", "step": f"action {name}", "selector": a.get("selector"),
             "note": f"matched nothing on {len(with_comments)} post pages that display comments; the reader did it"}
            for name, a in idle.items() if a.get("do") in ("click", "click_all", "choose_menu")]


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
    if what == "unknown":
        return f"{where}: {shortfall.get('note')} (UNKNOWN, never complete)"
    if what == "reader":
        return f"{where}: the reader {shortfall.get('note')}"
    if what == "limit":
        return f"{where}: stopped by {shortfall.get('name')}={shortfall.get('value')}: {shortfall.get('note')} " \
               "(NOT COMPLETE)"
    if what in ("selector", "counter"):
        return f"{where}: {what} {shortfall.get('name')}: {shortfall.get('note')}"
    return f"{where + ': ' if where else ''}{what}: {shortfall.get('note')}"


def describe_drift(entry: dict[str, Any]) -> str:
    """One line per profile step that no longer fits the page (the reader did that step)."""
    selector = f" {entry['selector']!r}" if entry.get("selector") else ""
    return f"{entry.get('page') or ''}: profile drift: {entry.get('step')}{selector}: {entry.get('note')}"
