"""Fixity: a manifest of SHA-256 digests, and the check that finds a single flipped bit (docs/fixity.md).

The manifest is `<root>/.sma/fixity.jsonl`, one JSON object a line, the last line for a path wins:
`{"path", "size", "sha256", "sealed", "by"}`. The WARC writer appends a line when it closes a WARC
(crawler/archive/warc.py, `by: "warc-close"`); `seal` appends lines for every other file (indexes,
ledgers, pages, state) and for WARCs written by others (access copy, repairs). A JSON Lines file only
ever grows (audit log, changes, pages), so for `.jsonl` the check hashes the sealed prefix: appending is
not a change, rewriting a sealed byte is. Each copy's writer may keep its own manifest
(`access/.sma/fixity.jsonl`, `public/.sma/fixity.jsonl`); `verify` reads them all.

`verify` recomputes every file's digest against the manifest and reads every WARC record with its
WARC-Block-Digest and WARC-Payload-Digest (warcio's digest checker), naming the file and the record.
"""

from __future__ import annotations

import base64
import errno
import fcntl
import hashlib
import io
import json
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

MANIFEST = Path(".sma") / "fixity.jsonl"
COPIES = ("", "access", "public")  # roots whose writers may keep a manifest of their own
CHUNK = 1 << 20
FEED = 1 << 16
# Files that are not content: locks, temporaries, replay's logs and its generated config.
SKIP_SUFFIXES = (".open", ".lock", ".tmp", ".signing", "-journal", "-wal", "-shm", ".log")
SKIP_NAMES = {"fixity.jsonl", "fixity-checkpoints.jsonl", "index-state.json", "config.yaml", "run.lock"}
SKIP_DIRS = {Path(".sma") / "digests"}  # the dedup cache: derived, rewritten by every crawl


def sha256_file(path: Path, limit: int | None = None) -> str:
    h = hashlib.sha256()
    left = limit
    with open(path, "rb") as fh:
        while left is None or left > 0:
            chunk = fh.read(CHUNK if left is None else min(CHUNK, left))
            if not chunk:
                break
            h.update(chunk)
            if left is not None:
                left -= len(chunk)
    return h.hexdigest()


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def append_entries(root: Path, entries: list[dict]) -> None:
    """Appends manifest lines in one write (O_APPEND), so concurrent writers never interleave a line.

    A short or failed write (a full disk) is cut back to where the file ended, under the same lock as
    the WARC writer's (crawler/archive/warc.py), and raises OSError: the manifest never keeps half a
    line, which `verify` would report as damage."""
    path = Path(root) / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = "".join(json.dumps(e, sort_keys=True) + "\n" for e in entries).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        before = os.fstat(fd).st_size
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(errno.ENOSPC, f"{os.strerror(errno.ENOSPC)}: {written} of {len(data)} bytes written")
        except OSError:
            if os.fstat(fd).st_size > before:
                os.ftruncate(fd, before)
            raise
    finally:
        os.close(fd)


def read_manifest(archive_dir: Path) -> dict[str, dict]:
    """path (relative to the archive directory) -> its newest manifest entry, over every copy's manifest."""
    archive_dir = Path(archive_dir)
    lines: list[tuple[str, str, dict]] = []
    broken: dict[str, dict] = {}
    for copy in COPIES:
        path = archive_dir / copy / MANIFEST
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            try:
                entry = json.loads(line)
                rel = str(Path(copy) / entry["path"]) if copy else entry["path"]
                lines.append((entry.get("removed") or entry["sealed"], rel, {**entry, "path": rel}))
            except (ValueError, KeyError, TypeError, AttributeError):
                broken[f"{path.relative_to(archive_dir)}:{number}"] = {"broken": line[:80]}
    entries: dict[str, dict] = {}
    for _, rel, entry in sorted(lines, key=lambda t: t[0]):  # stable: a manifest's own order within a second
        if entry.get("removed"):
            entries.pop(rel, None)  # a file a destruction or re-index took away, on purpose
        else:
            entries[rel] = entry
    entries.update(broken)
    return entries


def content_files(archive_dir: Path) -> Iterator[Path]:
    archive_dir = Path(archive_dir)
    for dirpath, dirnames, filenames in os.walk(archive_dir):
        dirnames[:] = sorted(d for d in dirnames if (Path(dirpath) / d).relative_to(archive_dir) not in SKIP_DIRS)
        for name in sorted(filenames):
            if name in SKIP_NAMES or name.endswith(SKIP_SUFFIXES):
                continue
            yield Path(dirpath) / name


