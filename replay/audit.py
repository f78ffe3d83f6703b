"""The audit log: DIR/.sma/audit.jsonl, append-only and hash-chained.

One JSON object per line:

    {seq, at, user, role, action, target, detail, prev, hash}

`prev` is the previous entry's `hash` ("" for seq 1); `hash` is the SHA-256 (hex) of the canonical
JSON (sorted keys, no spaces, UTF-8) of the entry without `hash`. The canonical JSON includes
`prev`, so every entry seals the whole history before it: changing, removing or reordering any entry
breaks the chain at that entry (or at the next one), and `verify` names the first seq that fails.

Appends hold an exclusive `fcntl` lock on the file while they read the last entry and write the
new one (O_APPEND, one write), so threads and processes never interleave or fork the chain.
What the chain cannot show is truncation of the newest entries; `verify` reports the count and the
last hash so that an operator can compare them with an earlier copy (see docs/replay.md).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

AUDIT_FILE = Path(".sma") / "audit.jsonl"
_TAIL_CHUNK = 64 * 1024


def audit_path(archive_dir: Path) -> Path:
    return Path(archive_dir) / AUDIT_FILE


def _canonical(entry: dict) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(_canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


class AuditLog:
    def __init__(self, archive_dir: Path) -> None:
        self.path = audit_path(archive_dir)
        self._thread_lock = threading.Lock()  # fcntl locks are per process: threads need their own

    def append(self, user: str, role: str, action: str, target: str = "", detail: object = None) -> dict:
        """Appends one entry and returns it; safe across threads and processes."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self._thread_lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                last = _last_entry(self.path)
                entry = {
                    "seq": (last["seq"] + 1) if last else 1,
                    "at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "user": user,
                    "role": role,
                    "action": action,
                    "target": target,
                    "detail": detail,
                    "prev": last["hash"] if last else "",
                }
                entry["hash"] = entry_hash(entry)
                line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
                os.write(fd, line.encode("utf-8"))  # one write under O_APPEND
                os.fsync(fd)
                return entry
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


def _last_entry(path: Path) -> dict | None:
    """The last complete line, read from the end (the log only grows)."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        end = fh.tell()
        pos, tail = end, b""
        while pos > 0:
            step = min(_TAIL_CHUNK, pos)
            pos -= step
            fh.seek(pos)
            tail = fh.read(step) + tail
            lines = [ln for ln in tail.split(b"\n") if ln.strip()]
            if len(lines) >= 2 or (pos == 0 and lines):
                try:
                    entry = json.loads(lines[-1])
                except ValueError:
                    # A torn last line is a broken log: refuse to chain onto it (verify says where).
                    raise AuditError(f"the last line of {path} is not a complete entry") from None
                return entry
    return None


class AuditError(RuntimeError):
    pass


@dataclass
class Verdict:
    ok: bool
    count: int
    last_hash: str
    broken_seq: int | None = None  # the first seq (position) that fails
    reason: str = ""


def _lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield line


def verify(archive_dir: Path) -> Verdict:
    """Walks the chain from the first entry; the first mismatch is reported by the seq it should
    have had (an entry removed at position n shows as a break at seq n)."""
    path = audit_path(archive_dir)
    if not path.is_file():
        return Verdict(True, 0, "")
    prev, count = "", 0
    for position, raw in enumerate(_lines(path), start=1):
        try:
            entry = json.loads(raw)
        except ValueError:
            return Verdict(False, count, prev, position, "not a JSON entry")
        if not isinstance(entry, dict):
            return Verdict(False, count, prev, position, "not a JSON object")
        if entry.get("seq") != position:
            return Verdict(False, count, prev, position, f"seq is {entry.get('seq')!r}: an entry was removed or moved")
        if entry.get("prev") != prev:
            return Verdict(False, count, prev, position, "prev does not match the entry before: removed or moved")
        if entry.get("hash") != entry_hash(entry):
            return Verdict(False, count, prev, position, "hash does not match the entry: it was changed")
        prev, count = entry["hash"], position
    return Verdict(True, count, prev)
