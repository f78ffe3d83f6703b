"""Capturing the demo TikTok account, then replaying it offline with pywb, as a reader would."""

from __future__ import annotations

import json

import pytest
from archive_checks import Reader, norm, pages, replay_url

from crawler.archive.read import iter_records
from crawler.profiles import resolve

SKIN = "tiktok"
CLOSE_NAG = '[data-e2e="login-modal"] [data-e2e="modal-close-inner-button"]'


@pytest.fixture(scope="module")
def tiktok_crawl(skin_archives):
    return skin_archives.crawl(SKIN)


@pytest.fixture(scope="module")
def truth(platform) -> dict:
    return platform.truth(SKIN)



# --- the skin's quirks, over plain HTTP -------------------------------------------------------

def test_profile_urls_pick_the_tiktok_profile(platform):
    assert resolve(f"{platform.base}/tiktok/@ministerie-demo")[0].name == "tiktok"
    assert resolve(f"{platform.base}/@ministerie-demo")[0].name == "mastodon"


def test_grid_and_comment_panel_are_empty_in_the_html(platform, truth):
    profile = platform.get_text("/tiktok/@ministerie-demo")
    assert 'data-e2e="user-post-item-list"' in profile and 'data-e2e="user-post-item"' not in profile
    assert f'data-video-count="{len(truth["posts"])}"' in profile
    post = max(truth["posts"], key=lambda p: p["comment_count"])
    html = platform.get_text(post["url"].replace(platform.base, ""))
    assert norm(post["text"]) in norm(html)
    # the panel is closed until the comment button is pressed, and empty until then
    assert '<div id="comment-panel" class="DivCommentContainer" hidden>' in html
    assert 'aria-label="Reacties lezen of toevoegen.' in html and 'data-e2e="comment-icon"' in html
    assert f'data-count="{post["comment_count"]}"' in html
    assert not [c for c in post["comments"] if norm(c["text"]) in norm(html)]


def test_apis_page_with_cursors_and_flatten_replies(platform, truth):
    owner = platform.get_text("/tiktok/@ministerie-demo").split('data-sec-uid="')[1].split('"')[0]
    cursor, seen = "0", []
    while True:
        data = json.loads(platform.get_text(f"/tiktok/api/post/item_list/?secUid={owner}&cursor={cursor}&count=30"))
        seen += [i["id"] for i in data["itemList"]]
        cursor = data["cursor"]
        if not data["hasMore"]:
            break
    assert seen == [p["id"] for p in truth["posts"]]
    post = max(truth["posts"], key=lambda p: p["comment_count"])
    api = f"/tiktok/api/comment/list/?aweme_id={post['id']}&count=10&cursor="
    tops, cursor = [], 0
    while True:
        data = json.loads(platform.get_text(f"{api}{cursor}"))
        assert data["total"] == post["comment_count"]
        tops += data["comments"]
        cursor = data["cursor"]
        if not data["has_more"]:
            break
    replies = 0
    for top in tops:
        base = f"/tiktok/api/comment/list/reply/?item_id={post['id']}&comment_id={top['cid']}&count=10"
        got, cursor = [], 0
        while True:
            data = json.loads(platform.get_text(f"{base}&cursor={cursor}"))
            got += data["comments"]
            cursor = data["cursor"]
            if not data["has_more"]:
                break
        assert len(got) == top["reply_comment_total"]
        replies += len(got)
    assert len(tops) + replies == post["comment_count"]


# --- the crawl --------------------------------------------------------------------------------







def test_video_ranges_are_recorded_as_206(tiktok_crawl):
    statuses = set()
    for rec in iter_records(tiktok_crawl.archive):
        if rec.type == "response" and "/tiktok/video/" in rec.uri:
            statuses.add(rec.status)
    assert 206 in statuses


# --- replay -----------------------------------------------------------------------------------

@pytest.fixture()
def reader(page, skin_archives):
    return Reader(page, skin_archives.replay(SKIN))


def close_nag(reader: Reader) -> None:
    if reader.page.locator(CLOSE_NAG).count():
        reader.page.locator(CLOSE_NAG).click()


def test_replayed_profile_lists_every_video(reader, tiktok_crawl, truth):
    row = next(r for r in pages(tiktok_crawl.archive) if r["kind"] == "profile")
    reader.page.goto(replay_url(reader.base, row), wait_until="networkidle")
    close_nag(reader)
    assert truth["account"]["handle"] in reader.page.inner_text('[data-e2e="user-title"]')
    reader.scroll_to_end('[data-e2e="user-post-item-list"]:not(:has(.DivLoadMore))')
    shown = {norm(t) for t in reader.page.locator('[data-e2e="user-post-item-desc"]').all_inner_texts()}
    assert [p["id"] for p in truth["posts"] if norm(p["text"]) not in shown] == []
    assert reader.misses == [] and reader.leaks == []


def test_replayed_video_pages_show_every_comment(reader, tiktok_crawl, truth):
    by_url = {r["url"]: r for r in pages(tiktok_crawl.archive)}
    missing = []
    for post in sorted(truth["posts"], key=lambda p: -p["comment_count"]):
        reader.page.goto(replay_url(reader.base, by_url[post["url"]]), wait_until="networkidle")
        close_nag(reader)
        assert reader.page.locator('[data-e2e="comment-level-1"]').count() == 0
        reader.page.locator('button:has([data-e2e="comment-icon"])').click()
        reader.scroll_to_end('[data-e2e="comment-list"]:not(:has(.DivCommentLoadMore))')
        reader.click_all('p[data-e2e^="view-more"]')
        shown = {norm(t) for t in reader.page.locator('[data-e2e^="comment-level"]').all_inner_texts()}
        missing += [c["id"] for c in post["comments"] if norm(c["text"]) not in shown]
    assert missing == []
    assert reader.misses == [] and reader.leaks == []
