"""Capturing the demo YouTube channel, then replaying it offline with pywb, as a reader would."""

from __future__ import annotations

import json

import pytest
from archive_checks import Reader, norm, pages, replay_url

from crawler.archive.read import iter_records
from crawler.profiles import resolve

SKIN = "youtube"


@pytest.fixture(scope="module")
def youtube_crawl(skin_archives):
    return skin_archives.crawl(SKIN)


@pytest.fixture(scope="module")
def truth(platform) -> dict:
    return platform.truth(SKIN)



# --- the skin's quirks, over plain HTTP -------------------------------------------------------

def test_profile_urls_pick_the_youtube_profile(platform):
    assert resolve(f"{platform.base}/youtube/@ministerie-demo/videos")[0].name == "youtube"
    assert resolve(f"{platform.base}/@ministerie-demo")[0].name == "mastodon"


def test_grid_and_comments_are_not_in_the_html(platform, truth):
    channel = platform.get_text("/youtube/@ministerie-demo/videos")
    assert "<ytd-rich-grid-renderer" in channel and "<ytd-rich-item-renderer" not in channel
    assert f'data-count="{len(truth["posts"])}"' in channel
    post = max(truth["posts"], key=lambda p: p["comment_count"])
    watch = norm(platform.get_text(post["url"].replace(platform.base, "")))
    assert norm(post["text"]) in watch
    assert '<video class="html5-main-video" src="/youtube/videoplayback/' in watch
    assert not [c for c in post["comments"] if norm(c["text"]) in watch]


def test_comment_api_pages_threads_and_flattens_replies(platform, truth):
    post = max(truth["posts"], key=lambda p: p["comment_count"])
    api = f"/youtube/youtubei/v1/next?videoId={post['id']}"
    first = json.loads(platform.get_text(api))
    assert first["header"]["count"] == post["comment_count"] and first["continuation"]
    tops, token = list(first["comments"]), first["continuation"]
    while token:
        more = json.loads(platform.get_text(f"{api}&continuation={token}"))
        assert "header" not in more
        tops += more["comments"]
        token = more["continuation"]
    assert len(tops) == sum(c["parent"] is None for c in post["comments"])
    replies = 0
    for top in tops:
        assert top["replyLevel"] == 0
        base = f"/youtube/youtubei/v1/replies?videoId={post['id']}&commentId={top['commentId']}"
        token, got = None, []
        while True:
            data = json.loads(platform.get_text(base + (f"&continuation={token}" if token else "")))
            got += data["replies"]
            token = data["continuation"]
            if not token:
                break
        assert len(got) == top["replyCount"] and all(r["replyLevel"] == 1 for r in got)
        replies += len(got)
    assert len(tops) + replies == post["comment_count"]


# --- the crawl --------------------------------------------------------------------------------







def test_video_ranges_are_recorded_as_206(youtube_crawl):
    statuses = set()
    for rec in iter_records(youtube_crawl.archive):
        if rec.type == "response" and "/videoplayback/" in rec.uri:
            statuses.add(rec.status)
    assert 206 in statuses


# --- replay -----------------------------------------------------------------------------------

@pytest.fixture()
def reader(page, skin_archives):
    return Reader(page, skin_archives.replay(SKIN))


def test_replayed_channel_lists_every_video(reader, youtube_crawl, truth):
    row = next(r for r in pages(youtube_crawl.archive) if r["kind"] == "profile")
    reader.page.goto(replay_url(reader.base, row), wait_until="networkidle")
    assert norm(truth["account"]["name"]) in norm(reader.page.inner_text("#page-header"))
    reader.scroll_to_end("ytd-rich-grid-renderer > #contents:not(:has(ytd-continuation-item-renderer))")
    shown = {norm(t) for t in reader.page.locator("ytd-rich-item-renderer #video-title").all_inner_texts()}
    assert [p["id"] for p in truth["posts"] if norm(p["text"]) not in shown] == []
    assert reader.misses == [] and reader.leaks == []


def test_replayed_watch_pages_show_every_comment(reader, youtube_crawl, truth):
    by_url = {r["url"]: r for r in pages(youtube_crawl.archive)}
    missing = []
    for post in sorted(truth["posts"], key=lambda p: -p["comment_count"]):
        reader.page.goto(replay_url(reader.base, by_url[post["url"]]), wait_until="networkidle")
        reader.page.locator("ytd-comments#comments").scroll_into_view_if_needed()
        reader.page.locator("ytd-comments-header-renderer").wait_for()
        reader.scroll_to_end("ytd-comments #contents:not(:has(ytd-continuation-item-renderer))")
        reader.click_all(":is(#more-replies:not([hidden]) button, .replies-continuation button)")
        shown = {norm(t) for t in reader.page.locator("ytd-comment-view-model #content-text").all_inner_texts()}
        missing += [c["id"] for c in post["comments"] if norm(c["text"]) not in shown]
    assert missing == []
    assert reader.misses == [] and reader.leaks == []
