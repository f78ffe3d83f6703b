"""Hostile pages: what a crawl that runs for hours meets on real platforms, at stable URLs.

Everything lives under `/traps/<run>/`, where `<run>` is any name a test or an operator picks
([a-z0-9-]+): counters (the rate-limited paths) are kept per run, so parallel crawls never share
them. `/traps/<run>/` is an "account" whose timeline links each trap as a post:

| path | what it does |
|---|---|
| `/traps/<run>/` | a timeline that never ends: every scroll loads ten more posts, and "Volgende" leads |
|   | to page 2, 3, ... forever; its first `?busy=N` requests (default 1) answer 429, `Retry-After: 1` |
| `post/1` | a script that never lets the network go idle (a fetch every 100 ms, forever) |
| `post/2` | opens popups (`window.open`) and then navigates the page away |
| `post/3` | fetches `huge.bin`: 1 GiB of `application/octet-stream`, streamed in 64 KiB chunks |
| `post/4` | a redirect loop (`post/4` -> `loop/1` -> ... -> `loop/9` -> `post/4`) |
| `post/5` | a good post page whose first two requests answer 503 without Retry-After |
| `post/6` | answers 503 to every request (a host that stays down) |
| `post/<n>` (n >= 100) | an ordinary post of the endless timeline |

`/traps/<run>/busy/<name>?n=N&after=S` answers 429 with `Retry-After: S` (seconds; `after=date` sends
an HTTP date S seconds ahead) for its first N requests, then a small page. `/traps/<run>/huge.bin?size=B`
streams B bytes (default 1 GiB); the server never holds more than one chunk of it.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from demo_platform.web import HTML, Request, Response, json_response, page, redirect

GIB = 1 << 30
CHUNK = 64 * 1024
LOOP_HOPS = 9
PAGE_SIZE = 10
HOSTILE_POSTS = {1: "idle", 2: "popup", 3: "huge", 4: "loop", 5: "flaky", 6: "down"}
PATH = re.compile(r"/traps/([a-z0-9-]{1,40})(/.*)?")


@dataclass
class Streamed(Response):
    """A response whose body is produced while it is sent (the 1 GiB download): `chunks` yields it."""

    length: int = 0
    chunk_source: Any = None

    def chunks(self) -> Iterator[bytes]:
        return self.chunk_source()

    def send(self, handler: Any) -> None:
        handler.send_response(self.status)
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Content-Length", str(self.length))
        handler.send_header("Cache-Control", "no-store")
        handler.end_headers()
        if handler.command == "HEAD":
            return
        try:
            for chunk in self.chunks():
                handler.wfile.write(chunk)
        except (ConnectionError, TimeoutError, OSError):
            handler.close_connection = True  # the client stopped reading: stop producing


@dataclass
class Traps:
    """Per-run request counters (the server owns one; nothing in module globals)."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, run: str, name: str) -> int:
        """How many requests `name` of `run` had before this one."""
        with self.lock:
            seen = self.counts.get((run, name), 0)
            self.counts[(run, name)] = seen + 1
            return seen

    def handle(self, request: Request) -> Response:
        match = PATH.fullmatch(request.path)
        if not match:
            return page("<!DOCTYPE html><title>404</title><h1>Niet gevonden</h1>\n", 404)
        run, rest = match[1], (match[2] or "/")
        base = f"/traps/{run}"
        if rest == "/":
            return self._timeline(request, run, base)
        if rest == "/feed":
            start = int(request.arg("page", "1") or 1) * PAGE_SIZE + 100
            return json_response({"posts": [_item(base, n) for n in range(start, start + PAGE_SIZE)]})
        if rest == "/ping":
            return json_response({"ok": True, "at": time.monotonic()})
        if rest == "/huge.bin":
            return _huge(int(request.arg("size", str(GIB)) or GIB))
        if m := re.fullmatch(r"/loop/(\d+)", rest):
            hop = int(m[1])
            return redirect(f"{base}/post/4" if hop >= LOOP_HOPS else f"{base}/loop/{hop + 1}")
        if m := re.fullmatch(r"/busy/([a-z0-9-]+)", rest):
            return self._busy(request, run, m[1])
        if m := re.fullmatch(r"/post/(\d+)", rest):
            return self._post(request, run, base, int(m[1]))
        if rest in ("/popup", "/elsewhere"):
            return page(_html("Ergens anders", "<p>Deze pagina hoort niet bij het bericht.</p>"))
        return page("<!DOCTYPE html><title>404</title><h1>Niet gevonden</h1>\n", 404)

    def _timeline(self, request: Request, run: str, base: str) -> Response:
        busy = int(request.arg("busy", "1") or 0)
        if self.hit(run, "timeline") < busy:
            return _refuse(429, "1")
        number = int(request.arg("page", "1") or 1)
        items = [_item(base, n) for n in HOSTILE_POSTS] if number == 1 else []
        items += [_item(base, n) for n in range(number * PAGE_SIZE, number * PAGE_SIZE + 3)]
        posts = "".join(f'<article class="post"><a href="{html.escape(i["url"])}">{html.escape(i["title"])}</a>'
                        f'<p>{html.escape(i["text"])}</p></article>' for i in items)
        endless = _ENDLESS_JS.replace("FEED", f"{base}/feed") if number == 1 else ""
        body = (f'<header><h1>Valkuilen</h1><p>@valkuilen · {len(HOSTILE_POSTS)} berichten en nog veel meer</p>'
                f'</header><main id="feed">{posts}</main>'
                f'<nav><a rel="next" href="{base}/?page={number + 1}&amp;busy=0">Volgende</a></nav>{endless}')
        return page(_html(f"Valkuilen (pagina {number})", body))

    def _post(self, request: Request, run: str, base: str, number: int) -> Response:
        kind = HOSTILE_POSTS.get(number)
        if kind == "loop":
            return redirect(f"{base}/loop/1")
        if kind == "down":
            return _refuse(503, None)
        if kind == "flaky" and self.hit(run, "post/5") < 2:
            return _refuse(503, None)
        script = {"idle": _IDLE_JS.replace("PING", f"{base}/ping"),
                  "popup": _POPUP_JS.replace("POPUP", f"{base}/popup").replace("AWAY", f"{base}/elsewhere"),
                  "huge": _HUGE_JS.replace("HUGE", f"{base}/huge.bin")}.get(kind or "", "")
        text = f"Bericht {number} van de valkuilen ({kind or 'gewoon'})."
        return page(_html(f"Bericht {number}", f'<article class="post"><p>{text}</p></article>{script}'))

    def _busy(self, request: Request, run: str, name: str) -> Response:
        limit = int(request.arg("n", "1") or 0)
        after = request.arg("after", "1") or "1"
        if self.hit(run, f"busy/{name}") < limit:
            if after.startswith("date"):
                ahead = float(after[4:] or 1)
                return _refuse(429, formatdate(time.time() + ahead, usegmt=True))
            return _refuse(429, after)
        return page(_html("Weer open", "<p>De server neemt weer verzoeken aan.</p>"))


