"""Writing captures into WARC 1.1 files that stay valid whatever happens to the process.

A file is written as `<name>.warc.gz.open` and renamed when it is closed, so readers (pywb, WACZ
export) never see a half-written file. Every record is its own gzip member; after each record the
writer knows the last good offset, so a failed write (disk full) is cut back to it. Files left
`.open` by a killed process are repaired by `recover_open_files` before the next crawl writes; the
writer holds an exclusive flock on its `.open` file, so a live process's file is never "repaired".

With `page_commits` (the crawl's writer) the unit is a page, not a record: `commit()` marks the end
of a page's records in a side file `<name>.open.commit`, a failed write cuts back to that mark, and
recovery after `kill -9` keeps only whole pages. A page is then either archived with all its records
and its line in pages.jsonl, or not at all, so the next crawl captures it again once, not beside a torn
half. Files are rotated only between pages.
"""

from __future__ import annotations

import base64
import errno
import fcntl
import hashlib
import io
import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from .model import Exchange, PageCapture, timestamp14, utc_now, warc_date
from .recovery import COMMIT_SUFFIX, OPEN_SUFFIX, lock_writing, recover_open_files  # noqa: F401 - the writer's own names

logger = logging.getLogger(__name__)
# Hop-by-hop or encoding headers that no longer describe the decoded body we store.
DROPPED_RESPONSE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


class SHA256WARCWriter(WARCWriter):
    """warcio digests with SHA-1 by default; archives built today should use SHA-256."""

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


def payload_digest(body: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(body).digest()).decode("ascii")


def response_http_headers(ex: Exchange) -> StatusAndHeaders:
    headers = [(k, v) for k, v in ex.response_headers if k.lower() not in DROPPED_RESPONSE_HEADERS]
    headers.append(("Content-Length", str(len(ex.body))))
    statusline = f"{ex.status} {ex.reason}".strip()
    return StatusAndHeaders(statusline, headers, protocol=ex.http_version)


