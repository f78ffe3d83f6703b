"""Reading the pseudonymised access derivative (DIR/access) for Woo review: pages, the records of a
page, and the ledger items of a page -- never an original byte.

The ledger (`crawls/<id>/pii-ledger.json.enc`) names ORIGINAL record ids; each access record names
its original in `WARC-Refers-To` (or `WARC-SMA-Derived-From` for a revisit), which is how a ledger
entry is tied to an access record and so to a page. Values are decrypted server-side only to be
dropped: an item the officer sees holds its type and pseudonym, never the value.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from archive.layout import ArchiveDir, crawl_id_of
from crawler.archive.pages import read_pages

# Ledger locations the officer decides on; URL attributes and replaced avatar payloads follow the
# person's pseudonym (redacted wherever it occurs) and the neutral avatar (already identifying no one).
ITEM_LOCATIONS = ("span", "box")
# Per-person ids (numeric or opaque user ids in URLs, attributes and JSON) are never visible text and are
# replaced by keyed stand-ins in every copy whatever the officer decides: the ledger marks them
# `visible: false` and they are nothing to review on the page. Ledgers written before that flag have
# no `visible` key: there, the type says it.
NOT_SHOWN_BEFORE_FLAG = frozenset(("userid",))


def is_shown(entry: dict) -> bool:
    return bool(entry.get("visible", entry.get("type") not in NOT_SHOWN_BEFORE_FLAG))


@dataclass(frozen=True)
class RecordRef:
    path: Path
    offset: int
    type: str
    uri: str
    record_id: str
    date: str
    page_uri: str
    original_id: str  # WARC-Refers-To (or WARC-SMA-Derived-From) -- the authentic record
    refers_to_uri: str
    refers_to_date: str
    concurrent_to: str
    content_type: str


@dataclass
class LoadedRecord:
    ref: RecordRef
    rec_headers: StatusAndHeaders
    http_headers: StatusAndHeaders | None
    payload: bytes


@dataclass
class Page:
    id: str
    url: str  # pseudonymised (access/pages.jsonl)
    ts: str
    title: str
    kind: str

    @property
    def crawl_id(self) -> str:
        return self.id.rsplit("-", 1)[0]


@dataclass
class Item:
    """One detected personal-data item of a page: every occurrence of one pseudonym."""

    key: str  # the pseudonym without a leading "@"; "avatar" for the page's avatar boxes
    types: list[str]
    pseudonym: str
    boxes: list[list[float]] = field(default_factory=list)  # screenshot boxes [x, y, w, h]
    occurrences: int = 0


class AccessArchive:
    """An index over DIR/access/warcs, rebuilt when the files change."""

    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = Path(archive_dir)
        self.layout = ArchiveDir(self.archive_dir)
        self.access_dir = self.layout.copy("access")
        self.refs: list[RecordRef] = []
        self.by_id: dict[str, RecordRef] = {}
        self.by_original: dict[str, RecordRef] = {}
        self.crawl_of: dict[Path, str] = {}
        self._scan()

    def files(self) -> list[Path]:
        return self.layout.closed_warcs("access")

    def signature(self) -> tuple:
        return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in self.files())

    def _scan(self) -> None:
        self._signature = self.signature()
        for path in self.files():
            self.crawl_of[path] = crawl_id_of(path)
            with open(path, "rb") as fh:
                iterator = ArchiveIterator(fh)
                for record in iterator:
                    h = record.rec_headers
                    http = record.http_headers
                    content_type = (http.get_header("Content-Type") if http and record.rec_type != "resource"
                                    else h.get_header("Content-Type")) or ""
                    ref = RecordRef(
                        path=path, offset=iterator.get_record_offset(), type=record.rec_type,
                        uri=h.get_header("WARC-Target-URI") or "", record_id=h.get_header("WARC-Record-ID") or "",
                        date=h.get_header("WARC-Date") or "", page_uri=h.get_header("WARC-Page-URI") or "",
                        original_id=h.get_header("WARC-Refers-To") or h.get_header("WARC-SMA-Derived-From") or "",
                        refers_to_uri=h.get_header("WARC-Refers-To-Target-URI") or "",
                        refers_to_date=h.get_header("WARC-Refers-To-Date") or "",
                        concurrent_to=h.get_header("WARC-Concurrent-To") or "", content_type=content_type,
                    )
                    self.refs.append(ref)
                    self.by_id[ref.record_id] = ref
                    if ref.original_id:
                        self.by_original[ref.original_id] = ref

    # -- pages ---------------------------------------------------------------------------------
    def pages(self) -> list[Page]:
        return [Page(str(r.get("id", "")), r["url"], r.get("ts", ""), r.get("title", ""), r.get("kind", "page"))
                for r in read_pages(self.access_dir)]

    def page(self, page_id: str) -> Page | None:
        return next((p for p in self.pages() if p.id == page_id), None)

    def page_records(self, page: Page) -> list[RecordRef]:
        """Every access record of the page's visit: its document, what it loaded, its urn: records."""
        out = []
        for ref in self.refs:
            if ref.type in ("warcinfo", "request") or self.crawl_of.get(ref.path) != page.crawl_id:
                continue
            if ref.page_uri == page.url or ref.uri == page.url or (
                    ref.uri.endswith(":" + page.url) and ref.uri.startswith(("urn:", "metadata:"))):
                out.append(ref)
        return out

    def requests_for(self, response_ids: set[str]) -> list[RecordRef]:
        return [r for r in self.refs if r.type == "request" and r.concurrent_to in response_ids]

    # -- records -------------------------------------------------------------------------------
    def _read(self, ref: RecordRef) -> tuple[StatusAndHeaders, StatusAndHeaders | None, bytes]:
        with open(ref.path, "rb") as fh:
            fh.seek(ref.offset)
            record = next(iter(ArchiveIterator(fh)))
            return record.rec_headers, record.http_headers, record.content_stream().read()

    def load(self, ref: RecordRef) -> LoadedRecord:
        """The record with its payload; a revisit gets the payload of the access record it refers to."""
        rec_headers, http_headers, payload = self._read(ref)
        if ref.type == "revisit":
            target = next((r for r in self.refs if r.type in ("response", "resource") and r.uri == ref.refers_to_uri
                           and r.date == ref.refers_to_date), None)
            payload = self._read(target)[2] if target is not None else b""
        return LoadedRecord(ref, rec_headers, http_headers, payload)

    def find_url(self, url: str, near: Page) -> RecordRef | None:
        """The response for `url` in the page's crawl (else any crawl): for the review frame's resources."""
        candidates = [r for r in self.refs if r.uri == url and r.type in ("response", "revisit", "resource")]
        same = [r for r in candidates if self.crawl_of.get(r.path) == near.crawl_id]
        return (same or candidates or [None])[0]

    def text_of(self, page: Page) -> str:
        ref = next((r for r in self.page_records(page) if r.uri == "urn:text:" + page.url), None)
        return self.load(ref).payload.decode("utf-8", "replace") if ref else ""

    def screenshot_of(self, page: Page) -> bytes:
        ref = next((r for r in self.page_records(page) if r.uri == "urn:screenshot:" + page.url), None)
        return self.load(ref).payload if ref else b""

    # -- ledger --------------------------------------------------------------------------------
    def items(self, page: Page) -> list[Item]:
        """The page's ledger items, grouped by pseudonym (a person's name, handle and @mention are one)."""
        page_ids = {r.record_id for r in self.page_records(page)}
        items: dict[str, Item] = {}
        for entry in ledger_entries(self.archive_dir, page.crawl_id):
            kind = next(iter(entry["location"]), "")
            if kind not in ITEM_LOCATIONS or not is_shown(entry):
                continue
            ref = self.by_original.get(entry["record_id"])
            if ref is None or ref.record_id not in page_ids:
                continue
            pseudonym = entry.get("pseudonym") or ""
            if entry["type"] == "avatar" or not pseudonym:
                key, shown = "avatar", "avatar (neutral)"
            else:
                key = pseudonym.removeprefix("@")
                shown = key
            item = items.setdefault(key, Item(key=key, types=[], pseudonym=shown))
            if entry["type"] not in item.types:
                item.types.append(entry["type"])
            item.occurrences += 1
            if kind == "box":
                item.boxes.append([float(v) for v in entry["location"]["box"]])
        return sorted(items.values(), key=lambda i: (i.key == "avatar", i.key))


