"""summary.json, completeness.json, the HTML report and the exit code say the same (issue 10 item
4): the HTML verdict is COMPLETE exactly when summary.json's `complete` is (the exit code's
source, crawler/run.py), and a count SMA cannot read is named UNKNOWN, never complete. No crawl:
the report is rendered from what `assess` makes of the observations."""

from __future__ import annotations

from typing import Any

import pytest

from crawler.completeness import assess
from crawler.report_html import render, verdict_of

POST = "http://h/@org/status/1"
WHOLE = {"url": POST, "counters": {"comments": 3}, "comments_captured": 3}


def observed(*posts: dict[str, Any], fatal: str | None = None) -> dict[str, Any]:
    return {"profile": {"url": "http://h/@org", "counters": {"posts": 1}, "posts_found": 1}, "posts_selected": 1,
            "posts": list(posts), "errors": [], "fatal_error": fatal}


@pytest.mark.parametrize("facts,complete,word", [
    (observed(WHOLE), True, "COMPLETE"),
    (observed({**WHOLE, "comments_captured": 2}), False, "INCOMPLETE"),
    (observed({**WHOLE, "counters": {"comments": None}}), False, "INCOMPLETE (UNKNOWN"),
    (observed(WHOLE, fatal="browser crashed"), False, "INCOMPLETE"),
])
def test_the_html_verdict_is_what_summary_and_completeness_say(facts: dict, complete: bool, word: str) -> None:
    report = assess(facts)
    # As crawler/extensions.CrawlReport makes them: one `complete` for both files and the exit code.
    summary = {"crawl_id": "c", "complete": report["complete"] and not facts["fatal_error"],
               "comments": report["comments"], "fatal_error": facts["fatal_error"]}
    report["complete"] = summary["complete"]
    assert summary["complete"] is complete
    page = render(summary, report)
    assert verdict_of(summary, report).startswith(word)
    assert ("<p class='verdict ok'>COMPLETE</p>" in page) is complete
    assert ("INCOMPLETE" in page) is not complete
    assert f"{report['comments']['displayed']} / {report['comments']['captured']}" in page
    if word.endswith("(UNKNOWN"):
        assert "UNKNOWN, never complete" in page and report["comments"]["unknown"] == 1


def test_a_post_total_read_from_text_is_never_complete_when_max_posts_cut_the_planned_visits() -> None:
    """A first crawl with --max-posts 2 of an account whose page says "30 onderwerpen" visited 2 of
    the 30 posts it planned: short, whatever the spider counted as selected (a timeline read in
    pieces set it to every link found). A recapture that visited every planned post is not cut."""
    from crawler.state import CrawlState

    links = [f"http://h/t/{n}" for n in range(30)]
    state = CrawlState(plan={"new": links, "young": [], "missing": [], "old": []})
    state.completeness.update(
        profile={"url": "http://h/u/org", "counters": {"posts": 30, "posts_from_text": 1}, "posts_found": 30},
        posts_selected=30, posts=[dict(WHOLE, url=u) for u in links[:2]])
    report = assess(state.observed())
    assert not report["complete"]
    assert [(s["displayed"], s["captured"]) for s in report["shortfalls"] if s["what"] == "posts"] == [(30, 2)]
    again = CrawlState(plan={"new": links[:1], "young": links[1:2], "missing": links[2:3], "old": []})
    again.completeness.update(state.completeness)
    assert assess(again.observed())["complete"]
