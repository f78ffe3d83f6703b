"""The demo platform's clock: POST /_clock/advance and `sma platform advance` over real HTTP.

Servers run in-process on free ports; the advance goes through the real CLI. One browser check:
an edited post's page shows Mastodon's edited marker and the new text.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import run_sma

from demo_platform.server import make_server
from demo_platform.skins.instagram import shortcode

ACCOUNT = "ministerie-demo"
SKINS = ("mastodon", "instagram", "linkedin", "x", "facebook", "youtube", "tiktok")
KINDS = {(k, c) for k in ("post", "comment") for c in ("new", "edited", "deleted")}
GONE = {"mastodon": 410}  # every other skin answers 404 for a deleted post's page
COUNTERS = {
    "mastodon": r'data-counter="posts" data-count="(\d+)"',
    "facebook": r'data-counter="posts" data-count="(\d+)"',
    "instagram": r'data-counter="posts" data-count="(\d+)"',
    "linkedin": r'data-counter="posts" data-count="(\d+)"',
    "x": r'data-testid="UserPostCount" data-count="(\d+)"',
    "youtube": r'id="videos-count" data-count="(\d+)"',
    "tiktok": r'data-video-count="(\d+)"',
}


@dataclass
class Served:
    server: Any
    host: str
    port: int

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(self, path: str, method: str = "GET", headers: dict[str, str] | None = None
                ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def json(self, path: str, method: str = "GET", host: str | None = None) -> Any:
        status, _, body = self.request(path, method, {"Host": host} if host else None)
        assert status == 200, (path, status, body[:200])
        return json.loads(body)

    def text(self, path: str) -> str:
        status, _, body = self.request(path)
        assert status == 200, (path, status)
        return body.decode()

    def account_id(self, skin: str) -> str:
        return self.server.world.account(skin, ACCOUNT).id

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve(seed: int = 1) -> Served:
    server = make_server("127.0.0.1", 0, seed=seed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return Served(server, host, port)


def everything(site: Served) -> dict[str, Any]:
    """Truth and clock changes of every skin, with URLs built for one fixed host."""
    host = "demo.test:8700"
    return {skin: (site.json(f"/_truth/{skin}/{ACCOUNT}.json", host=host),
                   site.json(f"/_truth/{skin}/{ACCOUNT}/changes.json", host=host))
            for skin in SKINS}


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


# --- every skin's timeline API: post id -> (text, edited marker in the JSON) ------------------
def mastodon_timeline(site: Served) -> dict[str, tuple[str, bool]]:
    found, max_id = {}, ""
    while True:
        page = site.json(f"/api/v1/accounts/{site.account_id('mastodon')}/statuses?limit=40{max_id}")
        if not page:
            return found
        found.update({s["id"]: (re.sub(r"</?p>", "", s["content"]), bool(s["edited_at"])) for s in page})
        max_id = f"&max_id={page[-1]['id']}"


def x_timeline(site: Served) -> dict[str, tuple[str, bool]]:
    found, cursor = {}, ""
    while True:
        data = site.json(f"/x/i/api/graphql/UserTweets?userId={site.account_id('x')}&count=40{cursor}")
        entries = data["data"]["user"]["result"]["timeline_v2"]["timeline"]["instructions"][0]["entries"]
        tweets = [e["content"]["itemContent"]["tweet_results"]["result"] for e in entries
                  if e["content"]["entryType"] == "TimelineTimelineItem"]
        found.update({t["rest_id"]: (t["legacy"]["full_text"], "edited_at" in t["legacy"]) for t in tweets})
        bottom = [e for e in entries if e["content"].get("cursorType") == "Bottom"]
        if not tweets or not bottom:
            return found
        cursor = f"&cursor={bottom[0]['content']['value']}"


def facebook_timeline(site: Served) -> dict[str, tuple[str, bool]]:
    found, cursor = {}, ""
    while True:
        data = site.json(f"/facebook/api/graphql/ProfileTimeline?id={site.account_id('facebook')}{cursor}")
        feed = data["data"]["node"]["timeline_feed_units"]
        found.update({e["node"]["post_id"]: (e["node"]["message"]["text"], "edited_time" in e["node"])
                      for e in feed["edges"]})
        if not feed["page_info"]["has_next_page"]:
            return found
        cursor = f"&cursor={feed['page_info']['end_cursor']}"


def instagram_timeline(site: Served) -> dict[str, tuple[str, bool]]:
    found, max_id = {}, ""
    while True:
        data = site.json(f"/instagram/api/v1/feed/user/{site.account_id('instagram')}/?count=33{max_id}")
        found.update({i["pk"]: (i["caption"]["text"], bool(i.get("caption_is_edited"))) for i in data["items"]})
        if not data["more_available"]:
            return found
        max_id = f"&max_id={data['next_max_id']}"


def linkedin_timeline(site: Served) -> dict[str, tuple[str, bool]]:
    found, start = {}, 0
    while True:
        data = site.json(f"/linkedin/voyager/api/organization/updates?companyId={site.account_id('linkedin')}"
                         f"&start={start}&count=50")
        found.update({u["id"]: (u["commentary"]["text"], "editedAt" in u) for u in data["elements"]})
        start += 50
        if start >= data["paging"]["total"]:
            return found


def youtube_timeline(site: Served) -> dict[str, tuple[str, bool]]:
    found, token = {}, ""
    while True:
        data = site.json(f"/youtube/youtubei/v1/browse?channelId={site.account_id('youtube')}{token}")
        # The grid carries no edited marker (the watch page does).
        found.update({i["videoId"]: (i["title"], False) for i in data["items"]})
        if not data["continuation"]:
            return found
        token = f"&continuation={data['continuation']}"


def tiktok_timeline(site: Served) -> dict[str, tuple[str, bool]]:
    data = site.json(f"/tiktok/api/post/item_list/?secUid={site.account_id('tiktok')}&count=50")
    found = {i["id"]: (i["desc"], False) for i in data["itemList"]}
    while data["hasMore"]:
        data = site.json(f"/tiktok/api/post/item_list/?secUid={site.account_id('tiktok')}"
                         f"&cursor={data['cursor']}&count=50")
        found.update({i["id"]: (i["desc"], False) for i in data["itemList"]})
    return found


TIMELINES: dict[str, Callable[[Served], dict[str, tuple[str, bool]]]] = {
    "mastodon": mastodon_timeline, "x": x_timeline, "facebook": facebook_timeline,
    "instagram": instagram_timeline, "linkedin": linkedin_timeline, "youtube": youtube_timeline,
    "tiktok": tiktok_timeline,
}
# Skins that render the edited marker into the post page's HTML (the others do it in their JS).
HTML_MARKER = {"youtube", "tiktok"}


# --- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def advanced() -> Iterator[tuple[Served, dict[str, Any], str]]:
    """A platform as it was at day 0 (truth, pages) and after `sma platform advance --days 3`."""
    site = serve()
    before = {skin: site.json(f"/_truth/{skin}/{ACCOUNT}.json") for skin in SKINS}
    proc = run_sma("platform", "advance", "--days", "3", "--url", site.base, timeout=120)
    assert proc.returncode == 0, proc.stderr
    yield site, before, proc.stdout
    site.close()


# --- tests ---------------------------------------------------------------------------------
def test_same_seed_and_advances_give_the_same_world() -> None:
    sites = [serve(7), serve(7)]
    try:
        answers = []
        for site in sites:
            steps = [site.json("/_clock/advance?days=2", "POST"), site.json("/_clock/advance?hours=30", "POST")]
            answers.append([(a["now"], a["revision"], [{**c, "url": path_of(c["url"])} for c in a["changes"]])
                            for a in steps])
        assert answers[0] == answers[1]
        assert everything(sites[0]) == everything(sites[1])
        assert answers[0][1][0] == "2025-03-17T18:00:00.000Z"  # 14 March 12:00 + 2 days + 30 hours
    finally:
        for site in sites:
            site.close()


def test_day_0_does_not_depend_on_the_clock() -> None:
    """A server next to one that was advanced serves what a fresh server serves, and a
    never-advanced server has no clock traces."""
    fresh, other = serve(), serve()
    try:
        other.json("/_clock/advance?days=5", "POST")
        later = serve()
        try:
            assert everything(later) == everything(fresh)
            post = fresh.json(f"/_truth/mastodon/{ACCOUNT}.json")["posts"][0]
            for path in (f"/@{ACCOUNT}", path_of(post["url"]), f"/api/v1/statuses/{post['id']}/context",
                         "/static/mastodon.js"):
                same_host = {"Host": "demo.test:8700"}
                assert fresh.request(path, headers=same_host)[2] == later.request(path, headers=same_host)[2], path
        finally:
            later.close()
        for skin in SKINS:
            truth = fresh.json(f"/_truth/{skin}/{ACCOUNT}.json")
            assert truth["now"] == "2025-03-14T12:00:00.000Z"
            assert not any("edited_at" in p or any("edited_at" in c for c in p["comments"]) for p in truth["posts"])
            assert fresh.json(f"/_truth/{skin}/{ACCOUNT}/changes.json") == []
    finally:
        fresh.close()
        other.close()


def test_cli_summary_and_every_kind_of_change(advanced: tuple[Served, dict[str, Any], str]) -> None:
    site, before, stdout = advanced
    lines = stdout.strip().splitlines()
    assert lines[0].startswith("now 2025-03-17T12:00:00.000Z")
    assert sorted(line.split(":")[0] for line in lines[1:]) == sorted(SKINS)
    for skin in SKINS:
        changes = site.json(f"/_truth/{skin}/{ACCOUNT}/changes.json")
        assert {(c["kind"], c["change"]) for c in changes} == KINDS, skin
        old_ids = {p["id"] for p in before[skin]["posts"]}
        assert any(c["kind"] == "comment" and c["change"] == "new" and
                   any(c["url"] == p["url"] for p in before[skin]["posts"]) for c in changes), skin
        assert all("2025-03-14T12:00:00.000Z" < c["at"] <= "2025-03-17T12:00:00.000Z" for c in changes)
        assert all(c["id"] not in old_ids for c in changes if c["kind"] == "post" and c["change"] == "new")


def test_cli_errors_are_one_line(advanced: tuple[Served, dict[str, Any], str]) -> None:
    site = advanced[0]
    for args, code in ((("--days", "0"), 2), (("--days", "drie"), 2), ((), 2),
                       (("--days", "1", "--url", "http://127.0.0.1:9"), 1), (("--days", "9999"), 1)):
        extra = () if "--url" in args else ("--url", site.base)
        proc = run_sma("platform", "advance", *args, *extra, timeout=60)
        assert proc.returncode == code, (args, proc.stderr)
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("sma: error: "), proc.stderr
    assert site.request("/_clock/advance?days=1")[0] == 405  # only POST changes state


@pytest.mark.parametrize("skin", SKINS)
def test_the_skin_shows_every_change(advanced: tuple[Served, dict[str, Any], str], skin: str) -> None:
    site, before, _ = advanced
    truth = site.json(f"/_truth/{skin}/{ACCOUNT}.json")
    changes = site.json(f"/_truth/{skin}/{ACCOUNT}/changes.json")
    by = {(k, ch): [c for c in changes if (c["kind"], c["change"]) == (k, ch)] for k, ch in KINDS}
    posts = {p["id"]: p for p in truth["posts"]}
    timeline = TIMELINES[skin](site)
    profile = site.text(path_of(truth["account"]["url"]))
    counter = int(re.search(COUNTERS[skin], profile)[1])
    assert counter == truth["account"]["post_count"] == len(timeline) == len(posts)
    assert counter == len(before[skin]["posts"]) + len(by["post", "new"]) - len(by["post", "deleted"])

    for change in by["post", "deleted"]:
        status, _, body = site.request(path_of(change["url"]))
        assert status == GONE.get(skin, 404), (skin, status)
        assert change["id"] not in timeline and change["id"] not in posts
    newest = max(timeline, key=int)
    assert newest in {c["id"] for c in by["post", "new"]}  # new posts come out on top
    for change in by["post", "edited"]:
        if change["id"] not in posts:
            continue  # edited, then deleted in the same advance
        post = posts[change["id"]]
        assert post["edited_at"] == change["at"] and post["text"].startswith(
            next(p["text"] for p in before[skin]["posts"] if p["id"] == change["id"]))
        text, marked = timeline[change["id"]]
        assert " ".join(text.split()) == post["text"]
        page = site.text(path_of(post["url"]))
        if skin in HTML_MARKER:
            assert f'data-edited-at="{post["edited_at"]}"' in page and "bewerkt" in page.lower()
        else:
            assert marked, (skin, "edited post without a marker in the API")
    # Comments: deleted ones gone from the thread and the counter, new and edited ones in truth
    # with their personal data still recorded.
    for change in by["comment", "deleted"]:
        post = next((p for p in truth["posts"] if p["url"] == change["url"]), None)
        if post is not None:
            assert change["id"] not in {c["id"] for c in post["comments"]}
            assert post["comment_count"] == len(post["comments"])
    for change in by["comment", "new"] + by["comment", "edited"]:
        post = next((p for p in truth["posts"] if p["url"] == change["url"]), None)
        comment = next((c for c in post["comments"] if c["id"] == change["id"]), None) if post else None
        if comment is None:
            continue  # its post was deleted later in the advance
        assert all(p["value"] in comment["text"] for p in comment["pii"])
        if change["change"] == "edited":
            assert comment["edited_at"] == change["at"]


def test_deleted_comment_leaves_the_api_and_the_counter(advanced: tuple[Served, dict[str, Any], str]) -> None:
    site = advanced[0]
    changes = site.json(f"/_truth/mastodon/{ACCOUNT}/changes.json")
    deleted = next(c for c in changes if c["kind"] == "comment" and c["change"] == "deleted")
    post_id = deleted["url"].rsplit("/", 1)[1]
    assert site.request(f"/api/v1/statuses/{deleted['id']}")[0] == 404
    truth = site.json(f"/_truth/mastodon/{ACCOUNT}.json")
    post = next(p for p in truth["posts"] if p["id"] == post_id)
    status = site.json(f"/api/v1/statuses/{post_id}")
    assert status["comments_count"] == post["comment_count"]
    shown = {s["id"] for s in site.json(f"/api/v1/statuses/{post_id}/context")["descendants"]}
    assert deleted["id"] not in shown


def test_etags_follow_the_content() -> None:
    site = serve()
    try:
        path = f"/api/v1/accounts/{site.account_id('mastodon')}/statuses?limit=20"
        status, headers, _ = site.request(path)
        etag = headers["ETag"]
        assert site.request(path, headers={"If-None-Match": etag})[0] == 304
        site.json("/_clock/advance?days=3", "POST")
        status, headers, _ = site.request(path, headers={"If-None-Match": etag})
        assert status == 200 and headers["ETag"] != etag
    finally:
        site.close()


def test_edited_post_in_the_browser(advanced: tuple[Served, dict[str, Any], str], page: Any) -> None:
    site = advanced[0]
    changes = site.json(f"/_truth/mastodon/{ACCOUNT}/changes.json")
    truth = {p["id"]: p for p in site.json(f"/_truth/mastodon/{ACCOUNT}.json")["posts"]}
    edited = next(truth[c["id"]] for c in changes if c["kind"] == "post" and c["change"] == "edited"
                  and c["id"] in truth)
    page.goto(edited["url"])
    marker = page.locator(".detailed-status__edited")
    marker.wait_for()
    assert marker.get_attribute("data-edited-at") == edited["edited_at"]
    assert marker.inner_text().startswith("bewerkt op")
    assert " ".join(page.locator(".detailed-status .status__content").inner_text().split()) == edited["text"]


def test_instagram_shortcode_urls_of_new_posts_resolve(advanced: tuple[Served, dict[str, Any], str]) -> None:
    site = advanced[0]
    changes = site.json(f"/_truth/instagram/{ACCOUNT}/changes.json")
    for change in changes:
        if change["kind"] == "post" and change["change"] == "new":
            assert path_of(change["url"]) == f"/instagram/p/{shortcode(change['id'])}/"
            assert site.request(path_of(change["url"]))[0] == 200
