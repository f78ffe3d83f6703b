"""The demo platform on its own: ground truth, content rules, determinism and HTTP behaviour.

Servers run in-process on free ports; requests go through http.client so redirects, gzip and
ranges are seen exactly as sent.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import signal
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo_platform.model import PII_TYPES
from demo_platform.pii import bsn_valid, iban_valid, plate_valid
from demo_platform.server import make_server

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "ministerie-demo"


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def json(self):
        return json.loads(self.body)


class Client:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.base = f"http://{host}:{port}"

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return Reply(resp.status, resp.headers, resp.read())
        finally:
            conn.close()


def start(seed: int) -> tuple[Client, object]:
    server = make_server("127.0.0.1", 0, seed=seed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return Client(host, port), server


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    c, server = start(1)
    yield c
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def truth(client: Client) -> dict:
    index = client.get("/_truth/index.json").json()
    return client.get(index["skins"][0]["accounts"][0]["truth"]).json()


def depth_of(comment: dict, by_id: dict[str, dict]) -> int:
    depth = 1
    while comment["parent"] is not None:
        comment = by_id[comment["parent"]]
        depth += 1
    return depth


# --- ground truth ---------------------------------------------------------------------------

def test_truth_index_lists_the_mastodon_account(client: Client) -> None:
    index = client.get("/_truth/index.json").json()
    assert {"skin": "mastodon", "accounts": [{
        "account": ACCOUNT, "url": f"{client.base}/@{ACCOUNT}",
        "truth": f"/_truth/mastodon/{ACCOUNT}.json"}]} in index["skins"]


def test_truth_urls_follow_the_host_header(client: Client) -> None:
    index = client.get("/_truth/index.json", {"Host": "archief.example:9000"}).json()
    assert index["skins"][0]["accounts"][0]["url"] == f"http://archief.example:9000/@{ACCOUNT}"


def test_truth_shape_and_counts(client: Client, truth: dict) -> None:
    account = truth["account"]
    assert account == {"url": f"{client.base}/@{ACCOUNT}", "name": "Ministerie van Demo",
                       "handle": ACCOUNT, "post_count": len(truth["posts"])}
    posts = truth["posts"]
    assert len(posts) >= 60
    assert len({p["id"] for p in posts}) == len(posts)
    counts = [p["comment_count"] for p in posts]
    assert 0 in counts and sum(2 <= n <= 15 for n in counts) >= 30 and sum(n >= 25 for n in counts) >= 3
    authors = set()
    max_depth = 0
    for post in posts:
        assert set(post) == {"id", "url", "text", "comment_count", "comments"}
        assert post["url"] == f"{client.base}/@{ACCOUNT}/{post['id']}"
        assert post["text"] == " ".join(post["text"].split()) and post["text"]
        assert post["comment_count"] == len(post["comments"])
        seen: dict[str, dict] = {}
        for comment in post["comments"]:
            assert set(comment) == {"id", "parent", "author", "text", "pii"}
            assert comment["parent"] is None or comment["parent"] in seen  # thread order
            seen[comment["id"]] = comment
            authors.add(comment["author"]["handle"])
            assert set(comment["author"]) == {"name", "handle"}
            max_depth = max(max_depth, depth_of(comment, seen))
    assert len(authors) >= 30
    assert max_depth >= 3


def test_pii_is_recorded_exactly_and_passes_checksums(truth: dict) -> None:
    handles = {c["author"]["handle"] for p in truth["posts"] for c in p["comments"]}
    kinds = set()
    for post in truth["posts"]:
        for comment in post["comments"]:
            for item in comment["pii"]:
                kind, value = item["type"], item["value"]
                kinds.add(kind)
                assert value in comment["text"], (kind, value)
                if kind == "iban":
                    assert iban_valid(value), value
                elif kind == "bsn":
                    assert bsn_valid(value), value
                elif kind == "phone":
                    assert re.fullmatch(r"(\+31 ?6|06)[- ]?[\d ]{8,11}", value), value
                elif kind == "postcode":
                    assert re.fullmatch(r"[1-9]\d{3} [A-Z]{2} \d+\S*", value), value
                elif kind == "email":
                    assert re.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]+", value), value
                elif kind == "mention":
                    assert value.startswith("@") and value[1:] in handles, value
                elif kind == "plate":
                    assert plate_valid(value), value
                elif kind == "birthdate":
                    assert re.search(r"(19|20)\d\d", value), value
                else:
                    assert kind == "name" and len(value.split()) >= 2, value
    assert kinds == set(PII_TYPES)


def test_checksum_validators_reject_typos() -> None:
    assert iban_valid("NL91ABNA0417164300") and iban_valid("NL91 ABNA 0417 1643 00")
    assert not iban_valid("NL91ABNA0417164301")
    assert bsn_valid("111222333") and not bsn_valid("111222334")


def test_same_seed_same_bytes_other_seed_other_content(client: Client, truth: dict) -> None:
    again, server = start(1)
    other, server2 = start(2)
    try:
        host = {"Host": "platform.test"}
        post = truth["posts"][5]["id"]
        account_id = client.get(f"/api/v1/accounts/lookup?acct={ACCOUNT}").json()["id"]
        for path in (f"/_truth/mastodon/{ACCOUNT}.json", f"/@{ACCOUNT}", f"/@{ACCOUNT}/{post}",
                     f"/api/v1/accounts/{account_id}/statuses?limit=20", f"/api/v1/statuses/{post}/context",
                     "/static/mastodon.js"):
            assert client.get(path, host).body == again.get(path, host).body, path
        mine = client.get(f"/_truth/mastodon/{ACCOUNT}.json", host).json()
        theirs = other.get(f"/_truth/mastodon/{ACCOUNT}.json", host).json()
        assert [p["text"] for p in mine["posts"]] != [p["text"] for p in theirs["posts"]]
        assert {p["id"] for p in mine["posts"]}.isdisjoint({p["id"] for p in theirs["posts"]})
    finally:
        for s in (server, server2):
            s.shutdown()
            s.server_close()


# --- pages and API ----------------------------------------------------------------------------

def test_profile_page_is_server_rendered_header_with_empty_timeline(client: Client, truth: dict) -> None:
    reply = client.get(f"/@{ACCOUNT}")
    assert reply.status == 200 and reply.header("Content-Type") == "text/html; charset=utf-8"
    html = reply.body.decode()
    assert '<meta name="generator" content="Mastodon (SMA demo)">' in html
    assert 'class="account__header"' in html and "Ministerie van Demo" in html and f"@{ACCOUNT}" in html
    posts = re.search(r'data-counter="posts" data-count="(\d+)"', html)
    assert posts and int(posts[1]) == len(truth["posts"])
    assert re.search(r'data-counter="followers" data-count="\d+"', html)
    assert re.search(r'<div class="item-list" id="timeline"[^>]*></div>', html)
    assert "article" not in html and '<script src="/static/mastodon.js"' in html
    assert "/_truth" not in html


def test_timeline_api_paginates_with_max_id_and_link_header(client: Client, truth: dict) -> None:
    account_id = client.get(f"/api/v1/accounts/lookup?acct={ACCOUNT}").json()["id"]
    path = f"/api/v1/accounts/{account_id}/statuses?limit=20&_=123"
    ids: list[str] = []
    pages = 0
    while True:
        reply = client.get(path)
        assert reply.status == 200 and reply.header("Cache-Control") == "private, no-store"
        items = reply.json()
        pages += 1
        if not items:
            assert reply.header("Link") is None
            break
        assert len(items) <= 20
        ids += [s["id"] for s in items]
        link = re.fullmatch(r'<([^>]+)>; rel="next"', reply.header("Link") or "")
        assert link and f"max_id={items[-1]['id']}" in link[1]
        path = link[1].removeprefix(client.base) + "&_=456"
    assert ids == [p["id"] for p in truth["posts"]] and pages == 5
    first = client.get(path.split("?")[0] + "?limit=1").json()[0]
    assert first["comments_count"] == truth["posts"][0]["comment_count"]
    assert first["content"] == f"<p>{truth['posts'][0]['text']}</p>".replace("&", "&amp;")


def thread_via_api(client: Client, post_id: str) -> tuple[set[str], set[str], int]:
    """What the page's JS ends up showing: the context, then every "more replies" fetch."""
    context = client.get(f"/api/v1/statuses/{post_id}/context").json()
    first = {s["id"] for s in context["descendants"]}
    shown = set(first)
    counts = {post_id: client.get(f"/api/v1/statuses/{post_id}").json()["replies_count"]}
    counts |= {s["id"]: s["replies_count"] for s in context["descendants"]}
    children: dict[str, int] = {}
    for s in context["descendants"]:
        children[s["in_reply_to_id"]] = children.get(s["in_reply_to_id"], 0) + 1
    clicks = 0
    pending = [i for i, n in counts.items() if n > children.get(i, 0)]
    while pending:
        parent = pending.pop()
        clicks += 1
        for s in client.get(f"/api/v1/statuses/{parent}/replies?limit=40&_=1").json():
            assert s["in_reply_to_id"] == parent
            if s["id"] not in shown:
                shown.add(s["id"])
                if s["replies_count"]:
                    pending.append(s["id"])
    return first, shown, clicks


