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

import base64
import fcntl
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature

from crawler.privacy.keys import keys_dir
from replay.audit_keys import AuditKeyError, hmac_key, log_id, signing_key

AUDIT_FILE = Path(".sma") / "audit.jsonl"
# Signed checkpoints of the log (written by replay/audit_checkpoints.py, checked here by verify()).
CHECKPOINTS = Path(".sma") / "audit-checkpoints.jsonl"
SIGNED_FIELDS = ("log_id", "seq", "hash", "at")
_TAIL_CHUNK = 64 * 1024


def audit_path(archive_dir: Path) -> Path:
    return Path(archive_dir) / AUDIT_FILE


def _canonical(entry: dict) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_mac(key: bytes, entry: dict) -> str:
    """HMAC-SHA256 under the key outside the archive, over the entry without `hash` and `mac`
    (`prev` included): without the key nobody can re-seal an edited, removed or moved entry."""
    body = _canonical({k: v for k, v in entry.items() if k not in ("hash", "mac")})
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(_canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


class AuditLog:
    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = Path(archive_dir)
        self.path = audit_path(archive_dir)
        self._hmac_key: bytes | None = None  # loaded (or made) at the first append
        self._thread_lock = threading.Lock()  # fcntl locks are per process: threads need their own

    def append(self, user: str, role: str, action: str, target: str = "", detail: object = None) -> dict:
        """Appends one entry and returns it; safe across threads and processes."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self._thread_lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                last = _last_entry(self.path)
                key = self._key(last)
                if last is not None and "mac" not in last:
                    # A log from before HMACs: sealed by an entry that says how many came before.
                    last = self._write(fd, key, last, "sma", "", "audit-sealed", "", {"legacy_entries": last["seq"]})
                return self._write(fd, key, last, user, role, action, target, detail)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _key(self, last: dict | None) -> bytes:
        if self._hmac_key is None:
            # A new key only for a log that has none yet: one made for a sealed log would fork it.
            self._hmac_key = hmac_key(self.archive_dir, create=last is None or "mac" not in last)
        if self._hmac_key is None:
            raise AuditError(f"the audit log's HMAC key is missing (keys folder {keys_dir()}, log id in "
                             f"{self.archive_dir / '.sma' / 'audit-id'}): restore it before serving")
        return self._hmac_key

    def check_key(self) -> None:
        """Raises AuditError when the log is sealed but its key is not here (run before serving)."""
        if self.path.is_file():
            last = _last_entry(self.path) if self.path.stat().st_size else None
            if last is not None and "mac" in last:
                self._key(last)

    @staticmethod
    def _write(fd: int, key: bytes, last: dict | None, user: str, role: str, action: str, target: str,
               detail: object) -> dict:
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
        entry["mac"] = entry_mac(key, entry)
        entry["hash"] = entry_hash(entry)
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        os.write(fd, line.encode("utf-8"))  # one write under O_APPEND
        os.fsync(fd)
        return entry


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


def _strict_object(pairs: list[tuple[str, object]]) -> dict:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate key(s) {sorted({k for k in keys if keys.count(k) > 1})}")
    return dict(pairs)


def parse_entry(raw: bytes) -> dict:
    """One line as verify reads it: complete (newline-terminated), UTF-8, one JSON object without
    duplicate keys (`{"action": "view", "action": "login"}` could mean either to another reader)."""
    if not raw.endswith(b"\n"):
        raise ValueError("a torn line (no newline at its end)")
    entry = json.loads(raw.decode("utf-8"), object_pairs_hook=_strict_object)
    if not isinstance(entry, dict):
        raise ValueError("not a JSON object")
    return entry


def repair_torn_tail(archive_dir: Path) -> str:
    """A crash mid-append leaves a torn last line, onto which no entry may be chained. Moves those
    bytes to `audit.jsonl.torn-<time>` beside the log (kept as evidence), cuts the log back to its
    last complete line and appends an `audit-repaired` entry saying so. Returns a one-line report,
    or "" when the log was whole. Run by the gateway on start, so that serving never breaks on it."""
    path = audit_path(archive_dir)
    if not path.is_file():
        return ""
    with open(path, "r+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        data = fh.read()
        if not data or data.endswith(b"\n"):
            return ""
        cut = data.rfind(b"\n") + 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        torn = path.with_name(f"{path.name}.torn-{stamp}")
        fd = os.open(torn, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data[cut:])
        fh.truncate(cut)
        fh.flush()
        os.fsync(fh.fileno())
    AuditLog(archive_dir).append("sma", "", "audit-repaired", "",
                                 {"torn_bytes": len(data) - cut, "kept_in": torn.name})
    return f"the audit log's last line was torn ({len(data) - cut} bytes): cut off, kept in {torn}"


def _lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield line


def verify(archive_dir: Path, checkpoint_files: tuple[Path, ...] = ()) -> Verdict:
    """Walks the chain from the first entry; the first mismatch is reported by the seq it should
    have had (an entry removed at position n shows as a break at seq n). Every entry's HMAC is
    checked under the key outside the archive (an edited entry re-hashed forward fails here), and
    then the signed checkpoints (DIR/.sma/audit-checkpoints.jsonl and `checkpoint_files`): a log
    cut off before a checkpoint's entry, or differing from it there, fails."""
    path = audit_path(archive_dir)
    try:
        key = hmac_key(archive_dir)
    except AuditKeyError as exc:
        return Verdict(False, 0, "", 1, str(exc))
    prev, count, sealed = "", 0, False
    for position, raw in enumerate(_lines(path) if path.is_file() else (), start=1):
        try:
            entry = parse_entry(raw)
        except ValueError as exc:
            return Verdict(False, count, prev, position, f"not a valid entry: {exc}")
        if entry.get("seq") != position:
            return Verdict(False, count, prev, position, f"seq is {entry.get('seq')!r}: an entry was removed or moved")
        if entry.get("prev") != prev:
            return Verdict(False, count, prev, position, "prev does not match the entry before: removed or moved")
        if entry.get("hash") != entry_hash(entry):
            return Verdict(False, count, prev, position, "hash does not match the entry: it was changed")
        if "mac" in entry:
            if key is None:
                return Verdict(False, count, prev, position, f"the log is sealed with an HMAC but its key is not in "
                               f"{keys_dir()}: cannot tell a genuine log from a rewritten one")
            if not isinstance(entry["mac"], str) or not hmac.compare_digest(entry["mac"], entry_mac(key, entry)):
                return Verdict(False, count, prev, position, "HMAC does not match: changed and re-chained")
            detail = entry.get("detail")
            if not sealed and position > 1 and not (entry.get("action") == "audit-sealed" and isinstance(
                    detail, dict) and detail.get("legacy_entries") == position - 1):
                return Verdict(False, count, prev, position, "HMACs start in mid-log without a seal")
            sealed = True
        elif sealed:
            return Verdict(False, count, prev, position, "an entry without HMAC after sealed ones: inserted")
        prev, count = entry["hash"], position
    if key is not None and count and not sealed:
        return Verdict(False, count, prev, 1, "the log has an HMAC key but no sealed entry: it was replaced")
    problem = check_checkpoints(archive_dir, count, checkpoint_files)
    if problem:
        return Verdict(False, count, prev, problem[0], problem[1])
    return Verdict(True, count, prev)


# -- the signed checkpoints (replay/audit_checkpoints.py writes them) ---------------------------


def check_checkpoints(archive_dir: Path, count: int, extra: tuple[Path, ...] = ()) -> tuple[int, str] | None:
    """(seq, reason) of the first checkpoint the log fails, or None. Called by verify() once the
    chain itself is intact (`count` entries)."""
    records: list[tuple[str, dict]] = []
    for source in (Path(archive_dir) / CHECKPOINTS, *extra):
        if not source.is_file():
            if source != Path(archive_dir) / CHECKPOINTS:
                return 0, f"checkpoint file {source} not found"
            continue
        for n, line in enumerate(source.read_bytes().splitlines(keepends=True), start=1):
            if not line.strip():
                continue
            try:
                records.append((f"{source}:{n}", parse_entry(line if line.endswith(b"\n") else line + b"\n")))
            except ValueError as exc:
                return 0, f"{source}:{n} is not a checkpoint ({exc})"
    if not records:
        return None
    try:
        key = signing_key(archive_dir)
    except AuditKeyError as exc:
        return 0, str(exc)
    if key is None:
        return 0, "checkpoints exist but the log's signing key is not in the keys folder: cannot check them"
    public = key.public_key()
    ident = log_id(archive_dir)
    hashes = _hashes(archive_dir)
    for where, record in records:
        body = {name: record.get(name) for name in SIGNED_FIELDS}
        try:
            public.verify(base64.b64decode(str(record.get("signature", ""))), _canonical(body))
        except (InvalidSignature, ValueError):
            return 0, f"checkpoint {where} has no valid signature of this log's key"
        seq = record.get("seq")
        if body["log_id"] != ident or not isinstance(seq, int):
            return 0, f"checkpoint {where} is of another log"
        if seq > count:
            return count + 1, (f"the log ends at seq {count} but checkpoint {where} signed seq {seq}: "
                               f"its newest {seq - count} entries were cut off")
        if hashes[seq - 1] != record.get("hash"):
            return seq, f"entry {seq} is not the one checkpoint {where} signed"
    return None


def _hashes(archive_dir: Path) -> list[str]:
    path = audit_path(archive_dir)
    return [parse_entry(raw).get("hash", "") for raw in _lines(path)] if path.is_file() else []
