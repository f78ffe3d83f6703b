"""Login sessions on the demo platform (served with login required) over real HTTP, and one
browser check: Chromium with the storage_state from /_auth/login sees the comments."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from demo_platform.server import make_server

ACCOUNT = "ministerie-demo"
COMMENT_APIS = {
    "mastodon": "/api/v1/statuses/{id}/context",
    "x": "/x/i/api/graphql/TweetDetail?focalTweetId={id}",
    "facebook": "/facebook/api/graphql/CommentsList?postId={id}&order=ALL",
    "instagram": "/instagram/api/v1/media/{id}/comments/",
    "linkedin": "/linkedin/voyager/api/feed/comments?updateId=urn:li:activity:{id}&start=0&count=5",
    "youtube": "/youtube/youtubei/v1/next?videoId={id}",
    "tiktok": "/tiktok/api/comment/list/?aweme_id={id}&count=10",
}


class Site:
    def __init__(self, login_required: bool) -> None:
        self.server = make_server("127.0.0.1", 0, seed=1, login_required=login_required)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.host, self.port = self.server.server_address[:2]
        self.base = f"http://{self.host}:{self.port}"

    def request(self, path: str, method: str = "GET", headers: dict[str, str] | None = None
                ) -> tuple[int, http.client.HTTPMessage, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def json(self, path: str, method: str = "GET") -> Any:
        status, _, body = self.request(path, method)
        assert status == 200, (path, status)
        return json.loads(body)

    def busiest_post(self, skin: str) -> dict[str, Any]:
        posts = self.json(f"/_truth/{skin}/{ACCOUNT}.json")["posts"]
        return max(posts, key=lambda p: p["comment_count"])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    s = Site(login_required=True)
    yield s
    s.close()


def login(site: Site) -> tuple[dict[str, Any], http.client.HTTPMessage]:
    status, headers, body = site.request(f"/_auth/login?account={ACCOUNT}", "POST")
    assert status == 200
    return json.loads(body), headers


def cookie_header(state: dict[str, Any]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{c['name']}={c['value']}" for c in state["cookies"])}


def assert_logged_out(site: Site, headers: dict[str, str] | None = None) -> None:
    for skin, api in COMMENT_APIS.items():
        post = site.busiest_post(skin)
        status, _, body = site.request(path_of(post["url"]), headers=headers)
        html = body.decode()
        assert status == 200 and 'class="login-prompt" data-login-required' in html, skin
        assert "logged-in-account" not in html
        status, reply_headers, body = site.request(api.format(id=post["id"]), headers=headers)
        assert status == 401 and json.loads(body)["error"] == "login_required", skin
        assert reply_headers["Content-Type"].startswith("application/json")
        assert post["comments"][0]["text"] not in body.decode()


def test_without_a_session_comments_are_hidden(site: Site) -> None:
    assert_logged_out(site)
    profile = site.request(f"/@{ACCOUNT}")[2].decode()  # profiles and timelines stay public
    assert "data-login-required" not in profile
    for path in ("/_auth/login", "/_auth/expire", "/_clock/advance"):
        assert site.request(path)[0] == 405  # only POST changes state, and nothing links here
        assert path not in profile


def test_login_gives_a_playwright_storage_state(site: Site) -> None:
    state, headers = login(site)
    assert set(state) == {"cookies", "origins"}
    names = [c["name"] for c in state["cookies"]]
    assert names == ["_session_id", "remember_user_token"]
    for cookie in state["cookies"]:
        assert set(cookie) == {"name", "value", "domain", "path", "expires", "httpOnly", "secure", "sameSite"}
        assert cookie["domain"] == "127.0.0.1" and cookie["path"] == "/"
        assert cookie["sameSite"] in ("Lax", "Strict", "None")
        assert len(cookie["value"]) >= 32
    assert state["origins"][0]["origin"] == site.base
    assert state["origins"][0]["localStorage"][0]["name"] == "auth_token"
    set_cookies = headers.get_all("Set-Cookie")
    assert any(v.startswith(f"_session_id={state['cookies'][0]['value']};") for v in set_cookies)
    assert any(v.startswith("remember_user_token=") for v in set_cookies)
    other, _ = login(site)
    assert other["cookies"][0]["value"] != state["cookies"][0]["value"]  # random per login


def test_a_session_shows_comments_until_it_expires(site: Site) -> None:
    state, _ = login(site)
    cookies = cookie_header(state)
    session_id = state["cookies"][0]["value"]
    for skin, api in COMMENT_APIS.items():
        post = site.busiest_post(skin)
        status, headers, body = site.request(path_of(post["url"]), headers=cookies)
        html = body.decode()
        assert status == 200 and "data-login-required" not in html, skin
        assert 'class="logged-in-account" href=' in html and f">@{ACCOUNT}</a>" in html
        assert f"_session_id={session_id}; HttpOnly; Path=/" in headers.get_all("Set-Cookie")[0]
        status, headers, body = site.request(api.format(id=post["id"]), headers=cookies)
        assert status == 200, skin
        first_top = next(c for c in post["comments"] if c["parent"] is None)
        assert json.dumps(first_top["text"], ensure_ascii=False)[1:-1] in body.decode(), skin
        assert headers.get_all("Set-Cookie")  # the API refreshes the session cookie too
    bearer = {"Authorization": f"Bearer {state['origins'][0]['localStorage'][0]['value']}"}
    post = site.busiest_post("mastodon")
    assert site.request(COMMENT_APIS["mastodon"].format(id=post["id"]), headers=bearer)[0] == 200
    assert site.request(COMMENT_APIS["mastodon"].format(id=post["id"]),
                        headers={"Authorization": "Bearer nope"})[0] == 401

    assert site.json("/_auth/expire", "POST")["expired"] >= 1
    assert_logged_out(site, cookies)
    assert site.request(COMMENT_APIS["mastodon"].format(id=post["id"]), headers=bearer)[0] == 401


def test_without_login_required_sessions_only_add_the_header() -> None:
    site = Site(login_required=False)
    try:
        post = site.busiest_post("x")
        anonymous = site.request(path_of(post["url"]))
        assert anonymous[0] == 200 and b"data-login-required" not in anonymous[2]
        assert anonymous[1].get_all("Set-Cookie") is None
        assert site.request(COMMENT_APIS["x"].format(id=post["id"]))[0] == 200
        state, _ = login(site)
        logged_in = site.request(path_of(post["url"]), headers=cookie_header(state))[2].decode()
        assert "logged-in-account" in logged_in
        assert site.request("/_auth/login?account=niemand", "POST")[0] == 404
    finally:
        site.close()


def test_browser_with_the_storage_state_sees_comments(site: Site, browser: Any) -> None:
    state, _ = login(site)
    post = site.busiest_post("mastodon")
    anonymous = browser.new_context()
    logged_in = browser.new_context(storage_state=state)
    try:
        page = anonymous.new_page()
        page.goto(post["url"])
        page.locator(".detailed-status").wait_for()
        assert page.locator("[data-login-required]").is_visible()
        assert page.locator(".status.reply").count() == 0
        page = logged_in.new_page()
        page.goto(post["url"])
        page.locator(".status.reply").first.wait_for()
        assert page.locator("[data-login-required]").count() == 0
        assert page.locator(".logged-in-account").inner_text() == f"@{ACCOUNT}"
        assert page.locator(".status.reply").count() >= 1
        assert page.evaluate("localStorage.getItem('auth_token')") == state["origins"][0]["localStorage"][0]["value"]
    finally:
        anonymous.close()
        logged_in.close()