def test_some_replies_only_arrive_after_clicks(client: Client, truth: dict) -> None:
    hidden_posts = 0
    for post in truth["posts"]:
        first, shown, clicks = thread_via_api(client, post["id"])
        assert shown == {c["id"] for c in post["comments"]}
        hidden_posts += first != shown
    assert hidden_posts >= 10


def test_post_page_shell_and_status_json(client: Client, truth: dict) -> None:
    post = max(truth["posts"], key=lambda p: p["comment_count"])
    html = client.get(f"/@{ACCOUNT}/{post['id']}").body.decode()
    assert f'id="thread" data-status-id="{post["id"]}"' in html
    assert 'class="status reply"' not in html  # rendered by JS only
    status = client.get(f"/api/v1/statuses/{post['id']}").json()
    assert status["comments_count"] == post["comment_count"]
    assert status["url"] == post["url"]


def test_media_images_video_and_avatar_redirect(client: Client) -> None:
    account_id = client.get(f"/api/v1/accounts/lookup?acct={ACCOUNT}").json()["id"]
    statuses = client.get(f"/api/v1/accounts/{account_id}/statuses?limit=40").json()
    attachments = [m for s in statuses for m in s["media_attachments"]]
    assert {"image", "video"} <= {m["type"] for m in attachments}
    image = next(m for m in attachments if m["type"] == "image")
    for url, width in ((image["preview_url"], 400), (image["url"], 1200)):
        reply = client.get(url.removeprefix(client.base))
        assert reply.status == 200 and reply.header("Content-Type") == "image/png"
        assert reply.header("Content-Encoding") is None
        assert_png(reply.body, width)
    video = next(m for m in attachments if m["type"] == "video")
    assert video["url"].endswith("/media/clip.webm")
    reply = client.get("/media/clip.webm", {"Accept-Encoding": "gzip"})
    assert reply.header("Content-Type") == "video/webm" and reply.header("Content-Encoding") is None
    assert reply.body[:4] == b"\x1a\x45\xdf\xa3" and len(reply.body) < 200_000
    redirect = client.get(f"/avatars/{ACCOUNT}")
    assert redirect.status == 302
    target = redirect.header("Location")
    assert re.fullmatch(r"/media/avatars/[0-9a-f]{16}\.png", target or "")
    assert_png(client.get(target).body, 120)
    assert client.get("/media/000000000000-400.png").status == 404


