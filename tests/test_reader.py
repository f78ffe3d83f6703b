"""The reader (docs/reader.md): with no selectors it captures every comment of a thread, and a
profile that no longer fits its platform is a hint that drifted, never a reason to refuse a page."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_checks import archived_text, norm, warcio_check
from conftest import Platform, crawl

from crawler.capture.reader import load_words, post_links

# A redesign that breaks Mastodon's page check (its generator meta tag) and nothing else.
BROKEN_CHECK = (('<meta name="generator"', '<meta name="made-with"'),)


def summary_and_report(archive: Path) -> tuple[dict, dict, str]:
    crawl_dir = next((archive / "crawls").iterdir())
    return (json.loads((crawl_dir / "summary.json").read_text()),
            json.loads((crawl_dir / "completeness.json").read_text()),
            (crawl_dir / "report.html").read_text())


def missing_comments(archive: Path, truth: dict, report: dict) -> tuple[int, list[str]]:
    """Truth comments of the posts the crawl visited whose text is in no record of the archive."""
    visited = {p["url"] for p in report["observed"]["posts"]}
    comments = [c for p in truth["posts"] if p["url"] in visited for c in p["comments"]]
    text = archived_text(archive)
    return len(comments), [c["text"] for c in comments if norm(c["text"]) not in text]


@pytest.mark.parametrize("skin", ["x", "facebook"])
def test_the_reader_alone_captures_every_comment_of_the_threads_it_visits(platform: Platform, skin: str,
                                                                          tmp_path: Path):
    truth = platform.truth(skin)
    run = crawl(truth["profile_url"], tmp_path / "a", "--profile", "generic", "--max-posts", "2")
    assert run.returncode in (0, 3), run.stderr[-2000:]
    summary, report, _ = summary_and_report(run.archive)
    assert summary["profile"] == "generic" and summary["pages_by_kind"]["post"] == 2
    total, missing = missing_comments(run.archive, truth, report)
    assert total > 0 and missing == []
    # What the thread displays was read from the page's text ("25 reacties"), with no counter selector.
    shown = {p["url"]: p["comment_count"] for p in truth["posts"]}
    for post in report["observed"]["posts"]:
        assert post["counters"]["comments"] == shown[post["url"]]
        assert post["reader"] and post["reader"][0]["rounds"] >= 1
    # The report never claims more than it knows: complete only where it counted every comment.
    assert summary["complete"] == report["complete"] == (run.returncode == 0)
    assert warcio_check(run.archive) == []


@pytest.fixture(scope="module")
def unrecognisable_platform() -> Iterator[Platform]:
    from demo_platform.server import make_server

    server = make_server("127.0.0.1", 0, seed=1, mutations=BROKEN_CHECK)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Platform(f"http://127.0.0.1:{server.server_address[1]}")
    server.shutdown()
    server.server_close()


def test_a_failed_page_check_is_drift_and_the_page_is_archived_all_the_same(unrecognisable_platform: Platform,
                                                                            tmp_path: Path):
    truth = unrecognisable_platform.truth("mastodon")
    run = crawl(truth["profile_url"], tmp_path / "a", "--profile", "auto", "--max-posts", "2")
    assert run.returncode in (0, 3), run.stderr[-2000:]
    summary, report, html = summary_and_report(run.archive)
    assert summary["profile"] == "mastodon" and summary["fatal_error"] is None
    drift = [d for d in report["drift"] if d["step"] == "detect"]
    assert drift and drift[0]["selector"] == 'meta[name="generator"][content^="Mastodon"]'
    assert summary["drift"] == report["drift"]
    assert "profile drift" in html and "detect" in html
    assert summary["pages_by_kind"] == {"profile": 1, "post": 2}
    total, missing = missing_comments(run.archive, truth, report)
    assert total > 0 and missing == []
    assert summary["complete"] == report["complete"] == (run.returncode == 0)
    assert warcio_check(run.archive) == []


def test_discovery_finds_the_accounts_posts_by_links_that_repeat_with_an_id():
    start = "http://demo.test/@gemeente"
    links = [f"http://demo.test/@gemeente/{n}" for n in (1101, 1102, 1103)] + [
        "http://demo.test/@gemeente", "http://demo.test/@kees/2201",  # a third party's post: not ours
        "http://demo.test/@gemeente/followers", "http://elders.test/@gemeente/1104", "http://demo.test/about"]
    assert post_links(links, start) == links[:3]
    # Two of a kind are no pattern yet.
    assert post_links(links[:2], start) == []


def test_the_reader_never_presses_what_writes():
    import re

    deny = [re.compile(p, re.I) for p in load_words()["deny"]]
    for name in ("Vind ik leuk: 12", "Volgen", "+ Volgen", "Delen: 3", "Rapporteren", "Uitloggen", "Reageer",
                 "Like", "Follow", "Share", "Report post", "Log out", "Reply", "Abonneren", "Verwijderen"):
        assert any(p.search(name) for p in deny), name
    for name in ("Meer reacties weergeven", "3 antwoorden weergeven", "View 3 replies", "Load more", "Volgende"):
        assert not any(p.search(name) for p in deny), name


def test_the_reader_presses_counts_of_further_items_and_picks_all_comments_in_any_wording():
    import re

    words = {k: [re.compile(p, re.I) for p in v] for k, v in load_words().items()}
    for name in ("View 7 weergeven", "Nog 7 weergeven", "Toon nog 12", "View 7 more", "1 antwoord tonen"):
        assert any(p.search(name) for p in words["reveal"]) and not any(p.search(name) for p in words["deny"]), name
    for name in ("12", "Rik 7", "Reageer"):  # a page number, a name, a control that writes
        assert not any(p.search(name) for p in words["reveal"]) or any(p.search(name) for p in words["deny"]), name
    assert any(p.search("Relevantste eerst ▾") for p in words["sort_opener"])
    assert all(any(p.search(n) for p in words["sort_all"]) for n in ("Alles", "Alle opmerkingen", "All comments"))


def test_a_post_total_read_from_the_page_is_complete_only_when_every_post_was_visited():
    from crawler.completeness import assess

    def verdict(found: int, selected: int, counters: dict) -> tuple[bool, list]:
        report = assess({"profile": {"url": "u", "counters": counters, "posts_found": found},
                         "posts": [], "posts_selected": selected})
        return report["complete"], [(s["what"], s.get("captured")) for s in report["shortfalls"]]

    # "30 onderwerpen" read from the text: --max-posts 2 visited 2 of them, so the crawl is short.
    assert verdict(30, 2, {"posts": 30, "posts_from_text": 1}) == (False, [("posts", 2)])
    assert verdict(30, 30, {"posts": 30, "posts_from_text": 1}) == (True, [])
    # A page that says no total: unknown, never complete.
    assert verdict(30, 30, {})[0] is False
