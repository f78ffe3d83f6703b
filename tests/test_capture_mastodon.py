"""Capturing the demo Mastodon account, then replaying it offline with pywb, as a reader would."""

from __future__ import annotations

import pytest
from archive_checks import Reader, norm, pages, replay_url

from crawler.archive.read import iter_records


def test_redirects_and_video_ranges_are_captured_as_they_came(mastodon_crawl):
    responses = [r for r in iter_records(mastodon_crawl.archive) if r.type == "response"]
    statuses = {r.status for r in responses}
    assert 302 in statuses or 301 in statuses, "redirects are captured as their own records"
    assert 206 in statuses, "the video's range responses are captured"


def test_the_rendered_dom_of_a_post_holds_its_whole_thread(mastodon_crawl, platform):
    truth = platform.truth("mastodon")
    resources = {r.uri: r for r in iter_records(mastodon_crawl.archive) if r.type == "resource"}
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
