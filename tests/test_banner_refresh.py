"""The replay banner follows the archive while the gateway serves (issue 15 item 5): a capture that
lands after start shows in the banner's "other captures" once the view refreshes -- as the gateway
does on the first request after the view's WARC folder changed -- without a restart. A real pywb
view (replay.views.ViewSet) serves the page; the banner is read from what it answers."""

from __future__ import annotations

import io
import os
import time
import urllib.request
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from replay.views import ViewSet

URL = "https://social.example/@gemeente/111"


def _capture(archive: Path, name: str, when: str) -> None:
    """One WARC file with the page's HTML response captured at `when` (RFC 3339)."""
    warcs = archive / "warcs"
    warcs.mkdir(parents=True, exist_ok=True)
    with open(warcs / name, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        body = f"<!DOCTYPE html><html><body><p>Bericht, vastgelegd {when}</p></body></html>".encode()
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                           ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(URL, "response", payload=io.BytesIO(body), http_headers=http,
                                                      warc_headers_dict={"WARC-Date": when}))


HOST = "127.0.0.1:8080"  # the gateway's Host, which the view answers to


def _banner(views: ViewSet, shown_ts: str) -> str:
    """The banner of the page as the view's pywb serves it (what the gateway forwards)."""
    request = urllib.request.Request(f"{views.internal_url('original')}/archive/{shown_ts}/{URL}",
                                     headers={**views.internal_headers("original"), "Host": HOST})
    with urllib.request.urlopen(request, timeout=60) as answer:
        page = answer.read().decode("utf-8")
    start = page.index('<div id="sma-banner"')
    return page[start:page.index("Bericht, vastgelegd", start)]


def test_a_capture_made_while_serving_shows_in_the_banner(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    _capture(archive, "first.warc.gz", "2026-11-01T10:00:00Z")
    views = ViewSet(archive, names=("original",), hosts=[HOST])
    views.start()
    try:
        first = _banner(views, "20261101100000")
        assert 'data-ts="20261101100000"' in first and "sma-other-capture" not in first

        # a crawl adds a capture while the gateway serves; the folder's mtime is all a request stats
        _capture(archive, "second.warc.gz", "2026-11-20T08:30:00Z")
        os.utime(archive / "warcs", ns=(time.time_ns(), time.time_ns() + 1_000_000))
        views.refresh_if_changed("original")
        second = _banner(views, "20261120083000")
        assert 'data-ts="20261120083000"' in second
        assert f'href="/archive/20261101100000/{URL}"' in second  # the earlier capture, from the newer one
        assert f'href="/archive/20261120083000/{URL}"' in _banner(views, "20261101100000")  # and back
    finally:
        views.stop()
    mode = (archive / ".pywb" / "original" / "templates" / "custom_banner.html").stat().st_mode & 0o777
    assert mode == 0o600