def organisation_of(archive_dir: Path, crawl_id: str) -> str:
    summary = Path(archive_dir) / "crawls" / crawl_id / "privacy.json"
    if summary.exists():
        return json.loads(summary.read_text(encoding="utf-8")).get("organisation") or "default"
    return "default"


def ledger_entries(archive_dir: Path, crawl_id: str) -> Iterator[dict[str, Any]]:
    """The crawl's ledger without values (decrypted with the organisation's key, values dropped)."""
    from crawler.privacy.keys import load_keys
    from crawler.privacy.ledger import LEDGER_NAME, EncryptedJsonLines

    path = Path(archive_dir) / "crawls" / crawl_id / LEDGER_NAME
    if not path.exists():
        return
    keys = load_keys(organisation_of(archive_dir, crawl_id))
    for entry in EncryptedJsonLines(path, keys.fernet()).read():
        entry.pop("value", None)
        yield entry


class AccessCopy:
    """The component that keeps one archive's `AccessArchive` across requests (the gateway holds one
    per archive: GatewayRequest.components), rebuilt when the access copy's WARC files changed.
    Thread-safe: the gateway answers requests on several threads."""

    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = Path(archive_dir).resolve()
        self._lock = threading.Lock()
        self._archive: AccessArchive | None = None

    def current(self) -> AccessArchive:
        with self._lock:
            if self._archive is None or self._archive.signature() != self._archive._signature:
                self._archive = AccessArchive(self.archive_dir)
            return self._archive


def open_access(archive_dir: Path) -> AccessArchive:
    """A fresh index of the access copy, for one use (a command, an export); a process that answers
    many requests keeps an `AccessCopy` instead."""
    return AccessArchive(Path(archive_dir).resolve())
