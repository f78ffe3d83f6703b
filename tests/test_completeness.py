"""Completeness: SMA says what it missed, names the selector or action to blame, and knows pages
of a kind no profile describes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from archive_checks import archived_text, norm, warcio_check
from conftest import Platform, crawl

EXIT_INCOMPLETE = 3
# A platform "redesign": the class of the thread's "Show more replies" buttons and the profile's
# post counter are renamed, as platforms do without notice.
REDESIGN = (("load-more-replies", "thread-expander"), ('data-counter="posts"', 'data-counter="toots"'))


@pytest.fixture(scope="module")
def redesigned_platform() -> Iterator[Platform]:
    from demo_platform.server import make_server

    server = make_server("127.0.0.1", 0, seed=1, mutations=REDESIGN)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Platform(f"http://127.0.0.1:{server.server_address[1]}")
    server.shutdown()
    server.server_close()


def read_report(archive: Path) -> tuple[dict, str]:
    crawl_dir = next((archive / "crawls").iterdir())
    return json.loads((crawl_dir / "completeness.json").read_text()), (crawl_dir / "report.html").read_text()


def test_a_redesigned_platform_is_caught_the_drift_named_and_the_reader_recovers(
        redesigned_platform: Platform, tmp_path: Path):
    truth = redesigned_platform.truth("mastodon")
    # The newest posts: enough of them have replies hidden behind "Show more replies".
    visited = truth["posts"][:8]
    hidden = sum(p["comment_count"] for p in visited)
    run = crawl(truth["profile_url"], tmp_path / "a", "--max-posts", str(len(visited)))

    # The renamed post counter: how many posts the profile displays is unknown, so never complete.
    assert run.returncode == EXIT_INCOMPLETE, run.stderr[-2000:]
    assert "INCOMPLETE" in run.stderr.splitlines()[-1]
    assert "report.html" in run.stderr.splitlines()[-1]
    report, html = read_report(run.archive)
    summary = json.loads(next((run.archive / "crawls").glob("*/summary.json")).read_text())
    assert report["complete"] is False and summary["complete"] is False
    assert ("unknown", "posts") in {(s["what"], s.get("name")) for s in report["shortfalls"]}
    # The profile's steps that stopped fitting are named as drift: the counter and the button.
    steps = {(d["step"], d.get("selector")) for d in report["drift"]}
    assert ("counters.posts", None) in steps
    assert ("action more-replies", "button.load-more-replies") in steps
    assert summary["drift"] == report["drift"]
    # ...and the reader pressed the renamed "Show more replies" buttons by their name: no thread is short.
    assert not [s for s in report["shortfalls"] if s["what"] == "comments"]
    assert report["comments"]["captured"] == report["comments"]["displayed"] == hidden
    text = archived_text(run.archive)
    assert [c["text"] for p in visited for c in p["comments"] if norm(c["text"]) not in text] == []
    for line in ("profile drift", "load-more-replies", "how many posts the profile displays is unknown"):
        assert line in html
    # What was captured is still a valid archive.
    assert warcio_check(run.archive) == []


def test_a_complete_crawl_writes_an_html_report_with_thumbnails(mastodon_crawl):
    report, html = read_report(mastodon_crawl.archive)
    assert report["complete"] is True and report["shortfalls"] == []
    assert "COMPLETE" in html and "INCOMPLETE" not in html
    thumbs = list(next((mastodon_crawl.archive / "crawls").iterdir()).glob("thumbs/*.jpg"))
    assert len(thumbs) == len(report["observed"]["posts"]) + 1
    assert all(t.read_bytes().startswith(b"\xff\xd8") for t in thumbs)
    assert all(f"thumbs/{t.name}" in html for t in thumbs)


# -- a page of a kind no profile knows: the generic profile ----------------------------------------
ITEMS = [f"Bericht nummer {i}: de gemeente meldt nieuws over onderwerp {i * 7 % 13}." for i in range(1, 31)]
REPLIES = {i: [f"Reactie {i}.{j} op bericht {i}" for j in range(1, 4)] for i in range(1, 31)}
STREAM_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Buurtforum</title></head><body>
<div role="dialog" id="cookies"><p>Wij gebruiken cookies.</p>
<button onclick="document.getElementById('cookies').remove()">Accepteren</button></div>
<main id="stream"></main><button id="more">Meer laden</button>
<script>
let next = 1;
function load(n) {
  const rows = JSON.parse(fetchSync('/api/items?from=' + next + '&n=' + n));
  for (const r of rows) {
    const a = document.createElement('article');
    a.innerHTML = '<p></p><a href="/item/' + r.id + '">lees verder</a>';
    a.querySelector('p').textContent = r.text;
    document.getElementById('stream').appendChild(a);
  }
  next += rows.length;
  if (rows.length < n) document.getElementById('more').remove();
}
function fetchSync(url) { const x = new XMLHttpRequest(); x.open('GET', url, false); x.send(); return x.responseText; }
load(10);
document.getElementById('more').onclick = () => load(10);
</script></body></html>"""
ITEM_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Bericht {id}</title></head><body>
<article><p>{text}</p><section id="replies"></section>
<button id="r" onclick="this.remove(); fetch('/api/replies/{id}').then(r => r.json()).then(rows => {{
  for (const t of rows) {{ const d = document.createElement('article'); d.textContent = t;
  document.getElementById('replies').appendChild(d); }} }})">Toon reacties</button></article></body></html>"""


class ForumHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path, _, query = self.path.partition("?")
        args = dict(p.split("=") for p in query.split("&") if "=" in p)
        if path == "/":
            self._send(STREAM_PAGE, "text/html")
        elif path == "/api/items":
            start, n = int(args["from"]), int(args["n"])
            rows = [{"id": i, "text": ITEMS[i - 1]} for i in range(start, min(start + n, len(ITEMS) + 1))]
            self._send(json.dumps(rows), "application/json")
        elif path.startswith("/item/"):
            i = int(path.rsplit("/", 1)[1])
            self._send(ITEM_PAGE.format(id=i, text=ITEMS[i - 1]), "text/html")
        elif path.startswith("/api/replies/"):
            self._send(json.dumps(REPLIES[int(path.rsplit("/", 1)[1])]), "application/json")
        else:
            self.send_error(404)

    def _send(self, body: str, ctype: str) -> None:
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def forum() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ForumHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_the_generic_profile_captures_a_site_no_profile_knows_and_says_what_it_cannot_count(
        forum: str, tmp_path: Path):
    run = crawl(forum, tmp_path / "a")
    # The item pages never say how many replies they have: unknown, so the crawl is not complete.
    assert run.returncode == EXIT_INCOMPLETE, run.stdout + run.stderr[-2000:]
    summary = json.loads(next((run.archive / "crawls").glob("*/summary.json")).read_text())
    report, html = read_report(run.archive)
    assert summary["profile"] == "generic"
    assert summary["complete"] is False and report["complete"] is False
    unknown = [s for s in report["shortfalls"] if s["what"] == "unknown" and s["name"] == "comments"]
    assert len(unknown) == len(ITEMS) and report["comments"]["unknown"] == len(ITEMS)
    assert "UNKNOWN" in html and "COMPLETE" not in html.replace("INCOMPLETE", "")
    # Every item behind "Meer laden" was loaded and visited; every reply behind "Toon reacties" too.
    assert summary["pages_by_kind"]["post"] == len(ITEMS)
    text = archived_text(run.archive)
    missing = [t for t in ITEMS + [r for rs in REPLIES.values() for r in rs] if norm(t) not in text]
    assert missing == []
    assert warcio_check(run.archive) == []