def assert_png(data: bytes, width: int) -> None:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and struct.unpack(">I", data[16:20])[0] == width
    assert struct.unpack(">I", data[29:33])[0] == zlib.crc32(data[12:29])


# --- HTTP behaviour ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", [f"/@{ACCOUNT}", "/api/v1/accounts/lookup?acct=ministerie-demo",
                                  "/static/mastodon.js", "/static/mastodon.css", "/_truth/index.json"])
def test_text_is_gzipped_only_when_asked(client: Client, path: str) -> None:
    plain = client.get(path)
    assert plain.header("Content-Encoding") is None
    assert int(plain.header("Content-Length")) == len(plain.body)
    packed = client.get(path, {"Accept-Encoding": "gzip, deflate, br"})
    assert packed.header("Content-Encoding") == "gzip" and packed.header("Vary") == "Accept-Encoding"
    assert int(packed.header("Content-Length")) == len(packed.body)
    assert gzip.decompress(packed.body) == plain.body
    assert client.get(path, {"Accept-Encoding": "gzip;q=0"}).header("Content-Encoding") is None
    for name in ("Date", "ETag", "Cache-Control", "Content-Type"):
        assert packed.header(name), name
    assert packed.header("ETag") != plain.header("ETag")


def test_etag_revalidation_and_head(client: Client) -> None:
    first = client.get("/static/mastodon.js")
    again = client.get("/static/mastodon.js", {"If-None-Match": first.header("ETag")})
    assert again.status == 304 and again.body == b""
    head = client.get(f"/@{ACCOUNT}", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert int(head.header("Content-Length")) == len(client.get(f"/@{ACCOUNT}").body)


def test_video_ranges(client: Client) -> None:
    full = client.get("/media/clip.webm").body
    assert client.get("/media/clip.webm").header("Accept-Ranges") == "bytes"
    cases = {"bytes=100-199": (100, 199), "bytes=0-": (0, len(full) - 1),
             "bytes=-500": (len(full) - 500, len(full) - 1),
             f"bytes=10-{len(full) + 99}": (10, len(full) - 1)}
    for header, (start, end) in cases.items():
        reply = client.get("/media/clip.webm", {"Range": header})
        assert reply.status == 206, header
        assert reply.header("Content-Range") == f"bytes {start}-{end}/{len(full)}"
        assert reply.body == full[start:end + 1]
        assert int(reply.header("Content-Length")) == end - start + 1
    for bad in (f"bytes={len(full)}-", "bytes=500-100"):
        reply = client.get("/media/clip.webm", {"Range": bad})
        assert reply.status == 416 and reply.header("Content-Range") == f"bytes */{len(full)}"
    assert client.get("/media/clip.webm", {"Range": "pages=1-2"}).status == 200


def test_not_found_and_redirects(client: Client, truth: dict) -> None:
    for path in ("/@niemand", f"/@{ACCOUNT}/123456", "/nergens", "/users/niemand"):
        reply = client.get(path)
        assert reply.status == 404 and reply.header("Content-Type").startswith("text/html"), path
        assert "Mastodon (SMA demo)" in reply.body.decode()
    assert client.get("/api/v1/statuses/42").status == 404
    assert client.get("/_truth/mastodon/niemand.json").status == 404
    moved = client.get(f"/users/{ACCOUNT}")
    assert moved.status == 301 and moved.header("Location") == f"/@{ACCOUNT}"
    about = client.get("/about")
    assert about.status == 200 and b"account__header" not in about.body
    commenter = truth["posts"][0]["comments"][0]["author"]["handle"] if truth["posts"][0]["comments"] else None
    if commenter:
        assert client.get(f"/@{commenter}").status == 200
    assert client.get("/", method="POST").status == 405


def test_module_entry_point_prints_banner_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "demo_platform", "--port", "0", "--seed", "3"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.fullmatch(r"SMA demo platform on http://127\.0\.0\.1:(\d+) \(seed 3\)\n", line)
        assert match, line
        assert Client("127.0.0.1", int(match[1])).get("/about").status == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
