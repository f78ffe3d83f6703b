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
