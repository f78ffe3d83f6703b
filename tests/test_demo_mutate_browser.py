"""A redesigned skin still works in a real browser: its script loads late, its "more" controls
are links now, its comment list is virtualised, and a reader that presses and scrolls still sees
every comment of the truth (seed 14: async, buttons as links, delays, virtualised list)."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from demo_platform.mutation import Mutation
from demo_platform.server import make_server

SEED = 14
PRESS_ALL = """() => {
  const found = [...document.querySelectorAll('[role=button]')].filter(el => el.offsetParent !== null);
  found.forEach(el => el.click());
  return found.length;
}"""


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, seed=1, mutation_seed=SEED)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://{}:{}".format(*server.server_address[:2])
    server.shutdown()
    server.server_close()


def test_a_mutated_thread_loads_and_a_scrolling_reader_sees_every_comment(site: str, page: Any) -> None:
    assert {"async", "buttons", "virtualise"} <= Mutation.for_seed(SEED).ops
    truth = json.loads(urllib.request.urlopen(site + "/_truth/mastodon/ministerie-demo.json").read())
    post = max(truth["posts"], key=lambda p: p["comment_count"])
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1000, "height": 700})
    page.goto(post["url"])
    page.wait_for_function("document.querySelector('time') !== null", timeout=20000)
    assert page.locator("button").count() == 0  # every control is a[role=button] now
    for _ in range(8):  # "more replies" links, level by level, until none is left
        if page.evaluate(PRESS_ALL) == 0:
            break
        page.wait_for_timeout(300)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    texts = [c["text"] for c in post["comments"]]
    at_top = sum(t in page.evaluate("document.body.innerText") for t in texts)
    seen: set[str] = set()
    for _ in range(60):
        body = page.evaluate("document.body.innerText")
        seen.update(t for t in texts if t in body)
        if page.evaluate("window.scrollY + window.innerHeight >= document.body.scrollHeight - 2"):
            break
        page.mouse.wheel(0, 500)
        page.wait_for_timeout(150)
    assert not errors
    assert page.url == post["url"]  # pressing the link-buttons never navigated
    assert len(seen) == len(texts), sorted(set(texts) - seen)[:3]
    assert at_top < len(texts)  # the list is virtualised: not every comment is in the DOM at once