def kind_of(rel: str) -> str:
    if rel.endswith(".warc.gz"):
        return "warc"
    if rel.endswith(".cdxj") or "/search/" in f"/{rel}" or rel.endswith((".sqlite", ".db")):
        return "index"
    if rel.endswith(".enc") or rel.endswith("audit.jsonl") or "ledger" in rel:
        return "ledger"
    return "other"


def entry_for(archive_dir: Path, path: Path, by: str) -> dict:
    return {"path": str(path.relative_to(archive_dir)), "size": path.stat().st_size, "sha256": sha256_file(path),
            "sealed": now_iso(), "by": by}


def seal_files(archive_dir: Path, paths: list[Path], by: str) -> None:
    """For writers that rewrite or add files on purpose (destruction run, access copy, re-index): their
    new digests, e.g. `seal_files(archive, rewritten, "destroy-run")`."""
    archive_dir = Path(archive_dir)
    append_entries(archive_dir, [entry_for(archive_dir, Path(p), by) if Path(p).exists() else
                                 {"path": str(Path(p).relative_to(archive_dir)), "removed": now_iso(), "by": by}
                                 for p in paths])


def seal(archive_dir: Path) -> list[dict]:
    """Adds a manifest line for every file that has none or whose content changed; returns those lines."""
    archive_dir = Path(archive_dir)
    known = read_manifest(archive_dir)
    new = []
    for path in content_files(archive_dir):
        rel = str(path.relative_to(archive_dir))
        old = known.get(rel)
        if old and old.get("size") == path.stat().st_size and old.get("sha256") == sha256_file(path):
            continue
        new.append(entry_for(archive_dir, path, "seal"))
    present = {str(p.relative_to(archive_dir)) for p in content_files(archive_dir)}
    new += [{"path": rel, "removed": now_iso(), "by": "seal"} for rel, entry in known.items()
            if "broken" not in entry and rel not in present]
    if new:
        append_entries(archive_dir, new)
    return new


@dataclass
class Problem:
    file: str
    what: str
    record: str = ""  # WARC-Record-ID and offset, for a WARC

    def line(self) -> str:
        return f"{self.file}: {self.what}" + (f" [record {self.record}]" if self.record else "")


@dataclass
class FixityReport:
    problems: list[Problem] = field(default_factory=list)
    unsealed: list[str] = field(default_factory=list)
    files: int = 0
    records: int = 0
    bytes: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


RECORD_ID = re.compile(rb"WARC-Record-ID:\s*(<[^>\r\n]*>)")


def check_warc_records(path: Path, rel: str, report: FixityReport) -> None:
    """Every record (one gzip member each) inflated on its own, then its WARC-Block-Digest and
    WARC-Payload-Digest checked by warcio; a damaged member is named by its offset and record id."""
    with open(path, "rb") as fh:
        pending = b""
        position = 0
        previous_id = ""
        while True:
            start = position
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out = bytearray()
            try:
                while not inflater.eof:
                    if not pending:
                        pending = fh.read(FEED)  # small: each member end copies what is left over
                        if not pending:
                            break
                    out += inflater.decompress(pending)
                    position += len(pending) - len(inflater.unused_data)
                    pending = inflater.unused_data
            except zlib.error as exc:
                found = RECORD_ID.search(_salvage_head(path, start))
                if found:
                    name = found.group(1).decode("ascii", "replace")
                else:  # the flip is in the header itself: name the record by its neighbour
                    neighbour = f"the record after {previous_id}" if previous_id else "the first record"
                    name = f"unknown id, {neighbour}"
                report.problems.append(Problem(rel, f"damaged gzip member ({exc}); later records not checked",
                                               f"{name} at offset {start}"))
                return
            if not inflater.eof:
                if out or position > start:
                    report.problems.append(Problem(rel, "truncated record", f"at offset {start}"))
                return
            found = RECORD_ID.search(bytes(out[:4096]))
            previous_id = found.group(1).decode("ascii", "replace") if found else previous_id
            _check_record(bytes(out), rel, start, report)


