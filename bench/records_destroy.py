"""Benchmark: appraisal and destruction on a synthetic archive of N posts (no browser, no platform).

Each post is a page visit as the crawler writes it (document, API JSON, 20 comment avatars, a 60 KB
screenshot, DOM and text resources, requests), all in WARCs of 100 posts each; every 50 posts a
timeline capture (HTML, DOM, text, screenshot) shows the last 50, which destruction rewrites. Measures appraising
every post (`information_objects`) and destroying every other post of one account (`Run.run`: plan,
rewrite of every WARC, history and pages), and what a rewrite costs per MB. Prints a table.

Usage: .venv/bin/python bench/records_destroy.py [--posts 1000 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.archive.model import Exchange, PageCapture  # noqa: E402
from crawler.archive.pages import append_page, rfc3339  # noqa: E402
from crawler.archive.warc import ArchiveWriter  # noqa: E402

PROFILE = "https://social.example/@ministerie"


def exchange(url: str, body: bytes, when: datetime, ctype: str = "text/html") -> Exchange:
    return Exchange(url, "GET", [("Accept", "*/*")], None, 200, "OK", "HTTP/1.1", [("Content-Type", ctype)],
                    body, when)


def build(archive: Path, posts: int) -> list[str]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    urls, state = [], {}
    writer = ArchiveWriter(archive, "bench", {"software": "bench"}, max_file_bytes=100 * 200_000)
    for n in range(posts):
        url, when = f"{PROFILE}/{100000 + n}", start + timedelta(hours=n)
        page = PageCapture(url, "post", f"post {n}", when)
        page.exchanges = [exchange(url, (f"<p>post {n} " + "tekst " * 300 + "</p>").encode(), when),
                          exchange(f"https://social.example/api/v1/statuses/{n}/context",
                                   json.dumps({"n": n, "c": ["reactie " * 40] * 20}).encode(), when,
                                   "application/json")]
        page.exchanges += [exchange(f"https://social.example/avatars/u{n}-{i}", os.urandom(2000), when, "image/png")
                           for i in range(20)]
        page.screenshot, page.dom, page.text = os.urandom(60_000), "<html>" + "x" * 20_000, "post text " * 500
        writer.write_page(page)
        append_page(archive, {"id": f"bench-{n}", "url": url, "ts": rfc3339(when), "title": f"post {n}",
                              "kind": "post"})
        state[url] = {"first_seen": rfc3339(when), "last_captured": rfc3339(when),
                      "published": rfc3339(when), "comments": {}}
        urls.append(url)
        if n % 50 == 49:  # a timeline capture showing the last 50 posts: destruction rewrites it
            cards = "".join(f'<article class="status" data-id="{100000 + m}"><a class="status__permalink" '
                            f'href="/@ministerie/{100000 + m}">t</a><p>post {m} opening tekst tekst</p></article>'
                            for m in range(n - 49, n + 1))
            timeline = PageCapture(PROFILE, "profile", "tijdlijn", when)
            html = f"<html><body><div id=timeline>{cards}</div></body></html>"
            timeline.exchanges = [exchange(PROFILE, html.encode(), when)]
            timeline.screenshot, timeline.dom = os.urandom(200_000), html
            timeline.text = "\n".join(f"post {m} opening tekst tekst" for m in range(n - 49, n + 1))
            writer.write_page(timeline)
    writer.close()
    folder = archive / "accounts" / "campaign"
    folder.mkdir(parents=True)
    (folder / "state.json").write_text(json.dumps({"account": "campaign", "url": PROFILE, "posts": state}))
    return urls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[500])
    args = parser.parse_args()
    from records.appraisal import appraise_archive
    from records.destroy import Run, _items_digest, _write_json
    from records.selection import RIJK_EXAMPLE, load_selection_list

    selection = load_selection_list(RIJK_EXAMPLE)
    print(f"{'posts':>6} {'WARC MB':>8} {'appraise s':>10} {'posts/s':>8} {'destroy s':>9} {'MB/s':>6} "
          f"{'redacted':>8}")
    for count in args.posts:
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(tmp) / "a"
            urls = build(archive, count)
            size = sum(p.stat().st_size for p in (archive / "warcs").glob("*.warc.gz")) / 1e6
            began = time.perf_counter()
            objects = appraise_archive(archive, None, selection, [])
            appraise = time.perf_counter() - began
            assert len([o for o in objects if o.kind == "post"]) == count
            items = [{"id": f"post:{u}", "url": u, "account": "campaign", "title": "", "category_code": "PV-2",
                      "category_title": "", "waardering": "V", "bewaartermijn": "P5Y", "term_start": "",
                      "term_end": "", "comments": 0} for u in urls[::2]]
            digest = _items_digest(items)
            path = archive / "records" / "vernietigingslijsten" / "vl-20310101000000-0000.json"
            _write_json(path, {"id": "vl-20310101000000-0000", "items": items, "held": [], "digest": digest,
                               "status": "approved", "approved": {"by": "bench", "at": "", "digest": digest}})
            began = time.perf_counter()
            statement = Run(archive, str(path), "bench").run()
            destroy = time.perf_counter() - began
            print(f"{count:>6} {size:>8.1f} {appraise:>10.2f} {count / appraise:>8.0f} {destroy:>9.2f} "
                  f"{size / destroy:>6.1f} {statement['records_redacted']:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
