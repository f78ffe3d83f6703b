"""Capturing the demo Instagram account (grid, login nag, carousels, paged comments, hidden
replies), then replaying it offline with pywb, as a reader would."""

from __future__ import annotations

import re

import pytest
from archive_checks import Reader, norm, pages, replay_url

from crawler.profiles import resolve

SKIN = "instagram"
CLOSE = 'div[role="dialog"] button:has(svg[aria-label="Sluiten"])'
MORE = 'button[aria-label="Meer reacties laden"]'
CODE = re.compile(r"/instagram/p/([A-Za-z0-9_-]+)/")


@pytest.fixture(scope="module")
def ig_crawl(skin_archives):
    return skin_archives.crawl(SKIN)


@pytest.fixture(scope="module")
def truth(platform):
    return platform.truth(SKIN)


# --- the skin's quirks, cheaply over HTTP ------------------------------------------------------

def test_profile_urls_resolve_to_the_right_profiles(platform):
    assert resolve(f"{platform.base}/instagram/ministerie-demo/")[0].name == SKIN
    assert resolve(f"{platform.base}/@ministerie-demo")[0].name == "mastodon"


def test_first_comment_response_hides_comments(platform, truth):
    post = max(truth["posts"], key=lambda p: p["comment_count"])
    first = platform.get_json(f"/instagram/api/v1/media/{post['id']}/comments/")
    assert first["comment_count"] == post["comment_count"]
    assert first["has_more_comments"] and first["next_min_id"]
    assert len(first["comments"]) < post["comment_count"]
    # replies are never inline: only a count that the "Antwoorden bekijken (N)" button shows
    assert all("child_comments" not in c for c in first["comments"])
    replies = [c for c in first["comments"] if c["child_comment_count"]]
    assert replies
    child = platform.get_json(f"/instagram/api/v1/media/{post['id']}/comments/"
                              f"{replies[0]['pk']}/child_comments/")
    assert len(child["child_comments"]) == replies[0]["child_comment_count"]


def test_every_post_has_a_picture_and_some_are_carousels(platform, truth):
    account = platform.get_json(f"/instagram/api/v1/feed/user/{_user_id(platform)}/?count=33")
    assert account["more_available"] and len(account["items"]) == 33
    assert all(item["image_versions2"]["candidates"] for item in account["items"])
    assert any(len(item.get("carousel_media", [])) >= 2 for item in account["items"])
    assert {item["code"] for item in account["items"]} <= {CODE.search(p["url"])[1] for p in truth["posts"]}


def _user_id(platform) -> str:
    import urllib.request

    with urllib.request.urlopen(f"{platform.base}/instagram/ministerie-demo/", timeout=10) as resp:
        html = resp.read().decode()
    return re.search(r'id="grid"[^>]*data-user-id="(\d+)"', html)[1]


def test_login_nag_blocks_the_grid_until_closed(page, platform):
    page.set_viewport_size({"width": 1200, "height": 800})
    page.goto(f"{platform.base}/instagram/ministerie-demo/", wait_until="networkidle")
    for _ in range(40):
        if page.locator('div[role="dialog"]').count():
            break
        page.mouse.wheel(0, 900)
        page.wait_for_timeout(100)
    assert page.locator('div[role="dialog"]').count() == 1
    tiles = page.locator("#grid .grid-item").count()
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(500)
    assert page.locator("#grid .grid-item").count() == tiles == 24
    page.locator(CLOSE).click()
    page.mouse.wheel(0, 3000)
    page.wait_for_function("document.querySelectorAll('#grid .grid-item').length > 24")
    assert page.locator('div[role="dialog"]').count() == 0


# --- the crawl ------------------------------------------------------------------------------









# --- replay ---------------------------------------------------------------------------------

@pytest.fixture()
def reader(page, skin_archives, ig_crawl):
    return Reader(page, skin_archives.replay(SKIN))


def test_replayed_grid_reaches_every_post(reader, ig_crawl, truth):
    row = next(r for r in pages(ig_crawl.archive) if r["kind"] == "profile")
    reader.page.goto(replay_url(reader.base, row), wait_until="networkidle")
    assert norm(truth["account"]["name"]) in norm(reader.page.inner_text("header.profile-header"))
    closed = 0
    for _ in range(200):
        if reader.page.locator(CLOSE).count():
            reader.page.locator(CLOSE).click()
            closed += 1
        if reader.page.locator(".feed-end").count():
            break
        reader.page.mouse.wheel(0, 900)
        reader.page.wait_for_timeout(150)
    assert closed == 1, "the login nag showed once and was closed"
    hrefs = reader.page.locator("#grid a.grid-link").evaluate_all("els => els.map(e => e.href)")
    shown = {m[1] for h in hrefs if (m := CODE.search(h))}
    assert [p["id"] for p in truth["posts"] if CODE.search(p["url"])[1] not in shown] == []
    assert reader.misses == [] and reader.leaks == []


def test_replayed_posts_show_every_comment(reader, ig_crawl, truth):
    by_url = {r["url"]: r for r in pages(ig_crawl.archive)}
    busiest = sorted(truth["posts"], key=lambda p: p["comment_count"], reverse=True)
    missing = []
    for post in busiest:
        reader.page.goto(replay_url(reader.base, by_url[post["url"]]), wait_until="networkidle")
        reader.page.locator(".post-layout").wait_for()
        reader.click_all(MORE)
        reader.click_all("button.view-replies")
        shown = {norm(t) for t in reader.page.locator("li.comment .comment-text").all_inner_texts()}
        missing += [c["id"] for c in post["comments"] if norm(c["text"]) not in shown]
        counter = reader.page.locator('[data-counter="comments"]').get_attribute("data-count")
        assert int(counter) == post["comment_count"] == reader.page.locator("li.comment").count()
        assert reader.page.locator(".carousel-slides .slide").count() >= 1
    assert missing == []
    assert reader.misses == [] and reader.leaks == []
