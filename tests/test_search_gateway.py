"""In real Chromium through the real `sma replay` gateway: search as each role, open the result, and
the replayed page's banner says it is an archived copy, of when, and which copy the role sees."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CrawlRun, Platform
from gateway_helpers import PASSWORDS, Gateway, add_user, copy_archive, start_gateway, stop_gateway
from playwright.sync_api import Page, expect


@pytest.fixture(scope="module")
def gw(mastodon_crawl: CrawlRun, skin_archives: object, platform: Platform,
       tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    from test_search import _approve, crawl_env

    archive = copy_archive(mastodon_crawl.archive, tmp_path_factory.mktemp("search-gw") / "archive")
    truth = platform.truth("mastodon")
    _approve(archive, next(p for p in truth["posts"] if p["comments"])["url"], crawl_env(skin_archives))
    for name, (role, password) in PASSWORDS.items():
        assert add_user(archive, name, role, password).returncode == 0
    gateway = start_gateway(archive)
    yield gateway
    stop_gateway(gateway)


def _sign_in(page: Page, gw: Gateway, user: str) -> None:
    page.goto(gw.base + "/_sma/login")
    page.fill("#user", user)
    page.fill("#password", PASSWORDS[user][1])
    page.click("#sign-in")
    expect(page.locator("#sma-landing")).to_have_attribute("data-role", PASSWORDS[user][0])


def _search(page: Page, gw: Gateway, words: str) -> None:
    page.goto(gw.base + "/_sma/search")
    page.fill("#sma-q", words)
    page.check("#sma-has-comments")
    page.click("#sma-search-go")
    expect(page.locator("#sma-total")).to_be_visible()


def _words_and_comment(platform: Platform) -> tuple[str, dict, dict]:
    from test_search import _words

    truth = platform.truth("mastodon")
    post = next(p for p in truth["posts"] if p["comments"])  # the approved one
    comment = next(c for c in post["comments"] if len(_words(c)) >= 2 and c["author"]["name"] not in c["text"])
    return " ".join(_words(comment)), comment, post


def _open_hit_and_check_banner(page: Page, comment_id: str, copy: str) -> None:
    hit = page.locator(f'li.sma-hit[data-id="{comment_id}"]')
    expect(hit).to_have_count(1)
    link = hit.locator("a.sma-replay")
    ts = link.get_attribute("href").split("/")[2]
    link.click()
    banner = page.locator("#sma-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("data-copy", copy)
    assert banner.get_attribute("data-ts") == ts
    shown = f"{ts[0:4]}-{ts[4:6]}-{ts[6:8]} {ts[8:10]}:{ts[10:12]}:{ts[12:14]} UTC"
    expect(page.locator("#sma-banner-time")).to_contain_text(shown)
    expect(banner).to_contain_text("Gearchiveerde kopie")
    # outside the page's own layout: the bar is above the archived page's first element
    box = banner.bounding_box()
    assert box is not None and box["y"] <= 1 and box["width"] > 300


def test_archivist_finds_words_and_name_and_replays_the_original(gw: Gateway, page: Page,
                                                                 platform: Platform) -> None:
    words, comment, _ = _words_and_comment(platform)
    _sign_in(page, gw, "arch")
    _search(page, gw, words)
    expect(page.locator(f'li.sma-hit[data-id="{comment["id"]}"] .sma-author')).to_contain_text(
        comment["author"]["name"])
    _search(page, gw, f'"{comment["author"]["name"]}"')
    expect(page.locator(f'li.sma-hit[data-id="{comment["id"]}"]')).to_have_count(1)
    _open_hit_and_check_banner(page, comment["id"], "original")
    expect(page.locator("#sma-banner-copy")).to_contain_text("originele opname")


def test_researcher_finds_words_never_the_name_and_replays_the_pseudonymised_copy(
        gw: Gateway, page: Page, platform: Platform) -> None:
    words, comment, _ = _words_and_comment(platform)
    _sign_in(page, gw, "res")
    author = comment["author"]
    for query in (f'"{author["name"]}"', author["handle"], author["handle"].lstrip("@")[:5] + "*",
                  author["name"].split()[-1][:4] + "*"):
        _search(page, gw, query)
        assert author["name"] not in page.inner_text("#sma-hits")
        assert author["handle"].lstrip("@") not in page.inner_text("#sma-hits")
    _search(page, gw, words)
    expect(page.locator(f'li.sma-hit[data-id="{comment["id"]}"] .sma-author')).to_contain_text("Burger-")
    _open_hit_and_check_banner(page, comment["id"], "access")
    expect(page.locator("#sma-banner-copy")).to_contain_text("gepseudonimiseerde kopie")
    assert author["name"] not in page.content()


def test_public_finds_only_the_approved_page(gw: Gateway, page: Page,
                                                                  platform: Platform) -> None:
    words, comment, post = _words_and_comment(platform)
    page.goto(gw.base + "/")  # anonymous: the public role
    expect(page.locator("#sma-landing")).to_have_attribute("data-role", "public")
    _search(page, gw, words)
    _open_hit_and_check_banner(page, comment["id"], "public")
    expect(page.locator("#sma-banner-copy")).to_contain_text("openbare versie")
    other = next(p for p in platform.truth("mastodon")["posts"] if p["comments"] and p["url"] != post["url"])
    from test_search import _words as words_of

    _search(page, gw, " ".join(words_of(other["comments"][0], 2)))
    for href in page.locator("a.sma-replay").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        assert href.endswith(post["url"])


def test_banner_template_names_the_view_and_a_published_pages_woo_grounds(tmp_path: Path) -> None:
    import json

    from replay.banner import banner_template

    url = "http://demo.social/@ministerie-demo/1"
    (tmp_path / "public").mkdir()
    row = {"id": "c-1", "url": url, "ts": "2026-01-01T00:00:00Z"}
    (tmp_path / "public" / "pages.jsonl").write_text(json.dumps(row))
    (tmp_path / "woo" / "requests").mkdir(parents=True)
    review = {"page_id": "c-1", "status": "approved",
              "items": {"Burger-1": {"decision": "accept", "ground": "5.1.1e"}},
              "texts": [{"ground": "5.1.2e"}], "regions": []}
    (tmp_path / "woo" / "requests" / "woo-20260101-abcdef.json").write_text(json.dumps({"pages": {"c-1": review}}))
    public = banner_template(tmp_path, tmp_path / "public")
    assert '"5.1.1e"' in public and '"5.1.2e"' in public and url in public
    assert "5.1.1e" not in banner_template(tmp_path, tmp_path / "access")  # grounds only on the public version

    for view, label in (("original", "originele opname"), ("access", "gepseudonimiseerde kopie"),
                        ("public", "openbare versie")):
        text = banner_template(tmp_path, tmp_path / view)
        assert f'data-copy="{view}"' in text and label in text
