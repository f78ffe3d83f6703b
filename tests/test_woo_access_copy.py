"""replay.woo.access.AccessCopy: the Woo review's index of the access copy is state the gateway owns
(GatewayRequest.components), kept across requests and rebuilt when the access WARCs change; two
gateways in one process share nothing. A WARC written here with warcio, no crawl."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from replay.woo.access import AccessCopy


def write_access_warc(archive: Path, name: str, url: str) -> None:
    folder = archive / "access" / "warcs"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(b"hallo"),
                                                      http_headers=http))


def test_the_index_is_kept_until_the_access_warcs_change(tmp_path):
    copy = AccessCopy(tmp_path)
    empty = copy.current()
    assert empty.refs == [] and copy.current() is empty  # nothing changed: the same index
    write_access_warc(tmp_path, "sma-access-20260101000000-20260101000000-ab12-00000.warc.gz", "https://x.example/1")
    grown = copy.current()
    assert grown is not empty and [r.uri for r in grown.refs] == ["https://x.example/1"]
    assert grown.crawl_of[grown.files()[0]] == "20260101000000-ab12"
    assert copy.current() is grown


def test_two_owners_keep_two_indexes(tmp_path):
    write_access_warc(tmp_path, "sma-access-20260101000000-20260101000000-ab12-00000.warc.gz", "https://x.example/1")
    first, second = AccessCopy(tmp_path), AccessCopy(tmp_path)
    assert first.current() is not second.current()
