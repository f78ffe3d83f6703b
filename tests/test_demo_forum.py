"""The skins of other kinds: the forum (numbered pages, replies on demand, a WebSocket stream)
and the server-rendered timeline (links only). Their truth must be exactly what a reader who
follows every page, link, button and socket message finds; a stdlib WebSocket client speaks
RFC 6455 to the server."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import threading
import urllib.request
from collections.abc import Iterator
from html import unescape

import pytest

from demo_platform.server import make_server
from demo_platform.websocket import CLOSE, TEXT, accept_key, encode, read_frame


class Site:
    def __init__(self, mutation_seed: int | None = None) -> None:
        self.server = make_server("127.0.0.1", 0, seed=1, mutation_seed=mutation_seed)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.host, self.port = self.server.server_address[:2]
        self.base = f"http://{self.host}:{self.port}"

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.base + path.removeprefix(self.base), timeout=20) as resp:
            return resp.read().decode()

    def truth(self, skin: str) -> dict:
        return json.loads(self.get(f"/_truth/{skin}/ministerie-demo.json"))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.close()


def socket_messages(site: Site, message: dict) -> list[dict]:
    """Open /forum/ws, send one masked text frame, read answers until the last one."""
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection((site.host, site.port), timeout=10) as conn:
        conn.sendall((f"GET /forum/ws HTTP/1.1\r\nHost: {site.host}:{site.port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        stream = conn.makefile("rb")
        status = stream.readline()
        headers = {}
        while (line := stream.readline().strip()):
            name, _, value = line.decode().partition(":")
            headers[name.lower()] = value.strip()
        assert status.startswith(b"HTTP/1.1 101")
        assert headers["sec-websocket-accept"] == accept_key(key)
        conn.sendall(encode(json.dumps(message).encode(), TEXT, mask=os.urandom(4)))
        answers = []
        while True:
            frame = read_frame(stream)
            assert frame is not None and frame[0] == TEXT
            answers.append(json.loads(frame[1]))
            if answers[-1].get("done") or answers[-1]["type"] == "error":
                break
        conn.sendall(encode(b"\x03\xe8", CLOSE, mask=os.urandom(4)))
        assert read_frame(stream) == (CLOSE, b"\x03\xe8")
    return answers


def test_accept_key_is_rfc_6455s_example() -> None:
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert encode(b"x" * 200)[:4] == bytes([0x81, 126, 0, 200])


def test_websocket_streams_the_rest_of_a_page_in_messages_of_three(site: Site) -> None:
    post = max(site.truth("forum")["posts"], key=lambda p: p["comment_count"])
    top = [c for c in post["comments"] if c["parent"] is None]
    answers = socket_messages(site, {"type": "more", "topic": post["id"], "page": 1, "offset": 4})
    got = [p["id"] for a in answers for p in a["posts"]]
    assert got == [c["id"] for c in top[4:10]] and all(len(a["posts"]) <= 3 for a in answers)
    assert socket_messages(site, {"type": "more"})[0]["type"] == "error"


def forum_thread(site: Site, post: dict) -> dict[str, str]:
    """Every reply a reader can reach: all numbered pages, the socket, every "N antwoorden"."""
    found: dict[str, str] = {}
    pending: list[str] = []
    number = 1
    while True:
        html = site.get(post["url"] + f"?page={number}")
        assert f'data-post-id="{post["id"]}"' in html or number > 1
        for pid, text in re.findall(r'data-post-id="(\d+)" data-parent="[^"]*">.*?<div class="cooked"><p>(.*?)</p>',
                                    html):
            found[pid] = unescape(text)
        on_page = int(re.search(r'data-on-page="(\d+)"', html)[1])
        for answer in socket_messages(site, {"type": "more", "topic": post["id"], "page": number, "offset": 4}):
            found.update({p["id"]: p["text"] for p in answer["posts"]})
        assert len(re.findall(r'data-parent=""', html)) == min(on_page, 4)
        if 'rel="next"' not in html:
            break
        number += 1
    pending = [pid for pid in found]
    while pending:
        replies = json.loads(site.get(f"/forum/posts/{pending.pop()}/replies.json"))
        for reply in replies:
            found[reply["id"]] = reply["text"]
            pending.append(reply["id"])
    return found


def test_forum_truth_is_what_pages_socket_and_buttons_deliver(site: Site) -> None:
    truth = site.truth("forum")
    topics = site.get(truth["account"]["url"])
    assert topics.count('class="topic-list-item"') == 20 and 'rel="next"' in topics
    assert site.get(truth["account"]["url"] + "?page=2").count('class="topic-list-item"') == len(truth["posts"]) - 20
    for post in sorted(truth["posts"], key=lambda p: -p["comment_count"])[:3]:
        found = forum_thread(site, post)
        assert found == {c["id"]: c["text"] for c in post["comments"]}
    assert any(c["pii"] for p in truth["posts"] for c in p["comments"])


def timeline_thread(site: Site, post: dict) -> dict[str, str]:
    """Every reply reachable by links from the post's page (pages and reply pages)."""
    account = post["url"].split("/status/")[0]
    seen_pages, queue, found = set(), [post["url"]], {}
    while queue:
        url = queue.pop()
        if url in seen_pages:
            continue
        seen_pages.add(url)
        html = site.get(url)
        replies = html.split('<section class="replies"', 1)[1]
        for sid, text in re.findall(r'data-status-id="(\d+)"[^>]*>.*?<div class="tweet-content e-content"><p>(.*?)</p>',
                                    replies):
            found[sid] = unescape(text)
        for href in re.findall(r'href="(/timeline/[^"]+/status/[^"]+)"', replies):
            if (site.base + href).startswith(account):
                queue.append(site.base + unescape(href))
    return found


def test_timeline_truth_is_what_its_links_lead_to(site: Site) -> None:
    truth = site.truth("timeline")
    profile, url, posts = truth["account"]["url"], truth["account"]["url"], []
    while url:
        html = site.get(url)
        assert "<script" not in html
        posts += re.findall(r'<article class="entry h-entry timeline-item status" role="article" id="s(\d+)"', html)
        nxt = re.search(r'<a class="load-more" rel="next" href="([^"]+)">Oudere berichten', html)
        url = site.base + unescape(nxt[1]) if nxt else ""
    assert posts == [p["id"] for p in truth["posts"]] and profile
    deep = 0
    for post in sorted(truth["posts"], key=lambda p: -p["comment_count"])[:4]:
        assert timeline_thread(site, post) == {c["id"]: c["text"] for c in post["comments"]}
        html = site.get(post["url"])
        # Replies are sibling articles, never nested in each other.
        assert not re.search(r'role="article"[^<]*>(?:(?!</article>).)*role="article"', html, re.S)
        deep += len(re.findall(r"Toon \d+ antwoord", html))
    assert deep > 0  # some replies live only on their own page


def test_new_skins_keep_their_content_under_a_redesign() -> None:
    mutated, plain = Site(mutation_seed=13), Site()
    try:
        for skin in ("forum", "timeline"):
            assert mutated.truth(skin) == json.loads(json.dumps(plain.truth(skin)).replace(plain.base, mutated.base))
            post = max(plain.truth(skin)["posts"], key=lambda p: p["comment_count"])
            path = post["url"].removeprefix(plain.base)
            before, after = plain.get(path), mutated.get(path)
            assert 'class="cooked"' not in after and 'class="entry h-entry' not in after
            for text in re.findall(r"<p>(.*?)</p>", before):
                assert text in after
    finally:
        mutated.close()
        plain.close()