def _item(base: str, n: int) -> dict[str, str]:
    return {"url": f"{base}/post/{n}", "title": f"Bericht {n}", "text": f"Tekst van bericht {n}."}


def _refuse(status: int, retry_after: str | None) -> Response:
    text = "Te veel verzoeken" if status == 429 else "Dienst tijdelijk niet beschikbaar"
    headers = [("Retry-After", retry_after)] if retry_after else []
    return Response(status, _html(text, f"<p>{text}.</p>").encode(), HTML, "error", headers)


def _huge(size: int) -> Streamed:
    def chunks() -> Iterator[bytes]:
        block = b"\0" * CHUNK
        left = size
        while left > 0:
            yield block[: min(CHUNK, left)]
            left -= CHUNK

    return Streamed(200, b"", "application/octet-stream", "error", [], length=size, chunk_source=chunks)


def _html(title: str, body: str) -> str:
    return f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)}</title>' \
           f"</head><body>{body}</body></html>\n"


_ENDLESS_JS = """<script>
(function () {
  var page = 1, loading = false, feed = document.getElementById('feed');
  function more() {
    if (loading || window.innerHeight + window.scrollY < document.body.scrollHeight - 200) return;
    loading = true;
    fetch('FEED?page=' + page++).then(function (r) { return r.json(); }).then(function (d) {
      d.posts.forEach(function (p) {
        var a = document.createElement('article'); a.className = 'post';
        a.innerHTML = '<p></p>'; a.firstChild.textContent = p.text + ' ' + p.title; feed.appendChild(a);
      });
      loading = false; more();
    });
  }
  window.addEventListener('scroll', more);
  more();
})();
</script>"""
_IDLE_JS = "<script>setInterval(function () { fetch('PING?t=' + Date.now()); }, 100);</script>"
_POPUP_JS = """<script>
for (var i = 0; i < 3; i++) window.open('POPUP?n=' + i, '_blank');
setTimeout(function () { location.href = 'AWAY'; }, 300);
</script>"""
_HUGE_JS = "<script>fetch('HUGE').then(function (r) { return r.arrayBuffer(); }).catch(function () {});</script>"