def request_http_headers(ex: Exchange) -> StatusAndHeaders:
    from urllib.parse import urlsplit

    parts = urlsplit(ex.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(ex.request_headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    # HTTP/2 pseudo-headers are not headers in an HTTP/1.1-style request block.
    headers = [(k, v) for k, v in headers if not k.startswith(":")]
    return StatusAndHeaders(f"{ex.method} {target}", headers, protocol="HTTP/1.1", is_http_request=True)


class ArchiveWriter:
    """Appends captures to rotating WARC files in `archive_dir/warcs`.

    `seen` maps (url, payload digest) to the first record of that payload, so that an unchanged
    resource fetched again (by another page of the crawl, or a later crawl) becomes a revisit.
    """

    def __init__(
        self,
        archive_dir: Path,
        crawl_id: str,
        warcinfo: dict[str, str],
        max_file_bytes: int = 1_000_000_000,
        prefix: str = "sma",
        seen: dict[tuple[str, str], tuple[str, str]] | None = None,
        page_commits: bool = False,
    ) -> None:
        self.warc_dir = Path(archive_dir) / "warcs"
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self.crawl_id = crawl_id
        self.warcinfo = warcinfo
        self.max_file_bytes = max_file_bytes
        self.prefix = prefix
        self.seen: dict[tuple[str, str], tuple[str, str]] = seen if seen is not None else {}
        self.serial = 0
        self.records = 0
        self.bytes_written = 0
        self.revisits = 0
        self.files: list[Path] = []
        self._fh: BinaryIO | None = None
        self._buffer = io.BytesIO()
        self._path: Path | None = None
        self._writer: SHA256WARCWriter | None = None
        self._good_offset = 0
        self._file_sha = hashlib.sha256()  # of the bytes written: the fixity manifest's line at close
        self.unsealed: list[Path] = []  # closed files whose manifest line could not be written (full disk)
        self.unsealed_error: OSError | None = None
        self.page_commits = page_commits
        # With page commits, payloads of the page being written: they reach `seen` (which may be shared,
        # as the frontier's Redis index is) only once the page is committed, so that no later revisit
        # ever names a record that a kill or a full disk cut off.
        self._pending: dict[tuple[str, str], tuple[str, str]] = {}
        self._committed = 0  # with page_commits: end of the last whole page (0: none yet)
        self._committed_sha = hashlib.sha256()

    # -- files -------------------------------------------------------------------------------
    def _open_next(self) -> None:
        name = f"{self.prefix}-{timestamp14(utc_now())}-{self.crawl_id}-{self.serial:05d}.warc.gz"
        self.serial += 1
        self._path = self.warc_dir / (name + OPEN_SUFFIX)
        # Unbuffered: after a failed write nothing is left in a Python buffer that a later flush
        # or close could push to disk behind the truncation (a full disk fails every flush).
        self._fh = open(self._path, "xb", buffering=0)
        lock_writing(self._fh)  # until closed or dead: recovery leaves a live writer's file alone
        self._writer = SHA256WARCWriter(self._buffer, gzip=True, warc_version="1.1")
        self._good_offset = 0
        self._file_sha = hashlib.sha256()
        self._committed = 0
        self._committed_sha = hashlib.sha256()
        self._pending.clear()
        if self.page_commits:
            self._save_commit(0)  # a file killed before its first page ends is dropped whole
        info = self._writer.create_warcinfo_record(name, self.warcinfo)
        self._write(info)

    def _write(self, record) -> None:  # noqa: ANN001 - warcio's record type is untyped
        assert self._fh is not None and self._writer is not None
        # The record is serialised in memory first, so the file only ever sees whole records.
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.write_record(record)
        data = memoryview(self._buffer.getbuffer())
        try:
            written = 0
            while written < len(data):
                written += self._fh.write(data[written:]) or 0
            self._file_sha.update(data)
        except BaseException:
            # Cut the file back to the end of the last complete record (with page commits: of the
            # last whole page): a reader must never meet half a gzip member, nor half a page.
            if self.page_commits and self._committed:
                self._pending.clear()
                self.bytes_written -= self._good_offset - self._committed
                self._good_offset = self._committed
                self._file_sha = self._committed_sha.copy()
            os.ftruncate(self._fh.fileno(), self._good_offset)
            self._fh.seek(self._good_offset)
            raise
        finally:
            data.release()
        new_offset = self._fh.tell()
        self.bytes_written += new_offset - self._good_offset
        self._good_offset = new_offset
        self.records += 1

    def _ensure_open(self) -> None:
        if self._fh is None or (not self.page_commits and self._good_offset >= self.max_file_bytes):
            self._close_current()
            self._open_next()

    def commit(self) -> None:
        """The page written since the last commit is whole: recovery after a kill keeps it."""
        if not self.page_commits or self._fh is None:
            return
        self._save_commit(self._good_offset)  # first: on a full disk the page stays uncommitted (cut at close)
        self._committed = self._good_offset
        self._committed_sha = self._file_sha.copy()
        for key, first in self._pending.items():
            self.seen.setdefault(key, first)
        self._pending.clear()
        if self._good_offset >= self.max_file_bytes:
            self._close_current()  # rotation between pages, never inside one

    def _save_commit(self, offset: int) -> None:
        assert self._path is not None
        side = self._path.with_name(self._path.name + COMMIT_SUFFIX)
        tmp = side.with_name(side.name + ".tmp")
        try:
            tmp.write_text(str(offset), encoding="ascii")
        except OSError:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, side)  # atomic: a kill leaves the old mark or the new one, never half

    def _close_current(self) -> None:
        if self._fh is None or self._path is None:
            return
        if self.page_commits and self._committed < self._good_offset:
            # Records after the last commit belong to a page that was never finished.
            self._pending.clear()
            self._fh.truncate(self._committed)
            self.bytes_written -= self._good_offset - self._committed
            self._good_offset = self._committed
            self._file_sha = self._committed_sha.copy()
        self._fh.close()
        path, self._fh, self._path, self._writer = self._path, None, None, None
        path.with_name(path.name + COMMIT_SUFFIX).unlink(missing_ok=True)
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        if self._good_offset == 0:
            path.unlink(missing_ok=True)
            return
        os.replace(path, final)
        self.files.append(final)
        try:
            self._record_fixity(final)
        except OSError as exc:
            # The WARC is whole and closed; only its manifest line is missing, so `sma verify` lists it
            # as unsealed and `--seal` adds it once there is room. A full disk must not undo the capture.
            self.unsealed.append(final)
            self.unsealed_error = exc
            logger.warning("%s is not in the fixity manifest: %s", final, exc.strerror or exc)

    def _record_fixity(self, final: Path) -> None:
        """One line in `<archive>/.sma/fixity.jsonl` (records/fixity.py, docs/fixity.md): the digest of
        the file as written, so `sma verify --archive` can later find a single changed bit."""
        root = self.warc_dir.parent
        line = json.dumps({"path": str(final.relative_to(root)), "size": self._good_offset,
                           "sha256": self._file_sha.hexdigest(), "by": "warc-close",
                           "sealed": utc_now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")}, sort_keys=True) + "\n"
        (root / ".sma").mkdir(mode=0o700, exist_ok=True)
        data = line.encode("utf-8")
        fd = os.open(root / ".sma" / "fixity.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # other writers' lines stay whole if this one is cut back
            before = os.fstat(fd).st_size
            try:
                # One write with O_APPEND: parallel writers never interleave a line.
                if os.write(fd, data) != len(data):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            except OSError:
                # A full disk can take part of the line: cut it off, or the manifest gains an unreadable
                # line that `sma verify` reports as damage.
                if os.fstat(fd).st_size > before:
                    os.ftruncate(fd, before)
                raise
        finally:
            os.close(fd)

    def close(self) -> None:
        self._close_current()

    # -- records -----------------------------------------------------------------------------
    def _first(self, key: tuple[str, str]) -> tuple[str, str] | None:
        return self.seen.get(key) or self._pending.get(key)

    def _remember(self, key: tuple[str, str], first: tuple[str, str]) -> None:
        if self.page_commits:
            self._pending.setdefault(key, first)
        else:
            self.seen.setdefault(key, first)

    def write_exchange(self, ex: Exchange, page_url: str | None = None) -> str:
        """Writes response (or revisit) + request; returns the response record's id."""
        self._ensure_open()
        assert self._writer is not None
        date = warc_date(ex.started)
        digest = payload_digest(ex.body)
        common = {"WARC-Date": date}
        if ex.remote_ip:
            common["WARC-IP-Address"] = ex.remote_ip
        if page_url and page_url != ex.url:
            common["WARC-Page-URI"] = page_url  # not a WARC 1.1 field; harmless and useful context
        if ex.body_source != "browser":
            common["WARC-SMA-Body-Source"] = ex.body_source
        if ex.truncated:
            common["WARC-Truncated"] = ex.truncated  # the payload is the start of the response only
        http_headers = response_http_headers(ex)
        key = (ex.url, digest)
        first = self._first(key) if ex.body and not ex.truncated else None
        if first is not None and not ex.is_redirect:
            record = self._writer.create_revisit_record(
                ex.url, digest, first[0], first[1], http_headers=http_headers, warc_headers_dict=common
            )
            self.revisits += 1
        else:
            record = self._writer.create_warc_record(
                ex.url,
                "response",
                payload=io.BytesIO(ex.body),
                length=len(ex.body),
                http_headers=http_headers,
                warc_headers_dict={**common, "WARC-Payload-Digest": digest},
            )
            if ex.body and not ex.truncated:
                self._remember(key, (ex.url, date))
        self._write(record)
        response_id = record.rec_headers.get_header("WARC-Record-ID")
        request = self._writer.create_warc_record(
            ex.url,
            "request",
            payload=io.BytesIO(ex.request_body or b""),
            length=len(ex.request_body or b""),
            http_headers=request_http_headers(ex),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id},
        )
        self._write(request)
        return response_id

    def write_resource(
        self, uri: str, content_type: str, data: bytes, date: datetime, concurrent_to: str | None = None
    ) -> str:
        self._ensure_open()
        assert self._writer is not None
        headers = {"WARC-Date": warc_date(date), "Content-Type": content_type}
        if concurrent_to:
            headers["WARC-Concurrent-To"] = concurrent_to
        digest = payload_digest(data)
        first = self._first((uri, digest)) if data else None
        if first is not None:
            # The same screenshot/DOM/text as an earlier capture of this page: a revisit.
            record = self._writer.create_revisit_record(uri, digest, first[0], first[1], warc_headers_dict=headers)
            record.rec_headers.replace_header("WARC-Payload-Digest", digest)
            self.revisits += 1
        else:
            record = self._writer.create_warc_record(
                uri,
                "resource",
                payload=io.BytesIO(data),
                length=len(data),
                warc_content_type=content_type,
                warc_headers_dict={**headers, "WARC-Payload-Digest": digest},
            )
            if data:
                self._remember((uri, digest), (uri, warc_date(date)))
        self._write(record)
        return record.rec_headers.get_header("WARC-Record-ID")

    def write_metadata(self, uri: str, fields: dict[str, str], date: datetime, concurrent_to: str | None) -> str:
        self._ensure_open()
        assert self._writer is not None
        body = "".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode("utf-8")
        headers = {"WARC-Date": warc_date(date)}
        if concurrent_to:
            headers["WARC-Concurrent-To"] = concurrent_to
        record = self._writer.create_warc_record(
            uri,
            "metadata",
            payload=io.BytesIO(body),
            length=len(body),
            warc_content_type="application/warc-fields",
            warc_headers_dict=headers,
        )
        self._write(record)
        return record.rec_headers.get_header("WARC-Record-ID")

    def write_page(self, page: PageCapture) -> str | None:
        """Writes a page visit; returns the record id of the page's own document response."""
        page_id: str | None = None
        for ex in page.exchanges:
            rid = self.write_exchange(ex, page_url=page.url)
            if ex.url == page.url and page_id is None:
                page_id = rid
        if page.screenshot:
            self.write_resource(f"urn:screenshot:{page.url}", "image/png", page.screenshot, page.started, page_id)
        if page.dom is not None:
            self.write_resource(
                f"urn:dom:{page.url}", "text/html; charset=utf-8", page.dom.encode("utf-8"), page.started, page_id
            )
        if page.text is not None:
            self.write_resource(
                f"urn:text:{page.url}", "text/plain; charset=utf-8", page.text.encode("utf-8"), page.started, page_id
            )
        if page.facts:
            import json

            fields = {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in page.facts.items()}
            self.write_metadata(f"metadata:{page.url}", fields, page.started, page_id)
        return page_id
