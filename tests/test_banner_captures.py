"""replay.banner.captures: the capture times the banner's calendar offers, from the view's CDXJ or,
before it is indexed, from the copy's pages.jsonl (read with archive.pages: header and torn line left out)."""

from __future__ import annotations

import json

from replay.banner import captures


def test_without_an_index_the_pages_give_the_capture_times_in_utc(tmp_path):
    rows = [{"format": "json-pages-1.0", "id": "pages"},
            {"id": "a", "url": "https://x.example/@a", "ts": "2026-11-24T11:22:33Z"},
            {"id": "b", "url": "https://x.example/@a", "ts": "2026-11-25T12:00:00+01:00"},
            {"id": "c", "url": "https://x.example/@a/1", "ts": "not a time"}]
    text = "".join(json.dumps(r) + "\n" for r in rows) + '{"id": "d", "url": "https://x.example/@a/2", "ts'
    (tmp_path / "pages.jsonl").write_text(text, encoding="utf-8")
    assert captures(tmp_path / "no-pywb-yet", tmp_path) == {"https://x.example/@a": ["20261124112233",
                                                                                     "20261125110000"]}


def test_the_index_wins_when_it_lists_html_pages(tmp_path):
    pywb = tmp_path / "pywb"
    (pywb / "indexes").mkdir(parents=True)
    line = 'com,example,x)/@a 20261124112233 {"url": "https://x.example/@a", "mime": "text/html", "status": "200"}\n'
    (pywb / "indexes" / "index.cdxj").write_text(line, encoding="utf-8")
    assert captures(pywb, tmp_path) == {"https://x.example/@a": ["20261124112233"]}
