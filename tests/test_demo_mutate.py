"""`--mutate random`: every skin redesigned per seed, the world and its truth untouched.

Servers run in-process (`make_server(..., mutation_seed=N)`); pages are read over HTTP exactly as
a browser gets them. The seeds here (11, 12, 13) are not the benchmark's (bench/robustness.py).
"""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from demo_platform.mutation import OPERATIONS, Mutation
from demo_platform.mutation_markup import parse, rewrite_js_strings
from demo_platform.server import make_server

SEEDS = (11, 12, 13)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Site:
    base: str
    server: object

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.base + path, timeout=20) as resp:
            return resp.read()

    def json(self, path: str) -> object:
        return json.loads(self.get(path))

    def pages(self) -> dict[str, list[str]]:
        """Per skin: the profile page, two post pages, and the skin's script and style sheet."""
        found = {}
        for entry in self.json("/_truth/index.json")["skins"]:
            account = entry["accounts"][0]
            truth = self.json(account["truth"])
            urls = [account["url"]] + [p["url"] for p in truth["posts"][:2]]
            found[entry["skin"]] = [urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else "")
                                    for u in urls]
        return found


def serve(mutation_seed: int | None) -> Site:
    server = make_server("127.0.0.1", 0, seed=1, mutation_seed=mutation_seed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return Site(f"http://{host}:{port}", server)


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[int | None, Site]]:
    started = {seed: serve(seed) for seed in (None, *SEEDS)}
    yield started
    for site in started.values():
        site.server.shutdown()  # type: ignore[attr-defined]
        site.server.server_close()  # type: ignore[attr-defined]


def classes(html: str) -> set[str]:
    # In scripts only the literal part of a class attribute: class="' + cls + '" names a variable.
    return {t for value in re.findall(r'\bclass="([^"\']*)', html) for t in value.split()
            if re.fullmatch(r"[A-Za-z_][\w-]*", t)}


def data_attributes(html: str) -> set[str]:
    return set(re.findall(r"\s(data-[a-z0-9-]+)=", html))


