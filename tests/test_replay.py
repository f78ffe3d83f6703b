"""replay/: pywb around an SMA archive directory, checked end to end with Chromium, through
`sma replay` (the gateway users get: sign-in, three views) as the archivist.

The archive is written here with warcio the way the crawler writes it (WARC 1.1, a gzip member per
record, request records `WARC-Concurrent-To` their response), so these tests do not depend on the
crawler's code.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import struct
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from gateway_helpers import PASSWORDS, Gateway, basic, pywb_listeners, serve_for_archivist, sign_in, stop_gateway
from playwright.sync_api import Playwright
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from archive.pages import timestamp14
from replay.pywb_index import prepare, prepare_view
from replay.pywb_process import ReplayError, start_view
from replay.server import serve_archive
from replay.views import ViewSet

ORIGIN = "https://social.example"
PAGE = f"{ORIGIN}/@demo"
# What the page's script asked for at capture time; in replay `_` is wombat's Date.now() instead.
API = f"{ORIGIN}/api/v1/accounts/1/statuses?limit=20&max_id=123&_=1732451234567"
IMAGE = f"{ORIGIN}/media/avatar.png"
IMAGE_COPY = f"{ORIGIN}/media/avatar-copy.png"  # same bytes: written as a revisit of IMAGE
OPEN_ONLY = f"{ORIGIN}/only-in-open-file"
PAGED_API = f"{ORIGIN}/api/v1/timelines/home"
PAGED = 150  # more than pywb's default fuzzy window of 100 candidates
RECRAWLED_API = f"{ORIGIN}/api/v1/accounts/1/relationships?id=7"  # captured by two crawls, a day apart
API_TEXT = "Hello from the archived API"
PAGE_TS = "2026-11-24T11:22:33Z"

HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Demo account</title></head>
<body><h1>Demo account</h1>
<img id="avatar" src="/media/avatar.png"><img id="avatar-copy" src="/media/avatar-copy.png">
<div id="statuses">loading</div>
<script>
  // As the JS apps the crawler captures do: a cache-busting _=Date.now() on every API call.
  fetch("/api/v1/accounts/1/statuses?limit=20&max_id=123&_=" + Date.now())
    .then((r) => r.json())
    .then((rows) => { document.getElementById("statuses").textContent = rows[0].content; })
    .catch((e) => { document.getElementById("statuses").textContent = "failed: " + e; });
</script></body></html>
"""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\xff\0\0"))
        + chunk(b"IEND", b"")
    )


class SHA256Writer(WARCWriter):
    """Digests as the crawler writes them (`sha256:` + base32): pywb keeps that prefix in the index."""

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


