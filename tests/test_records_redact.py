"""Destroying a post on a platform SMA has no profile for: a server-rendered timeline (list items, no
`article`), the post's image on it, a plain-text snapshot and a screenshot. Built in memory with
warcio, run through records.destroy.Run; checked byte-wise over every file of the archive."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

BASE = "https://social.example"
PROFILE = f"{BASE}/gemeente-demo"
DOOMED, KEPT = f"{PROFILE}/posts/7300111122223333", f"{PROFILE}/posts/7300444455556666"
DOOMED_TEXT = "Vanaf maandag is de Stationsweg afgesloten voor het verkeer wegens werkzaamheden aan de riolering."
KEPT_TEXT = "De bibliotheek is tijdens de kerstvakantie open van tien tot vier uur, behalve op eerste kerstdag."
DOOMED_MEDIA, KEPT_MEDIA = b"\x89PNG-stationsweg-afsluiting-foto", b"\x89PNG-bibliotheek-kerst-foto"


def _card(url: str, text: str, image: str) -> str:
    return (f'<li class="entry"><div class="meta"><a href="{url.removeprefix(BASE)}">3 dec</a></div>'
            f'<p class="body">{text[:60]}…</p><img src="{image}" alt=""></li>')


def _timeline() -> bytes:
    cards = _card(DOOMED, DOOMED_TEXT, "/media/afsluiting.png") + _card(KEPT, KEPT_TEXT, "/media/kerst.png")
    return (f"<!DOCTYPE html><html><head><title>Gemeente Demo</title></head><body><header>Gemeente Demo"
            f"</header><ul class=\"feed\">{cards}</ul></body></html>").encode()


def _write(writer: WARCWriter, uri: str, body: bytes, ctype: str, page: str | None = None,
           rec_type: str = "response", concurrent: str | None = None) -> str:
    headers = {"WARC-Page-URI": page} if page else {}
    if concurrent:
        headers["WARC-Concurrent-To"] = concurrent
    http = None
    if rec_type == "response":
        http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
    record = writer.create_warc_record(uri, rec_type, payload=io.BytesIO(body), http_headers=http,
                                       warc_content_type=None if http else ctype, warc_headers_dict=headers)
    writer.write_record(record)
    rid = record.rec_headers.get_header("WARC-Record-ID")
    if rec_type == "response":
        request = writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), http_headers=StatusAndHeaders(
            f"GET {uri} HTTP/1.1", [], is_http_request=True), warc_headers_dict={"WARC-Concurrent-To": rid})
        writer.write_record(request)
    return rid


def _archive(root: Path) -> Path:
    archive = root / "a"
    (archive / "warcs").mkdir(parents=True, mode=0o700)
    with open(archive / "warcs" / "sma-test-00000.warc.gz", "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        page = _write(writer, PROFILE, _timeline(), "text/html; charset=utf-8")
        _write(writer, f"{BASE}/media/afsluiting.png", DOOMED_MEDIA, "image/png", page=PROFILE)
        _write(writer, f"{BASE}/media/kerst.png", KEPT_MEDIA, "image/png", page=PROFILE)
        timeline_text = f"Gemeente Demo\n3 dec\n{DOOMED_TEXT[:60]}…\n3 dec\n{KEPT_TEXT[:60]}…\n".encode()
        _write(writer, f"urn:text:{PROFILE}", timeline_text, "text/plain; charset=utf-8", rec_type="resource",
               concurrent=page)
        _write(writer, f"urn:screenshot:{PROFILE}", b"\x89PNG-timeline-screenshot", "image/png",
               rec_type="resource", concurrent=page)
        for url, text in ((DOOMED, DOOMED_TEXT), (KEPT, KEPT_TEXT)):
            post = _write(writer, url, f"<html><body><main><p>{text}</p></main></body></html>".encode(),
                          "text/html; charset=utf-8")
            _write(writer, f"urn:text:{url}", f"Gemeente Demo\n{text}\n".encode(), "text/plain; charset=utf-8",
                   rec_type="resource", concurrent=post)
    (archive / "accounts" / "gemeente").mkdir(parents=True)
    (archive / "accounts" / "gemeente" / "state.json").write_text(json.dumps(
        {"account": "gemeente", "url": PROFILE, "posts": {DOOMED: {}, KEPT: {}}}))
    return archive


def _approved_list(archive: Path) -> str:
    from records.destroy import LISTS, _items_digest

    items = [{"id": f"post:{DOOMED}", "url": DOOMED, "account": "gemeente", "title": "", "category_code": "PV-2",
              "category_title": "overig", "category_list": "test", "waardering": "V", "bewaartermijn": "P5Y",
              "term_start": "2025-01-01", "term_end": "2030-01-01", "comments": 0}]
    digest = _items_digest(items)
    (archive / LISTS).mkdir(parents=True)
    (archive / LISTS / "vl-test.json").write_text(json.dumps(
        {"id": "vl-test", "items": items, "held": [], "digest": digest, "status": "approved",
         "approved": {"by": "A. Archivaris", "at": "2031-01-01T00:00:00Z", "digest": digest}}))
    return "vl-test"


def _files_holding(archive: Path, needle: bytes) -> set[str]:
    found = set()
    for root, _, files in os.walk(archive):
        for name in files:
            data = (Path(root) / name).read_bytes()
            if needle in (gzip.decompress(data) if name.endswith(".gz") else data):
                found.add(str((Path(root) / name).relative_to(archive)))
    return found


def test_a_destroyed_post_leaves_no_card_text_link_or_image_on_an_unknown_platforms_timeline(tmp_path: Path):
    from crawler.archive.read import iter_records
    from records.destroy import Run

    archive = _archive(tmp_path)
    texts = {DOOMED: f"Gemeente Demo\n{DOOMED_TEXT}", KEPT: f"Gemeente Demo\n{KEPT_TEXT}", PROFILE: ""}
    statement = Run(archive, _approved_list(archive), "beheerder", None, texts).run()
    assert statement["records_redacted"] == 2  # the timeline's HTML and its text snapshot

    accountability = {"records/vernietigingslijsten/vl-test.json", "records/verklaringen/vl-test.json",
                      "records/verklaringen/vl-test.txt", ".sma/destroy/vl-test.jsonl"}
    for trace in (DOOMED.encode(), b"7300111122223333", DOOMED_TEXT[:40].encode(), b"afsluiting.png", DOOMED_MEDIA):
        assert _files_holding(archive, trace) <= accountability, trace
    assert not _files_holding(archive, DOOMED_TEXT[:40].encode())  # the text is not even in the journal
    for kept in (KEPT.removeprefix(BASE).encode(), KEPT_TEXT[:40].encode(), KEPT_MEDIA, b"Gemeente Demo"):
        assert "warcs/sma-test-00000.warc.gz" in _files_holding(archive, kept), kept

    records = {r.uri: r for r in iter_records(archive) if r.type != "request"}
    timeline = records[PROFILE].payload.decode()
    assert timeline.count('class="entry"') == 1 and 'href="/gemeente-demo/posts/7300444455556666"' in timeline
    assert records[PROFILE].warc_headers.get_header("WARC-SMA-Redacted") == "vl-test"
    assert f"urn:screenshot:{PROFILE}" not in records  # it showed the post: dropped, not kept with it
    assert records[f"urn:text:{PROFILE}"].payload.decode() == f"Gemeente Demo\n3 dec\n3 dec\n{KEPT_TEXT[:60]}…\n"
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", "-v",
                            str(archive / "warcs" / "sma-test-00000.warc.gz")], capture_output=True, text=True)
    assert check.returncode == 0 and "digest pass" in check.stdout, check.stdout + check.stderr
