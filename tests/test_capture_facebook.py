"""The Facebook skin: its quirks over HTTP and in a browser, then capturing it and replaying it offline."""

from __future__ import annotations

import urllib.request

import pytest
from archive_checks import Reader, norm, pages, replay_url

SKIN = "facebook"
API = "/facebook/api/graphql/"
COOKIES = '[role="dialog"] [aria-label="Optionele cookies weigeren"]'
MENU = 'div[aria-haspopup="menu"][role="button"]'
ALL_COMMENTS = '[role="menuitem"]:has-text("Alle reacties")'
EXPANDERS = ('div[role="button"]:text-is("Meer reacties weergeven")',
             'div[role="button"]:has-text("antwoord weergeven"), div[role="button"]:has-text("antwoorden weergeven")',
             'div[role="button"]:text-is("Meer weergeven")')
COMMENT_TEXT = 'div[role="article"][aria-label^="Comment by"] .comment-body'



def profile_id(truth: dict) -> str:
    with urllib.request.urlopen(truth["profile_url"], timeout=10) as resp:
        return resp.read().decode().split('data-profile-id="', 1)[1].split('"', 1)[0]


def thread(platform, post_id: str, order: str) -> set[str]:
    """Every comment a reader gets in one sort order by clicking every expander."""
    shown: set[str] = set()
    cursor = ""
    while True:
        data = platform.get_json(f"{API}CommentsList?postId={post_id}&order={order}{cursor}")
        box = data["data"]["feedback"]["display_comments"]
        pending = [e["node"] for e in box["edges"]]
        while pending:
            node = pending.pop()
            shown.add(node["id"])
            if node["feedback"]["replies_count"]:
                replies = platform.get_json(f"{API}CommentReplies?commentId={node['id']}")
                pending += [e["node"] for e in replies["data"]["comment"]["replies"]["edges"]]
        if not box["page_info"]["has_next_page"]:
            return shown
        cursor = f"&cursor={box['page_info']['end_cursor']}"


# --- the skin itself --------------------------------------------------------------------------

def test_feed_pages_through_cursors_to_every_post(platform):
    truth = platform.truth(SKIN)
    pid, cursor, seen = profile_id(truth), "", []
    for _ in range(20):
        units = platform.get_json(f"{API}ProfileTimeline?id={pid}{cursor}")["data"]["node"]["timeline_feed_units"]
        seen += [e["node"]["message"]["text"] for e in units["edges"]]
        if not units["page_info"]["has_next_page"]:
            break
        cursor = f"&cursor={units['page_info']['end_cursor']}"
    assert seen == [p["text"] for p in truth["posts"]]


def test_most_relevant_hides_a_third_of_the_comments(platform):
    truth = platform.truth(SKIN)
    total = ranked = 0
    for post in truth["posts"]:
        everything = {c["id"] for c in post["comments"]}
        assert thread(platform, post["id"], "ALL") == everything
        story = platform.get_json(f"{API}StoryQuery?postId={post['id']}")["data"]["node"]
        assert story["feedback"]["comment_count"]["total_count"] == len(everything)
        total += len(everything)
        ranked += len(thread(platform, post["id"], "RANKED"))
    assert total and ranked <= 0.7 * total
    long = [c for p in truth["posts"] for c in p["comments"] if len(c["text"]) > 140]
    assert len(long) >= 10, "enough comments are cut behind 'Meer weergeven'"


def test_cookie_dialog_blocks_the_page_until_answered(page, platform):
    truth = platform.truth(SKIN)
    page.goto(truth["profile_url"], wait_until="networkidle")
    assert page.locator('[role="dialog"]').is_visible()
    assert page.locator('div[role="feed"] div[role="article"]').count() == 0
    page.click(COOKIES)
    page.locator('div[role="feed"] div[role="article"]').first.wait_for()
    assert page.locator('div[role="article"][aria-label]').count() == 0  # posts carry no label


# --- capture ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fb_crawl(skin_archives):
    return skin_archives.crawl(SKIN)








@pytest.fixture()
def reader(page, skin_archives, fb_crawl):
    return Reader(page, skin_archives.replay(SKIN))


def close_cookies(reader: Reader) -> None:
    # Once answered, the consent is remembered: later pages keep the dialog hidden.
    if reader.page.locator(COOKIES).first.is_visible():
        reader.page.click(COOKIES)


def test_replayed_profile_shows_every_post(reader, fb_crawl, platform):
    truth = platform.truth(SKIN)
    row = next(r for r in pages(fb_crawl.archive) if r["kind"] == "profile")
    reader.page.goto(replay_url(reader.base, row), wait_until="networkidle")
    close_cookies(reader)
    assert norm(truth["account"]["name"]) in norm(reader.page.inner_text("h1"))
    reader.scroll_to_end(".feed-end")
    reader.click_all('div[role="feed"] div[role="button"]:text-is("Meer weergeven")')
    shown = {norm(t) for t in reader.page.locator('div[role="feed"] [data-ad-preview="message"]').all_inner_texts()}
    assert [p["id"] for p in truth["posts"] if norm(p["text"]) not in shown] == []
    assert reader.misses == [] and reader.leaks == []


def test_replayed_threads_show_every_comment(reader, fb_crawl, platform):
    truth = platform.truth(SKIN)
    by_url = {r["url"]: r for r in pages(fb_crawl.archive)}
    missing = []
    for post in sorted(truth["posts"], key=lambda p: -p["comment_count"]):
        reader.page.goto(replay_url(reader.base, by_url[post["url"]]), wait_until="networkidle")
        close_cookies(reader)
        reader.page.locator('[aria-label="Reacties"][aria-busy="false"]').wait_for()
        reader.page.click(MENU)
        reader.page.click(ALL_COMMENTS)
        for selector in EXPANDERS:
            reader.click_all(selector)
        shown = {norm(t) for t in reader.page.locator(COMMENT_TEXT).all_inner_texts()}
        missing += [c["id"] for c in post["comments"] if norm(c["text"]) not in shown]
    assert missing == []
    assert reader.misses == [] and reader.leaks == []