class Warc:
    """Just enough of the crawler's record layout to build fixtures."""

    def __init__(self, path: Path) -> None:
        self.fh = open(path, "wb")
        self.writer = SHA256Writer(self.fh, gzip=True, warc_version="1.1")
        self.writer.write_record(self.writer.create_warcinfo_record(path.name, {"software": "sma tests"}))

    def exchange(self, url: str, date: str, content_type: str, body: bytes) -> str:
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
        )
        response = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(response)
        self._request(url, date, response.rec_headers.get_header("WARC-Record-ID"))
        return response.rec_headers.get_header("WARC-Payload-Digest")

    def revisit(self, url: str, date: str, content_type: str, length: int, digest: str, of: str, of_date: str) -> None:
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", content_type), ("Content-Length", str(length))], protocol="HTTP/1.1"
        )
        record = self.writer.create_revisit_record(
            url, digest, of, of_date, http_headers=http, warc_headers_dict={"WARC-Date": date}
        )
        self.writer.write_record(record)
        self._request(url, date, record.rec_headers.get_header("WARC-Record-ID"))

    def _request(self, url: str, date: str, concurrent_to: str) -> None:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        http = StatusAndHeaders(f"GET {target}", [("Host", parts.netloc)], protocol="HTTP/1.1", is_http_request=True)
        record = self.writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=http,
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": concurrent_to},
        )
        self.writer.write_record(record)

    def resource(self, uri: str, date: str, content_type: str, data: bytes) -> None:
        record = self.writer.create_warc_record(
            uri,
            "resource",
            payload=io.BytesIO(data),
            length=len(data),
            warc_content_type=content_type,
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(record)

    def close(self) -> None:
        self.fh.close()


def build_archive(root: Path) -> Path:
    warcs = root / "warcs"
    warcs.mkdir(parents=True)
    png = png_1x1()

    w = Warc(warcs / "sma-20261124112233-t1-00000.warc.gz")
    w.exchange(PAGE, "2026-11-24T11:22:33.250000Z", "text/html; charset=utf-8", HTML.encode())
    body = json.dumps([{"id": "123", "content": API_TEXT}]).encode()
    w.exchange(API, "2026-11-24T11:22:34.100000Z", "application/json; charset=utf-8", body)
    digest = w.exchange(IMAGE, "2026-11-24T11:22:34.200000Z", "image/png", png)
    w.revisit(
        IMAGE_COPY, "2026-11-24T11:22:34.300000Z", "image/png", len(png), digest, IMAGE, "2026-11-24T11:22:34.200000Z"
    )
    w.resource(f"urn:screenshot:{PAGE}", "2026-11-24T11:22:35.000000Z", "image/png", png)
    w.resource(f"urn:dom:{PAGE}", "2026-11-24T11:22:35.000000Z", "text/html; charset=utf-8", HTML.encode())
    w.resource(f"urn:text:{PAGE}", "2026-11-24T11:22:35.000000Z", "text/plain; charset=utf-8", API_TEXT.encode())
    w.close()

    # A crawl that scrolled one endpoint many times: only `page` tells the captures apart.
    w = Warc(warcs / "sma-20261124112300-t1-00001.warc.gz")
    for n in range(PAGED):
        w.exchange(
            f"{PAGED_API}?page={n}&_={1764000000000 + n}",
            f"2026-11-24T11:{23 + n // 60}:{n % 60:02d}.000000Z",
            "application/json",
            json.dumps({"page": n}).encode(),
        )
    for day, text in ((24, b'"first crawl"'), (25, b'"second crawl"')):
        date = f"2026-11-{day}T11:22:34.100000Z"
        w.exchange(f"{RECRAWLED_API}&_={1795519354100 + (day - 24) * 86400000}", date, "application/json", text)
    w.close()

    # Still being written by a crawl: must stay invisible to replay.
    w = Warc(warcs / "sma-20261124113000-t2-00000.warc.gz.open")
    w.exchange(OPEN_ONLY, "2026-11-24T11:30:00.000000Z", "text/html", b"<p>half written</p>")
    w.close()

    pages = [
        {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"},
        {"id": "p1", "url": PAGE, "ts": PAGE_TS, "title": "Demo account", "kind": "profile"},
        {
            "id": "p2",
            "url": f"{ORIGIN}/@demo/123",
            "ts": "2026-11-24T11:22:40.123456Z",
            "title": "A post",
            "kind": "post",
        },
    ]
    (root / "pages.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pages), encoding="utf-8")
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Replay:
    archive: Path
    gateway: Gateway

    @property
    def port(self) -> int:
        return self.gateway.port

    @property
    def base(self) -> str:
        return self.gateway.base

    def get(self, path: str) -> tuple[int, bytes]:
        """As the archivist, with Basic authentication (a scripted client)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        authorization = basic("arch", PASSWORDS["arch"][1])
        request = urllib.request.Request(self.base + path, headers={"Authorization": authorization})
        try:
            with opener.open(request, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replay]:
    archive = build_archive(tmp_path_factory.mktemp("archive"))
    gateway = serve_for_archivist(archive)
    try:
        yield Replay(archive, gateway)
    finally:
        stop_gateway(gateway)  # SIGTERM, as a service manager stops it: exit 0 (asserted) ...
        assert pywb_listeners(archive) == {}, "a pywb of sma replay outlived it"  # ... and its views go with it


def index_lines(archive: Path) -> list[str]:
    """The original view's index (the archivist's)."""
    return (archive / ".pywb" / "original" / "indexes" / "index.cdxj").read_text(encoding="utf-8").splitlines()


def test_page_replays_in_chromium_with_fuzzy_matched_api(replay: Replay, playwright: Playwright) -> None:
    # pytest-playwright's session `playwright`: a second sync_playwright() in one thread would clash.
    url = f"{replay.base}/archive/{timestamp14(PAGE_TS)}/{PAGE}"
    failures: list[str] = []
    seen: list[str] = []
    chromium = os.environ.get("SMA_CHROMIUM", "/usr/bin/chromium")
    browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    try:
        page = browser.new_page()
        sign_in(page, replay.base, "arch")
        page.on("request", lambda req: seen.append(req.url))
        page.on("requestfailed", lambda req: failures.append(f"failed {req.url}: {req.failure}"))
        page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
        page.goto(url, wait_until="load")
        page.wait_for_function("document.getElementById('statuses').textContent !== 'loading'", timeout=15000)
        assert page.text_content("#statuses") == API_TEXT
        # Both images decode: the original and the revisit that points at it by URL and digest.
        widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
        assert widths == [1, 1]
        # Replay is unframed: the document itself is the archived page.
        assert page.url == url and page.title() == "Demo account"
    finally:
        browser.close()

    assert not failures, failures
    api_calls = [u for u in seen if "/api/v1/accounts/1/statuses" in u]
    # wombat's Date.now() is capture time + elapsed, never the captured value: fuzzy matching did it.
    assert api_calls and "_=1732451234567" not in api_calls[0], seen
    escaped = [
        u for u in seen if not u.startswith(f"{replay.base}/archive/") and not u.startswith(f"{replay.base}/static/")
    ]
    assert not escaped, f"requests left the replay: {escaped}"


def test_api_lookup_ignores_cache_buster_but_not_other_params(replay: Replay) -> None:
    ts = "20261124112233"
    status, body = replay.get(f"/archive/{ts}id_/{API.replace('1732451234567', '1999999999999')}")
    assert status == 200 and API_TEXT.encode() in body
    # A different page of the same endpoint was never captured: no fuzzy match onto the wrong data.
    status, _ = replay.get(f"/archive/{ts}id_/{ORIGIN}/api/v1/accounts/1/statuses?limit=20&max_id=99&_=1")
    assert status == 404


def test_fuzzy_lookup_beyond_pywbs_default_window(replay: Replay) -> None:
    # The last page is the 150th candidate, whether by time from 11:23:00 or by SURT key order.
    for n in (0, PAGED - 1):
        status, body = replay.get(f"/archive/20261124112300id_/{PAGED_API}?page={n}&_=1800000000000")
        assert status == 200 and json.loads(body) == {"page": n}


def test_fuzzy_match_prefers_the_capture_closest_in_time(replay: Replay) -> None:
    # Plain pywb 2.10 would answer both with the first crawl's record (first in index order).
    for day, text in ((24, b'"first crawl"'), (25, b'"second crawl"')):
        buster = 1795519353500 + (day - 24) * 86400000  # what wombat's Date.now() gives that page
        assert replay.get(f"/archive/202611{day}112233id_/{RECRAWLED_API}&_={buster}") == (200, text)


def test_revisit_to_other_url_replays_original_payload(replay: Replay) -> None:
    status, body = replay.get(f"/archive/20261124112234id_/{IMAGE_COPY}")
    assert status == 200 and body == png_1x1()


def test_resource_records_are_indexed_and_served(replay: Replay) -> None:
    lines = index_lines(replay.archive)
    for kind in ("screenshot", "dom", "text"):
        assert any(f'"url": "urn:{kind}:{PAGE}"' in line for line in lines), kind
    status, body = replay.get(f"/archive/20261124112235id_/urn:screenshot:{PAGE}")
    assert status == 200 and body == png_1x1()
    status, body = replay.get(f"/archive/20261124112235id_/urn:text:{PAGE}")
    assert status == 200 and body == API_TEXT.encode()


def test_open_warcs_are_not_indexed(replay: Replay) -> None:
    text = "\n".join(index_lines(replay.archive))
    assert ".warc.gz.open" not in text and "only-in-open-file" not in text
    assert replay.get(f"/archive/20261124113000id_/{OPEN_ONLY}")[0] == 404


def test_config_is_unframed_single_collection(replay: Replay) -> None:
    import yaml

    config = yaml.safe_load((replay.archive / ".pywb" / "original" / "config.yaml").read_text(encoding="utf-8"))
    assert config["framed_replay"] is False
    assert list(config["collections"]) == ["archive"]


def test_pages_of_a_view_and_what_sma_replay_prints(replay: Replay) -> None:
    assert ViewSet(replay.archive).pages("original") == [
        {"url": PAGE, "title": "Demo account", "ts": "20261124112233"},
        {"url": f"{ORIGIN}/@demo/123", "title": "A post", "ts": "20261124112240"},
    ]
    assert ViewSet(replay.archive).pages("access") == []
    printed = "".join(replay.gateway.stdout)
    assert f"on http://127.0.0.1:{replay.port}/ (sign in at http://127.0.0.1:{replay.port}/_sma/login)" in printed
    assert "Pages: 2 original, 0 access copy, 0 public" in printed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-24T11:22:33Z", "20261124112233"),
        ("2026-11-24T11:22:33.987654Z", "20261124112233"),
        ("2026-11-24T12:22:33+01:00", "20261124112233"),
        ("not a date", None),
        (None, None),
    ],
)
def test_timestamp14(value: object, expected: str | None) -> None:
    assert timestamp14(value) == expected


def test_index_is_rebuilt_only_when_warcs_change(tmp_path: Path) -> None:
    archive = build_archive(tmp_path)
    pywb_dir = prepare(archive)
    index = pywb_dir / "indexes" / "index.cdxj"
    first = index.stat().st_mtime_ns
    parts = {p.name: p.stat().st_mtime_ns for p in (pywb_dir / "parts").iterdir()}
    assert len(parts) == 2
    prepare(archive)
    assert index.stat().st_mtime_ns == first
    # The crawl closes its file: the rename makes it a WARC, and the next prepare() indexes it,
    # and only it.
    opened = next((archive / "warcs").glob("*.open"))
    opened.rename(opened.with_name(opened.name.removesuffix(".open")))
    prepare(archive)
    assert "only-in-open-file" in index.read_text(encoding="utf-8")
    for name, mtime in parts.items():
        assert (pywb_dir / "parts" / name).stat().st_mtime_ns == mtime, name


def test_damaged_warcs_do_not_stop_replay_of_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = build_archive(tmp_path)
    # A record whose header lacks WARC-Target-URI: pywb's indexer dies on it with a traceback.
    first = next((archive / "warcs").glob("*-00000.warc.gz"))
    with open(first, "ab") as fh:
        fh.write(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 2\r\n\r\nhi\r\n\r\n"))
    # Cut mid-record, as a full disk might leave a file: pywb reads up to the tear.
    paged = next((archive / "warcs").glob("*-00001.warc.gz"))
    data = paged.read_bytes()
    paged.write_bytes(data[: len(data) // 2])
    index = (prepare(archive) / "indexes" / "index.cdxj").read_text(encoding="utf-8")
    assert f'"url": "{PAGE}"' in index and f'"url": "{IMAGE_COPY}"' in index
    assert f"{PAGED_API}?page=0&" in index
    assert f"{PAGED_API}?page={PAGED - 1}&" not in index
    assert f"warning: {first.name}: damaged" in capsys.readouterr().err


def test_empty_archive_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match="no WARC files"):
        prepare(tmp_path)
    (tmp_path / "warcs").mkdir()
    (tmp_path / "warcs" / "x.warc.gz.open").write_bytes(b"")
    with pytest.raises(ReplayError, match="no WARC files"):
        serve_archive(tmp_path, free_port())  # before any view starts or any file is written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warcs"]


def test_missing_pywb_venv_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = build_archive(tmp_path)
    monkeypatch.setenv("SMA_PYWB_VENV", str(tmp_path / "no-such-venv"))
    with pytest.raises(ReplayError, match="make setup"):
        prepare(archive)


def test_busy_port_is_an_error(replay: Replay, tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match="cannot serve"):
        start_view(prepare_view(tmp_path, tmp_path / "pywb", None), replay.port)  # an empty view: nothing to index
