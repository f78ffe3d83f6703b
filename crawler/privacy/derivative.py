"""The pseudonymised access derivative of a crawl: a parallel WARC collection in `DIR/access/`.

Every record of the crawl's original WARCs gets a counterpart in `DIR/access/warcs/`, in the same
order and with the same WARC-Date, so the access collection replays on its own (pywb, any WACZ
player) and a record is traced back to the authentic one by `WARC-Refers-To` (the original's
record id) and `WARC-Refers-To-Date`. Bodies, URLs, headers, DOM and text are pseudonymised,
third-party avatars become one neutral PNG, screenshots get every recorded PII box filled.
Request records keep no cookies. Original revisits stay revisits when the derivative has an
identical earlier record, else the referred payload is derived again (a name learned after the
first copy must not stay readable in it). See docs/privacy.md for why this form.

The derivative is written when the crawl closes, from the original WARCs: by then every page's
commenters are known, so a name first learned on the last post page is also pseudonymised in the
profile page captured first. No Scrapy or Playwright here.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from archive.content_types import is_binary
from archive.layout import crawl_warcs
from archive.pages import append_page, read_pages
from archive.transform import Handling, handling, metadata_fields

from ..archive.dedup import load_seen
from ..archive.model import Exchange
from ..archive.warc import ArchiveWriter
from .ledger import NOT_SHOWN, LedgerEntry
from .rewrite import pseudonymise_body, pseudonymise_text, pseudonymise_url
from .screenshots import NEUTRAL_AVATAR, cover_boxes

ACCESS_DIRNAME = "access"
# SMA's own URIs that embed a page URL: urn:screenshot:<url>, metadata:<url>, urn:sma:change:...:<url>
_PREFIXED_URL = re.compile(r"^((?:urn|metadata):[^ ]*?)(https?://.*)$", re.DOTALL)
ACCESS_PREFIX = "sma-access"
COVERED = "[bedekt]"  # the ledger's "pseudonym" of what is only covered (avatars, unreadable pages)
DROPPED_HEADERS = {"cookie", "set-cookie", "authorization", "proxy-authorization"}
URL_HEADERS = {"location", "referer", "content-location", "origin"}
# Headers whose values cannot carry a third party's data; everything else is pseudonymised text.
PLAIN_HEADERS = {"date", "content-type", "content-length", "last-modified", "expires", "cache-control", "etag",
                 "accept", "accept-encoding", "accept-language", "accept-ranges", "content-range", "range",
                 "connection", "user-agent", "vary", "pragma", "server", "age", "upgrade-insecure-requests",
                 "x-content-type-options", "access-control-allow-origin", "keep-alive", "host"}


@dataclass
class PageFacts:
    """Capture-time privacy facts of one page (from PageCapture, kept in privacy-capture.json.enc)."""

    url: str
    third_parties: list[dict[str, Any]] = field(default_factory=list)
    boxes: list[dict[str, Any]] = field(default_factory=list)
    # The organisation's own account as the crawl knew it by this page: {"identities": [name, handle, ...],
    # "avatars": [image URL, ...]}. Recorded with the capture, so any process deriving the copy later
    # (a shared crawl's finisher, the next crawl, a re-derivation) leaves the own avatar and name alone.
    own: dict[str, list[str]] = field(default_factory=dict)


def recorded_own(pages: Iterable[PageFacts]) -> tuple[list[str], set[str]]:
    """The own account's identities and avatar URLs recorded over a crawl's pages (their union)."""
    identities: dict[str, None] = {}
    avatars: set[str] = set()
    for facts in pages:
        identities.update(dict.fromkeys(v for v in facts.own.get("identities") or () if v))
        avatars.update(v for v in facts.own.get("avatars") or () if v)
    return list(identities), avatars


@dataclass
class DerivativeResult:
    files: list[Path]
    records: int
    ledger: list[LedgerEntry]
    pages: int


class AccessWriter(ArchiveWriter):
    """ArchiveWriter whose records also name the original they were derived from."""

    provenance: tuple[str, str] | None = None  # (original record id, original WARC-Date)

    def _write(self, record) -> None:  # noqa: ANN001 - warcio's record type is untyped
        if self.provenance and record.rec_type not in ("request", "warcinfo"):
            original_id, original_date = self.provenance
            if record.rec_type == "revisit":  # its Refers-To fields name the derivative's own record
                record.rec_headers.add_header("WARC-SMA-Derived-From", original_id)
            else:
                record.rec_headers.add_header("WARC-Refers-To", original_id)
                record.rec_headers.add_header("WARC-Refers-To-Date", original_date)
        super()._write(record)


def parse_warc_date(value: str) -> datetime:
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"not a WARC date: {value!r}")


def _records(path: Path) -> Iterator[Any]:
    with open(path, "rb") as fh:
        yield from ArchiveIterator(fh)


def _charset_of(content_type: str) -> str:
    m = re.search(r"charset=[\"']?([\w.-]+)", content_type)
    try:
        return codecs.lookup(m.group(1)).name if m else "utf-8"
    except LookupError:
        return "utf-8"


class Deriver:
    """Writes the access derivative of one crawl and collects its ledger entries."""

    def __init__(self, archive_dir: Path, crawl_id: str, detector: Any, pseudonymiser: Any,
                 avatar_patterns: Iterable[str], pages: dict[str, PageFacts], warcinfo: dict[str, str]) -> None:
        self.archive_dir = Path(archive_dir)
        self.crawl_id = crawl_id
        self.detector = detector
        detector.presidio = False  # identical matches; Presidio's per-string overhead is most of the cost here
        self.pseudonymiser = pseudonymiser
        self.avatar_res = [re.compile(p) for p in avatar_patterns]
        self.own_pictures: set[str] = set()  # the own account's picture URLs (learn_structure)
        self.pages = pages
        self.access_dir = self.archive_dir / ACCESS_DIRNAME
        self.writer = AccessWriter(self.access_dir, crawl_id, warcinfo, prefix=ACCESS_PREFIX,
                                   seen=load_seen(self.access_dir))
        self.ledger: list[LedgerEntry] = []
        self.id_map: dict[str, str] = {}  # original record id -> access record id
        self._originals: dict[tuple[str, str], tuple[Path, int]] | None = None
        self._indexed: dict[Path, dict[tuple[str, str], tuple[Path, int]]] = {}  # by the structural pre-pass
        self._body_cache: dict[tuple[str, str, str], tuple[bytes, list[Any]]] = {}

    # -- indexes -----------------------------------------------------------------------------
    def _original_payload(self, uri: str, date: str) -> bytes | None:
        """The payload an original revisit refers to, from any crawl's original WARCs."""
        if self._originals is None:
            self._originals = {}
            for path in crawl_warcs(self.archive_dir / "warcs"):
                if path not in self._indexed:  # another crawl's WARC: not read by the pre-pass
                    for _record in self._indexing(path):
                        pass
                self._originals.update(self._indexed[path])
        where = self._originals.get((uri, date))
        if where is None:
            return None
        with open(where[0], "rb") as fh:
            fh.seek(where[1])
            return next(iter(ArchiveIterator(fh))).content_stream().read()

    def _indexing(self, path: Path) -> Iterator[Any]:
        """The records of one original WARC, noting where each payload is on the way (one read of
        the file serves the structural pre-pass and the revisits' index)."""
        index: dict[tuple[str, str], tuple[Path, int]] = {}
        with open(path, "rb") as fh:
            iterator = ArchiveIterator(fh)
            for rec in iterator:
                # Where the record starts: warcio sets it on finishing the previous record (its
                # get_record_offset() would read this one to its end, before the caller reads it).
                if rec.rec_type in ("response", "resource"):
                    index[(rec.rec_headers.get_header("WARC-Target-URI"),
                           rec.rec_headers.get_header("WARC-Date"))] = (path, iterator.offset)
                yield rec
        self._indexed[path] = index  # only once every record was read

    # -- pseudonymisation ----------------------------------------------------------------------
    def _url(self, url: str) -> str:
        """A URL, or SMA's `urn:screenshot:<url>`-style URI, with the URL part pseudonymised."""
        prefixed = _PREFIXED_URL.match(url)
        if prefixed:
            return prefixed.group(1) + pseudonymise_url(prefixed.group(2), self.detector, self.pseudonymiser)
        return pseudonymise_url(url, self.detector, self.pseudonymiser)

    def _body(self, body: bytes, content_type: str, url: str, digest: str) -> tuple[bytes, list[Any]]:
        if not body or is_binary(content_type):
            return body, []
        key = (url, content_type, digest)
        if key not in self._body_cache:
            self._body_cache[key] = pseudonymise_body(body, content_type, url, self.detector, self.pseudonymiser)
        return self._body_cache[key]

    def _headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        out = []
        for name, value in headers:
            lower = name.lower()
            if lower in DROPPED_HEADERS:
                continue
            if lower in URL_HEADERS:
                value = pseudonymise_url(value, self.detector, self.pseudonymiser)
            elif lower not in PLAIN_HEADERS:
                value = pseudonymise_text(value, self.detector, self.pseudonymiser)[0]
            out.append((name, value))
        return out

    def _note(self, original: Any, findings: Iterable[Any], kind: str = "span") -> None:
        record_id = original.rec_headers.get_header("WARC-Record-ID")
        uri = original.rec_headers.get_header("WARC-Target-URI")
        for f in findings:
            self.ledger.append(LedgerEntry(record_id, uri, {kind: [f.start, f.end]}, f.type, f.value,
                                           self.pseudonymiser.pseudonym(f.type, f.value), f.source,
                                           visible=f.type not in NOT_SHOWN))

    def _note_other(self, original: Any, location: dict[str, Any], kind: str, value: str, pseudonym: str,
                    source: str = "structural") -> None:
        self.ledger.append(LedgerEntry(original.rec_headers.get_header("WARC-Record-ID"),
                                       original.rec_headers.get_header("WARC-Target-URI"), location, kind, value,
                                       pseudonym, source))

    # -- records -----------------------------------------------------------------------------
    def _exchange(self, response: Any, payload: bytes, request: Any | None, request_body: bytes) -> Exchange:
        url = response.rec_headers.get_header("WARC-Target-URI")
        new_url = self._url(url)
        if new_url != url:
            self._note_other(response, {"attr": "WARC-Target-URI"}, "url", url, new_url, "propagated")
        http = response.http_headers
        content_type = http.get_header("Content-Type") or "" if http else ""
        headers = list(http.headers) if http else []
        digest = response.rec_headers.get_header("WARC-Payload-Digest") or ""
        if payload and any(p.search(url) for p in self.avatar_res) and url not in self.own_pictures:
            body = NEUTRAL_AVATAR
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"] + [("Content-Type", "image/png")]
            self._note_other(response, {"payload": "replaced"}, "avatar", url, "neutral avatar")
        else:
            body, findings = self._body(payload, content_type, url, digest)
            self._note(response, findings)
        status = int(http.get_statuscode() or 0) if http else 200
        reason = http.statusline.partition(" ")[2] if http else "OK"
        method = "GET"
        request_headers: list[tuple[str, str]] = []
        new_request_body = request_body
        if request is not None and request.http_headers is not None:
            method = request.http_headers.protocol  # warcio: "GET" + statusline "/path HTTP/1.1"
            request_headers = self._headers(request.http_headers.headers)
            if request_body:
                req_type = request.http_headers.get_header("Content-Type") or "text/plain"
                new_request_body, findings = self._body(request_body, req_type, url, "request")
                self._note(request, findings)
        page_uri = response.rec_headers.get_header("WARC-Page-URI")
        self._page_url = self._url(page_uri) if page_uri else None
        return Exchange(
            url=new_url, method=method, request_headers=request_headers, request_body=new_request_body or None,
            status=status, reason=reason, http_version=http.protocol if http else "HTTP/1.1",
            response_headers=self._headers(headers), body=body,
            started=parse_warc_date(response.rec_headers.get_header("WARC-Date")),
            remote_ip=response.rec_headers.get_header("WARC-IP-Address"),
            body_source=response.rec_headers.get_header("WARC-SMA-Body-Source") or "browser",
        )

    def _write_exchange(self, response: Any, payload: bytes, request: Any | None, request_body: bytes) -> None:
        if response.rec_type == "revisit":
            referred = self._original_payload(response.rec_headers.get_header("WARC-Refers-To-Target-URI"),
                                              response.rec_headers.get_header("WARC-Refers-To-Date"))
            payload = referred if referred is not None else b""
        ex = self._exchange(response, payload, request, request_body)
        self.writer.provenance = (response.rec_headers.get_header("WARC-Record-ID"),
                                  response.rec_headers.get_header("WARC-Date"))
        access_id = self.writer.write_exchange(ex, page_url=self._page_url)
        self.id_map[response.rec_headers.get_header("WARC-Record-ID")] = access_id

    def _write_resource(self, record: Any, payload: bytes) -> None:
        uri = record.rec_headers.get_header("WARC-Target-URI")
        if record.rec_type == "revisit":  # an unchanged screenshot/DOM/text of an earlier crawl
            referred = self._original_payload(record.rec_headers.get_header("WARC-Refers-To-Target-URI"),
                                              record.rec_headers.get_header("WARC-Refers-To-Date"))
            payload = referred if referred is not None else b""
        content_type = record.rec_headers.get_header("Content-Type") or "application/octet-stream"
        date = parse_warc_date(record.rec_headers.get_header("WARC-Date"))
        if uri.startswith("urn:screenshot:"):
            page = self.pages.get(uri.removeprefix("urn:screenshot:"))
            # No capture facts for the page (crawl without privacy, lost facts): cover it all.
            boxes = page.boxes if page is not None else [{"x": 0, "y": 0, "width": 1e7, "height": 1e7,
                                                          "type": "unknown", "value": "", "source": "no-facts"}]
            # The organisation's own avatar (its URL names the own handle, or it was read beside the own
            # name; recorded with the capture) is no third party's: its box is dropped, so it is neither
            # covered nor a ledger entry nor an item of a Woo review.
            boxes = [b for b in boxes if not (b["type"] == "avatar" and self._own_picture(b["value"]))]
            data = cover_boxes(payload, boxes)
            for b in boxes:
                covered_only = not b["value"] or b["type"] in ("avatar", "unknown")
                pseudonym = COVERED if covered_only else self.pseudonymiser.pseudonym(b["type"], b["value"])
                self._note_other(record, {"box": [round(b["x"]), round(b["y"]), round(b["width"]),
                                                  round(b["height"])]}, b["type"], b["value"], pseudonym, b["source"])
        else:
            data, findings = self._body(payload, content_type, uri, record.rec_headers.get_header("WARC-Block-Digest"))
            self._note(record, findings)
        concurrent = self.id_map.get(record.rec_headers.get_header("WARC-Concurrent-To") or "")
        self.writer.provenance = (record.rec_headers.get_header("WARC-Record-ID"),
                                  record.rec_headers.get_header("WARC-Date"))
        new_id = self.writer.write_resource(self._url(uri), content_type, data, date, concurrent)
        self.id_map[record.rec_headers.get_header("WARC-Record-ID")] = new_id

    def _write_metadata(self, record: Any, payload: bytes) -> None:
        def pseudonymised(value: str) -> str:
            new_value, findings = pseudonymise_text(value, self.detector, self.pseudonymiser)
            self._note(record, findings)
            return new_value

        fields = metadata_fields(payload, pseudonymised)
        self.writer.provenance = (record.rec_headers.get_header("WARC-Record-ID"),
                                  record.rec_headers.get_header("WARC-Date"))
        concurrent = self.id_map.get(record.rec_headers.get_header("WARC-Concurrent-To") or "")
        self.writer.write_metadata(self._url(record.rec_headers.get_header("WARC-Target-URI")), fields,
                                   parse_warc_date(record.rec_headers.get_header("WARC-Date")), concurrent)

    def _own_picture(self, url: str) -> bool:
        from .structural import own_avatar

        return url in self.own_pictures or own_avatar(url, getattr(self.detector, "own_identities", ()),
                                                      getattr(self.detector, "own_avatars", ()))

    def learn_structure(self) -> None:
        """Structural detection without a profile: every commenter, per-person id and picture URL the
        crawl's JSON and HTML responses show (crawler/privacy/structural.py), learned before the first
        record is written, so the whole copy pseudonymises them (the organisation's own are skipped:
        its pictures, by the own account recorded with the capture, stay as captured)."""
        from .structural import own_avatars, scan_records

        paths = crawl_warcs(self.archive_dir / "warcs", self.crawl_id)
        redirects: dict[str, str] = {}
        people, ids = scan_records((record for path in paths for record in self._indexing(path)), self.avatar_res,
                                   redirects)
        identities = list(getattr(self.detector, "own_identities", ()))
        known = getattr(self.detector, "own_avatars", set())
        pictures = [p.avatar_url for p in people if p.avatar_url and not (p.name or p.handle)]
        own_pictures = own_avatars(pictures + list(redirects), identities, known, redirects)
        known.update(own_pictures)
        self.own_pictures = own_pictures
        self.detector.learn(p for p in people if not (p.avatar_url in own_pictures and not (p.name or p.handle)))
        own = {i for i, p in ids.items()
               if p is not None and any(v and self.detector.is_own(v) for v in (p.name, p.handle))}
        self.detector.learn_ids(i for i in ids if i not in own)

    def run(self) -> DerivativeResult:
        self.learn_structure()
        self._page_url: str | None = None
        pending: tuple[Any, bytes] | None = None
        try:
            for path in crawl_warcs(self.archive_dir / "warcs", self.crawl_id):
                for record in _records(path):
                    how = handling(record.rec_type, record.rec_headers.get_header("WARC-Target-URI") or "")
                    payload = record.content_stream().read()
                    if how is Handling.REQUEST and pending is not None:
                        self._write_exchange(pending[0], pending[1], record, payload)
                        pending = None
                        continue
                    if pending is not None:  # a response without its request record
                        self._write_exchange(pending[0], pending[1], None, b"")
                        pending = None
                    if how is Handling.EXCHANGE:
                        pending = (record, payload)
                    elif how is Handling.RESOURCE:
                        self._write_resource(record, payload)
                    elif how is Handling.METADATA:
                        self._write_metadata(record, payload)
            if pending is not None:
                self._write_exchange(pending[0], pending[1], None, b"")
        finally:
            self.writer.close()
        return DerivativeResult(self.writer.files, self.writer.records, self.ledger, self._write_pages())

    def _write_pages(self) -> int:
        """The crawl's rows of pages.jsonl, pseudonymised, into access/pages.jsonl."""
        count = 0
        for row in read_pages(self.archive_dir):
            if not str(row.get("id", "")).startswith(f"{self.crawl_id}-"):
                continue
            row = dict(row)
            row["url"] = self._url(row["url"])
            if row.get("title"):
                row["title"] = pseudonymise_text(row["title"], self.detector, self.pseudonymiser)[0]
            append_page(self.access_dir, row)
            count += 1
        return count
