"""The X skin: its quirks over HTTP and in a browser, then capturing it and replaying it offline."""

from __future__ import annotations

import urllib.request

import pytest
from archive_checks import Reader, norm, pages, replay_url

SKIN = "x"
API = "/x/i/api/graphql/"
TEXT = '[data-testid="tweetText"]'
REPLY_BUTTON = 'button[data-testid="showReplies"]'



def tweets(entries: list[dict]) -> list[dict]:
    return [e["content"]["itemContent"]["tweet_results"]["result"] for e in entries
            if e["content"]["entryType"] == "TimelineTimelineItem"]


def user_id(platform, truth: dict) -> str:
    with urllib.request.urlopen(truth["profile_url"], timeout=10) as resp:
        html = resp.read().decode()
    return html.split('data-user-id="', 1)[1].split('"', 1)[0]


# --- the skin itself --------------------------------------------------------------------------

def test_timeline_pages_through_cursors_to_every_post(platform):
    truth = platform.truth(SKIN)
    uid, cursor, seen = user_id(platform, truth), "", []
    for _ in range(20):
        data = platform.get_json(f"{API}UserTweets?userId={uid}&count=20" + (f"&cursor={cursor}" if cursor else ""))
        entries = data["data"]["user"]["result"]["timeline_v2"]["timeline"]["instructions"][0]["entries"]
        found = tweets(entries)
        if not found:
            break
        seen += [t["legacy"]["full_text"] for t in found]
        cursor = next(e["content"]["value"] for e in entries if e["content"].get("cursorType") == "Bottom")
    assert seen == [p["text"] for p in truth["posts"]]


def test_some_replies_need_clicks_and_some_posts_are_sensitive(platform):
    truth = platform.truth(SKIN)
    hidden_posts = sensitive = 0
    for post in truth["posts"]:
        focal = platform.get_json(f"{API}TweetResultByRestId?tweetId={post['id']}")["data"]["tweetResult"]["result"]
        assert focal["legacy"]["conversation_count"] == post["comment_count"]
        sensitive += focal["legacy"]["possibly_sensitive"]
        detail = platform.get_json(f"{API}TweetDetail?focalTweetId={post['id']}")
        entries = detail["data"]["threaded_conversation_with_injections_v2"]["instructions"][0]["entries"]
        first = {t["rest_id"] for t in tweets(entries)} - {post["id"]}
        shown, pending = set(first), [post["id"]] + sorted(first)
        while pending:  # what clicking every "Toon antwoorden" button fetches
            replies = platform.get_json(f"{API}TweetReplies?tweetId={pending.pop()}")["data"]["replies"]["entries"]
            for reply in tweets(replies):
                if reply["rest_id"] not in shown:
                    shown.add(reply["rest_id"])
                    pending.append(reply["rest_id"])
        assert shown == {c["id"] for c in post["comments"]}
        hidden_posts += first != shown
    assert hidden_posts >= 10 and sensitive >= 5


def test_timeline_is_virtualised_in_the_browser(page, platform):
    truth = platform.truth(SKIN)
    page.goto(truth["profile_url"], wait_until="networkidle")
    seen: set[str] = set()
    most = 0
    for _ in range(300):
        most = max(most, page.locator('article[data-testid="tweet"]').count())
        seen |= {norm(t) for t in page.locator(TEXT).all_inner_texts()}
        if page.locator('[data-testid="timeline-end"]').count():
            break
        page.mouse.wheel(0, 700)
        page.wait_for_timeout(120)
    assert 0 < most <= 15
    assert page.locator('article[data-testid="tweet"]').count() < len(truth["posts"])
    assert [p["id"] for p in truth["posts"] if norm(p["text"]) not in seen] == []


# --- capture ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def x_crawl(skin_archives):
    return skin_archives.crawl(SKIN)








@pytest.fixture()
def reader(page, skin_archives, x_crawl):
    return Reader(page, skin_archives.replay(SKIN))


def test_replayed_profile_scrolls_through_every_post(reader, x_crawl, platform):
    truth = platform.truth(SKIN)
    row = next(r for r in pages(x_crawl.archive) if r["kind"] == "profile")
    reader.page.goto(replay_url(reader.base, row), wait_until="networkidle")
    assert norm(truth["account"]["name"]) in norm(reader.page.inner_text('[data-testid="UserName"]'))
    shown: set[str] = set()
    for _ in range(300):  # virtualised: collect while scrolling
        shown |= {norm(t) for t in reader.page.locator(TEXT).all_inner_texts()}
        if reader.page.locator('[data-testid="timeline-end"]').count():
            break
        reader.page.mouse.wheel(0, 700)
        reader.page.wait_for_timeout(150)
    shown |= {norm(t) for t in reader.page.locator(TEXT).all_inner_texts()}
    assert [p["id"] for p in truth["posts"] if norm(p["text"]) not in shown] == []
    assert reader.misses == [] and reader.leaks == []


def test_replayed_threads_show_every_comment(reader, x_crawl, platform):
    truth = platform.truth(SKIN)
    by_url = {r["url"]: r for r in pages(x_crawl.archive)}
    checked_sensitive = False
    missing = []
    for post in truth["posts"]:
        reader.page.goto(replay_url(reader.base, by_url[post["url"]]), wait_until="networkidle")
        reader.page.locator('[data-testid="focalTweet"]').wait_for()
        if reader.page.locator('[data-testid="sensitive-show"]').count() > 0:
            checked_sensitive = True
            reader.page.click('[data-testid="sensitive-show"]')
        reader.click_all(REPLY_BUTTON)
        shown = {norm(t) for t in reader.page.locator(
            f'[data-testid="cellInnerDiv"] article {TEXT}').all_inner_texts()}
        missing += [c["id"] for c in post["comments"] if norm(c["text"]) not in shown]
    assert checked_sensitive
    assert missing == []
    assert reader.misses == [] and reader.leaks == []
