"""Capturing the demo Mastodon account, then replaying it offline with pywb, as a reader would."""

from __future__ import annotations

import json

import pytest
from archive_checks import Reader, missing_from_archive, norm, pages, replay_url, warcio_check

from crawler.archive.read import iter_records


def test_crawl_reports_success_with_a_summary(mastodon_crawl, platform):
    assert mastodon_crawl.returncode == 0, mastodon_crawl.stderr[-3000:]
    n = len(platform.truth("mastodon")["posts"])
    assert f"pages {n + 1} (profile 1, posts {n})" in mastodon_crawl.stdout
    summaries = list((mastodon_crawl.archive / "crawls").glob("*/summary.json"))
    assert len(summaries) == 1
    summary = json.loads(summaries[0].read_text())
    assert summary["complete"] is True
    assert summary["errors"] == []
    assert summary["records"] > 0 and summary["bytes"] > 0


def test_every_post_and_comment_is_in_the_warcs(mastodon_crawl, platform):
    truth = platform.truth("mastodon")
    assert len(truth["posts"]) >= 60
    assert missing_from_archive(mastodon_crawl.archive, truth) == []


def test_every_warc_passes_warcio_check(mastodon_crawl):
    assert mastodon_crawl.warcs(), "no WARC written"
    assert not list((mastodon_crawl.archive / "warcs").glob("*.open"))
    assert warcio_check(mastodon_crawl.archive) == []


def test_crawler_never_requests_ground_truth(mastodon_crawl):
    for rec in iter_records(mastodon_crawl.archive):
        assert "/_truth" not in rec.uri


def test_records_are_true_to_what_was_received(mastodon_crawl, platform):
    records = list(iter_records(mastodon_crawl.archive))
    info = [r for r in records if r.type == "warcinfo"]
    assert info and b"software: SMA" in info[0].payload and b"chromium" in info[0].payload.lower()
    responses = [r for r in records if r.type == "response"]
    requests = {r.warc_headers.get_header("WARC-Concurrent-To") for r in records if r.type == "request"}
    for rec in responses:
        assert rec.warc_headers.get_header("WARC-Record-ID") in requests, f"no request record for {rec.uri}"
        assert rec.warc_headers.get_header("WARC-Payload-Digest", "").startswith("sha256:")
        # bodies are stored decoded: the encoding header must go and the length must match
        assert rec.http_headers.get_header("Content-Encoding") is None, rec.uri
        assert int(rec.http_headers.get_header("Content-Length")) == len(rec.payload), rec.uri
    statuses = {r.status for r in responses}
    assert 302 in statuses or 301 in statuses, "redirects are captured as their own records"
    assert 206 in statuses, "the video's range responses are captured"
    kinds = {r.http_headers.get_header("Content-Type", "").split(";")[0] for r in responses}
    assert {"text/html", "application/json", "image/png"} <= kinds
    assert any("javascript" in k for k in kinds) and "text/css" in kinds
    assert any(r.type == "revisit" for r in records), "repeated static resources are deduplicated"


def test_each_page_has_screenshot_dom_and_text(mastodon_crawl, platform):
    truth = platform.truth("mastodon")
    rows = pages(mastodon_crawl.archive)
    assert {r["kind"] for r in rows} == {"profile", "post"}
    assert {r["url"] for r in rows if r["kind"] == "post"} == {p["url"] for p in truth["posts"]}
    resources = {r.uri: r for r in iter_records(mastodon_crawl.archive) if r.type == "resource"}
    for row in rows:
        shot = resources[f"urn:screenshot:{row['url']}"]
        assert shot.payload.startswith(b"\x89PNG")
        assert b"<html" in resources[f"urn:dom:{row['url']}"].payload.lower()
        assert resources[f"urn:text:{row['url']}"].payload.strip()
    # the rendered DOM of a post holds its thread, expanded
    post = max(truth["posts"], key=lambda p: p["comment_count"])
    dom = resources[f"urn:dom:{post['url']}"].payload.decode()
    for comment in post["comments"]:
        assert norm(comment["text"]) in norm(dom.replace("<", " <"))


@pytest.fixture()
def reader(page, replay_server):
    return Reader(page, replay_server)


def test_replayed_profile_scrolls_through_every_post(reader, replay_server, mastodon_crawl, platform):
    truth = platform.truth("mastodon")
    row = next(r for r in pages(mastodon_crawl.archive) if r["kind"] == "profile")
    reader.page.goto(replay_url(replay_server, row), wait_until="networkidle")
    assert norm(truth["account"]["name"]) in norm(reader.page.inner_text(".account__header"))
    reader.scroll_to_end(".timeline-end")
    shown = {norm(t) for t in reader.page.locator("article.status .status__content").all_inner_texts()}
    assert [p["id"] for p in truth["posts"] if norm(p["text"]) not in shown] == []
    assert reader.misses == [] and reader.leaks == []


def test_replayed_threads_show_every_comment(reader, replay_server, mastodon_crawl, platform):
    truth = platform.truth("mastodon")
    by_url = {r["url"]: r for r in pages(mastodon_crawl.archive)}
    missing = []
    for post in truth["posts"]:
        reader.page.goto(replay_url(replay_server, by_url[post["url"]]), wait_until="networkidle")
        reader.page.locator(".detailed-status").wait_for()
        reader.click_all("button.load-more-replies")
        shown = {norm(t) for t in reader.page.locator("article.status.reply .status__content").all_inner_texts()}
        missing += [c["id"] for c in post["comments"] if norm(c["text"]) not in shown]
    assert missing == []
    assert reader.misses == [] and reader.leaks == []