def _salvage_head(path: Path, start: int) -> bytes:
    """The first bytes a damaged member still inflates to, fed in small pieces so that the output before
    the damage (the record's header, as a rule) is kept even when the whole member fits in one read."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(FEED)
    for at in range(0, len(data), 64):
        try:
            out += inflater.decompress(data[at:at + 64])
        except zlib.error:
            break
        if len(out) >= 4096 or inflater.eof:
            break
    return bytes(out[:4096])


def _digest_matches(expected: str, data: bytes) -> bool | None:
    """None when the algorithm is not one hashlib knows (then warcio decides)."""
    algorithm, _, value = expected.partition(":")
    try:
        digest = hashlib.new(algorithm.lower().replace("-", ""), data).digest()
    except ValueError:
        return None
    return value.strip() in (base64.b32encode(digest).decode("ascii"), digest.hex())


def _fast_record_ok(data: bytes) -> bool:
    """The block and payload digests, read straight from the record (warcio confirms any failure)."""
    end = data.find(b"\r\n\r\n")
    if end < 0 or not data.startswith(b"WARC/"):
        return False
    headers = {}
    for line in data[:end].decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    try:
        length = int(headers["content-length"])
    except (KeyError, ValueError):
        return False
    block = data[end + 4:end + 4 + length]
    if len(block) != length:
        return False
    checks = []
    if headers.get("warc-block-digest"):
        checks.append(_digest_matches(headers["warc-block-digest"], block))
    payload_digest = headers.get("warc-payload-digest")
    rec_type = headers.get("warc-type", "")
    if payload_digest and rec_type != "revisit":
        if headers.get("content-type", "").startswith("application/http"):
            split = block.find(b"\r\n\r\n")
            payload = block[split + 4:] if split >= 0 else b""
        else:
            payload = block
        checks.append(_digest_matches(payload_digest, payload))
    return all(c is True for c in checks)


def _check_record(data: bytes, rel: str, offset: int, report: FixityReport) -> None:
    if _fast_record_ok(data):
        report.records += 1
        return
    try:
        for record in ArchiveIterator(io.BytesIO(data), check_digests=True):
            stream = record.content_stream()
            while stream.read(CHUNK):
                pass
            report.records += 1
            if record.digest_checker.passed is False:
                rec_id = record.rec_headers.get_header("WARC-Record-ID") or "?"
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                for problem in record.digest_checker.problems:
                    report.problems.append(Problem(rel, f"{problem} ({uri})", f"{rec_id} at offset {offset}"))
    except Exception as exc:  # noqa: BLE001 - any parse error means the record's bytes are not what was written
        found = RECORD_ID.search(data[:4096])
        name = found.group(1).decode("ascii", "replace") if found else "unknown id"
        report.problems.append(Problem(rel, f"unparseable record ({type(exc).__name__})", f"{name} at offset {offset}"))


def verify(archive_dir: Path) -> FixityReport:
    archive_dir = Path(archive_dir)
    manifest = read_manifest(archive_dir)
    report = FixityReport()
    for rel, entry in manifest.items():
        if "broken" in entry:
            report.problems.append(Problem(rel.rsplit(":", 1)[0], f"manifest line {rel.rsplit(':', 1)[1]} unreadable"))
    present = set()
    for path in content_files(archive_dir):
        rel = str(path.relative_to(archive_dir))
        present.add(rel)
        size = path.stat().st_size
        report.files += 1
        report.bytes += size
        entry = manifest.get(rel)
        if entry is None:
            report.unsealed.append(rel)
        elif rel.endswith(".jsonl") and size >= entry["size"]:
            if sha256_file(path, entry["size"]) != entry["sha256"]:
                report.problems.append(Problem(rel, f"{kind_of(rel)}: the first {entry['size']} bytes sealed "
                                                    f"{entry['sealed']} have changed"))
        elif size != entry["size"]:
            report.problems.append(Problem(rel, f"{kind_of(rel)}: {size} bytes, sealed {entry['sealed']} with "
                                                f"{entry['size']}"))
        elif sha256_file(path) != entry["sha256"]:
            report.problems.append(Problem(rel, f"{kind_of(rel)}: SHA-256 differs from the manifest "
                                                f"(sealed {entry['sealed']} by {entry['by']})"))
        if rel.endswith(".warc.gz"):
            check_warc_records(path, rel, report)
    for rel, entry in manifest.items():
        if "broken" not in entry and rel not in present:
            report.problems.append(Problem(rel, f"{kind_of(rel)}: in the manifest but missing from the archive"))
    return report