class Balance(HTMLParser):
    """Every explicitly closed element closes in order: the rewrite broke no nesting."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in VOID and tag not in ("p", "li", "option"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "li", "option"):
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> after {self.stack[-3:]}")
        else:
            self.stack.pop()


def test_each_seed_is_a_redesign_of_several_operations() -> None:
    for seed in range(1, 30):
        ops = Mutation.for_seed(seed).ops
        assert {"rename", "labels"} <= ops and len(ops) >= 5 and ops <= set(OPERATIONS)
    # Over the benchmark's seeds every operation is exercised.
    assert set().union(*(Mutation.for_seed(s).ops for s in range(1, 6))) == set(OPERATIONS)


def test_same_seed_same_bytes_other_seed_other_markup(sites: dict) -> None:
    again = serve(11)
    try:
        for skin, paths in sites[11].pages().items():
            scripts = [f"/static/{skin}.js"] if skin != "timeline" else []
            for path in [*paths, *scripts, f"/static/{skin}.css"]:
                assert again.get(path) == sites[11].get(path), path
                assert sites[12].get(path) != sites[11].get(path), path
                assert sites[11].get(path) != sites[None].get(path), path
    finally:
        again.server.shutdown()  # type: ignore[attr-defined]
        again.server.server_close()  # type: ignore[attr-defined]


def test_truth_and_api_bodies_are_identical_under_every_seed(sites: dict) -> None:
    plain = sites[None]
    index = plain.get("/_truth/index.json")
    for seed in SEEDS:
        site = sites[seed]
        assert site.get("/_truth/index.json").replace(site.base.encode(), b"") == index.replace(
            plain.base.encode(), b"")
        for entry in plain.json("/_truth/index.json")["skins"]:
            path = entry["accounts"][0]["truth"]
            assert site.get(path).replace(site.base.encode(), b"") == plain.get(path).replace(
                plain.base.encode(), b""), (seed, path)
    # The platform's API is what its pages read: never rewritten.
    truth = plain.json("/_truth/mastodon/ministerie-demo.json")
    status = truth["posts"][0]["id"]
    path = f"/api/v1/statuses/{status}/context"
    assert sites[11].get(path).replace(sites[11].base.encode(), b"") == plain.get(path).replace(
        plain.base.encode(), b"")


def test_mutated_pages_still_parse_and_keep_every_text(sites: dict) -> None:
    plain = sites[None]
    for seed in SEEDS:
        for paths in plain.pages().values():
            for path in paths:
                before, after = plain.get(path).decode(), sites[seed].get(path).decode()
                checker = Balance()
                checker.feed(after)
                assert not checker.errors, (seed, path, checker.errors[:3])
                assert "</html>" in after and "<body" in after
                # The post's own text (server-rendered in og:description) survives unchanged.
                for text in re.findall(r'<meta property="og:description" content="([^"]*)"', before):
                    assert text in after, (seed, path)


def test_class_names_and_data_attributes_of_the_skins_are_gone(sites: dict) -> None:
    plain = sites[None]
    for seed in SEEDS:
        for skin, paths in plain.pages().items():
            scripts = [f"/static/{skin}.js"] if skin != "timeline" else []  # the timeline has none
            for path in [*paths, *scripts]:
                before, after = plain.get(path).decode(), sites[seed].get(path).decode()
                assert classes(before) and not classes(before) & classes(after), (seed, path)
                old = data_attributes(before) - {"data-"}
                assert old and not old & data_attributes(after), (seed, path, old & data_attributes(after))


def test_renaming_is_consistent_between_page_style_and_script(sites: dict) -> None:
    site, m = sites[11], Mutation.for_seed(11)
    page = site.get("/@ministerie-demo").decode()
    css = site.get("/static/mastodon.css").decode()
    js = site.get("/static/mastodon.js").decode()
    timeline = m.name("timeline")
    assert f'id="{timeline}"' in page and f"getElementById('{timeline}')" in js
    assert f".{m.name('status__content')}" in css and f'class="{m.name("status__content")}"' in js
    assert m.attr("data-account-id") in page and f"getAttribute('{m.attr('data-account-id')}')" in js
    x_js = site.get("/static/x.js").decode()
    assert "data-testid" not in x_js and m.name("tweetText") in x_js


def test_labels_buttons_and_scripts_change_by_seed(sites: dict) -> None:
    for seed in SEEDS:
        m = Mutation.for_seed(seed)
        js = sites[seed].get("/static/mastodon.js").decode()
        assert "Show more replies" not in js  # swapped for a synonym
        assert ("<button" in js) == ("buttons" not in m.ops)
        page = sites[seed].get("/@ministerie-demo/" + sites[None].json(
            "/_truth/mastodon/ministerie-demo.json")["posts"][0]["id"]).decode()
        assert ('<script src="/static/mastodon.js" defer>' in page) == ("async" not in m.ops)


def test_the_html_tree_and_js_lexer_are_lossless() -> None:
    for skin in ("mastodon", "x", "youtube", "tiktok"):
        from demo_platform import media

        js = media.static_file(f"{skin}.js").decode()
        assert rewrite_js_strings(js, lambda s, before: s) == js
        literals: list[str] = []

        def keep(content: str, before: str, found: list[str] = literals) -> str:
            found.append(content)
            return content

        rewrite_js_strings(js, keep)
        # The regex literal in esc() is not mistaken for a string.
        assert "&amp;" in literals and not any(lit.startswith("]/g") for lit in literals)
    html = '<!DOCTYPE html><p>a<b>b &amp; c</b><ul><li>1<li>2</ul><!-- x --><br><script>if (a<b) {}</script>'
    assert parse(html).serialise() == html


def test_plain_replacements_still_work() -> None:
    server = make_server("127.0.0.1", 0, seed=1, mutations=(("Show more replies", "Meer"),), mutation_seed=11)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = "http://{}:{}".format(*server.server_address[:2])
        js = urllib.request.urlopen(base + "/static/mastodon.js", timeout=10).read().decode()
        assert "Show more replies" not in js and "Meer" in js
    finally:
        server.shutdown()
        server.server_close()
