"""Capturing the demo LinkedIn company page (paged feed, "…meer" truncation, paged comments,
nested replies behind "Eerdere antwoorden weergeven"), then replaying it offline with pywb."""

from __future__ import annotations

import re
import urllib.request

import pytest
from archive_checks import Reader, norm, pages, replay_url

from crawler.profiles import resolve

SKIN = "linkedin"
MORE = "button.comments-comments-list__load-more-comments-button"
REPLIES = "button.show-prev-replies"
ACTIVITY = re.compile(r"urn:li:activity:(\d+)")
API = "/linkedin/voyager/api"


@pytest.fixture(scope="module")
def li_crawl(skin_archives):
    return skin_archives.crawl(SKIN)


@pytest.fixture(scope="module")
def truth(platform):
    return platform.truth(SKIN)


def _company_id(platform) -> str:
    with urllib.request.urlopen(f"{platform.base}/linkedin/company/ministerie-demo/", timeout=10) as resp:
        html = resp.read().decode()
    return re.search(r'id="updates"[^>]*\s+data-company-id="(\d+)"', html)[1]


def _nested(comments: list[dict]) -> int:
    return sum(1 + _nested(c["replies"]) for c in comments)


# --- the skin's quirks, cheaply over HTTP ------------------------------------------------------

def test_profile_urls_resolve_to_the_right_profiles(platform):
    assert resolve(f"{platform.base}/linkedin/company/ministerie-demo/")[0].name == SKIN
    assert resolve(f"{platform.base}/@ministerie-demo")[0].name == "mastodon"


def test_feed_pages_and_keeps_full_texts_in_json(platform, truth):
    first = platform.get_json(f"{API}/organization/updates?companyId={_company_id(platform)}&start=0&count=10")
    assert first["paging"]["total"] == len(truth["posts"]) and len(first["elements"]) == 10
    texts = {p["id"]: p["text"] for p in truth["posts"]}
    assert all(u["commentary"]["text"] == texts[u["id"]] for u in first["elements"])
    # long texts are truncated in the page ("…meer"), never in the JSON
    assert any(len(u["commentary"]["text"]) > 150 for u in first["elements"])


def test_first_comment_response_hides_comments(platform, truth):
    post = max(truth["posts"], key=lambda p: sum(c["parent"] is None for c in p["comments"]))
    urn = f"urn:li:activity:{post['id']}"
    first = platform.get_json(f"{API}/feed/comments?updateId={urn}&start=0&count=5")
    assert first["totalComments"] == post["comment_count"]
    assert first["paging"]["total"] > len(first["elements"]) == 5
    assert _nested(first["elements"]) < post["comment_count"]
    hidden = [c for c in first["elements"] if c["numReplies"] > len(c["replies"])]
    if hidden:
        more = platform.get_json(f"{API}/feed/comments?updateId={urn}&parentComment={hidden[0]['id']}")
        assert len(more["elements"]) == hidden[0]["numReplies"]


# --- the crawl ------------------------------------------------------------------------------









# --- replay ---------------------------------------------------------------------------------

@pytest.fixture()
def reader(page, skin_archives, li_crawl):
    return Reader(page, skin_archives.replay(SKIN))


def test_replayed_feed_reaches_every_post(reader, li_crawl, truth):
    row = next(r for r in pages(li_crawl.archive) if r["kind"] == "profile")
    reader.page.goto(replay_url(reader.base, row), wait_until="networkidle")
    assert norm(truth["account"]["name"]) in norm(reader.page.inner_text(".org-top-card"))
    reader.scroll_to_end(".org-updates__end")
    urns = reader.page.locator("div.feed-shared-update-v2").evaluate_all(
        "els => els.map(e => e.getAttribute('data-urn'))")
    shown = {m[1] for u in urns if (m := ACTIVITY.search(u or ""))}
    assert [p["id"] for p in truth["posts"] if p["id"] not in shown] == []
    assert reader.misses == [] and reader.leaks == []


def test_replayed_updates_show_every_comment(reader, li_crawl, truth):
    by_url = {r["url"]: r for r in pages(li_crawl.archive)}
    busiest = sorted(truth["posts"], key=lambda p: p["comment_count"], reverse=True)
    missing = []
    for post in busiest:
        reader.page.goto(replay_url(reader.base, by_url[post["url"]]), wait_until="networkidle")
        reader.page.locator(".feed-update-detail div.feed-shared-update-v2").wait_for()
        reader.click_all("button.feed-shared-inline-show-more-text__see-more-less-toggle")
        text = reader.page.inner_text(".feed-shared-inline-show-more-text .update-components-text")
        assert norm(text) == norm(post["text"])
        reader.click_all(MORE)
        reader.click_all(REPLIES)
        shown = {norm(t) for t in reader.page.locator(
            "article.comments-comment-item .comments-comment-item__main-content").all_inner_texts()}
        missing += [c["id"] for c in post["comments"] if norm(c["text"]) not in shown]
        counter = reader.page.locator('.feed-update-detail [data-counter="comments"]').get_attribute("data-count")
        assert int(counter) == post["comment_count"] == reader.page.locator("article.comments-comment-item").count()
    assert missing == []
    assert reader.misses == [] and reader.leaks == []
