"""The reader's undo (docs/reader.md, "What the reader does", step 4): a press that hid text is
pressed back, one press at a time; a press whose revealed text is still there stays, also in a
round where the page's text got shorter because a virtualised list hollowed items while scrolling.

A small static page on 127.0.0.1 in real Chromium, read by the reader alone (no profile):
- a card whose toggle, badly labelled `aria-expanded=false`, hides the card's long text when
  pressed: the reader must press it back;
- a comment whose second-level reply has a "1 reactie" toggle (as the forum skin's): pressed, it
  loads three replies from the server; pressed again, it hides them;
- a list at the top of the page that empties its items once they scroll out of view (as list
  virtualisers do): in the round that opens the replies, the page's text gets shorter overall.
Before the fix the reader pressed back every press of such a round and the replies were never
visible (forum, mutation seed 1, whole account: 274/277)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from async_run import run_async
from conftest import CHROMIUM, CHROMIUM_ARGS

from crawler.capture.network import NetworkRecorder
from crawler.capture.reader import Reader, ReaderLimits, ReaderResult, load_words

LONG = ("Het ministerie legt hier uitgebreid uit hoe de nieuwe regeling werkt, wie er recht op heeft en "
        "welke stappen een aanvrager zet. ") * 6
REPLIES = ["Eerste antwoord op de reactie van Sanne, over de brief van vorige week.",
           "Tweede antwoord: bij ons in de straat kreeg iedereen dezelfde brief.",
           "Derde antwoord, met een vraag aan de gemeente over de termijn."]
ITEMS = [f"Lijstitem {i}: een bericht in een lange lijst die bij het scrollen wordt ingeklapt." for i in range(24)]

PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Onderwerp</title>
<style>body { font: 16px sans-serif; margin: 0 } li { height: 40px } .spacer { height: 900px }</style></head>
<body><main>
<ul id="feed">%(items)s</ul>
<div class="spacer"></div>
<div class="card"><p id="long">%(long)s</p>
  <button id="clip" aria-expanded="false">Toon details</button></div>
<div class="spacer"></div>
<article role="article" class="comment"><time datetime="2025-02-24">24 feb</time>
  <p>Een reactie van Sanne op het bericht.</p>
  <section class="replies">
    <article role="article" class="comment"><time datetime="2025-02-24">24 feb</time>
      <p>Een antwoord van Jan op de reactie van Sanne.</p>
      <nav><a role="button" href="#" id="more" aria-expanded="false">1 reactie</a></nav>
      <section id="box"></section></article>
  </section></article>
<div class="spacer"></div>
</main>
<script>
document.getElementById('clip').addEventListener('click', () => {
  const p = document.getElementById('long'); p.hidden = !p.hidden; });
document.getElementById('more').addEventListener('click', (e) => {
  e.preventDefault();
  const a = e.currentTarget, box = document.getElementById('box');
  if (a.getAttribute('aria-expanded') === 'true') { box.hidden = !box.hidden; return; }
  fetch('/replies.json').then(r => r.json()).then(list => {
    list.forEach(t => { const el = document.createElement('article'); el.setAttribute('role', 'article');
      el.innerHTML = '<time datetime="2025-02-25">25 feb</time><p></p>'; el.querySelector('p').textContent = t;
      box.appendChild(el); });
    a.setAttribute('aria-expanded', 'true'); });
});
// A virtualised list: items out of view are emptied (their height kept) and filled again when near.
const kept = new Map();
const update = () => {
  document.querySelectorAll('#feed li').forEach(li => {
    const r = li.getBoundingClientRect(), near = r.bottom > -100 && r.top < innerHeight + 100;
    if (!near && !kept.has(li)) { kept.set(li, li.textContent); li.textContent = ''; }
    else if (near && kept.has(li)) { li.textContent = kept.get(li); kept.delete(li); }
  });
};
addEventListener('scroll', () => requestAnimationFrame(update), {passive: true});
</script></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/replies.json":
            time.sleep(0.2)  # a server that takes its time: the reader waits for the network
            body, kind = json.dumps(REPLIES).encode(), "application/json"
        else:
            items = "".join(f"<li>{t}</li>" for t in ITEMS)
            body, kind = (PAGE % {"items": items, "long": LONG}).encode(), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


async def _read(url: str) -> tuple[ReaderResult, str]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1000, "height": 700})
            recorder = NetworkRecorder(page)
            await recorder.start()
            await page.goto(url)
            await recorder.wait_idle(200, 5_000)
            reader = Reader(page, recorder, load_words(), ReaderLimits(max_seconds=30, patience_ms=300))
            result = await reader.read()
            await page.evaluate("() => window.scrollTo(0, 0)")
            text = await page.evaluate("() => document.body.innerText")
            return result, text
        finally:
            await browser.close()


def test_a_press_that_hid_text_is_pressed_back_and_replies_revealed_while_a_list_shrinks_stay(site: str):
    started = time.monotonic()
    result, text = run_async(_read(site))
    # The badly labelled toggle hid the card's text: pressed back, the text is on screen again.
    assert LONG.strip()[:200] in " ".join(text.split())
    assert result.undone == 1
    # The nested "1 reactie" opened three replies while the list above emptied its items:
    # they are on screen at the end, and the reader saw them as entries.
    assert [r for r in REPLIES if r not in text] == []
    seen = [t for t, _ in result.entries.values()]
    assert all(any(r in t for t in seen) for r in REPLIES)
    assert "1 reactie" in " ".join(result.pressed) and "Toon details" in " ".join(result.pressed)
    assert result.complete and time.monotonic() - started < 20
