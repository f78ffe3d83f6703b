"""Signed checkpoints of the audit log: what a hash chain alone cannot show is its newest entries
cut off. `sma audit checkpoint` signs (log id, seq, hash, time) of the last entry with the log's
Ed25519 key (outside the archive, replay/audit_keys.py), appends the checkpoint to
DIR/.sma/audit-checkpoints.jsonl and prints it (or writes it to --out) to be kept elsewhere: in a
ticket, the daily report, another machine. `sma audit verify --checkpoint FILE` checks the log
against those kept copies as well; a checkpoint deleted from the archive is still in them.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature

from replay.audit import AuditError, _canonical, _lines, audit_path, parse_entry, verify
from replay.audit_keys import AuditKeyError, log_id, public_key_b64, signing_key

CHECKPOINTS = Path(".sma") / "audit-checkpoints.jsonl"
SIGNED_FIELDS = ("log_id", "seq", "hash", "at")


def write_checkpoint(archive_dir: Path) -> dict:
    """Verifies the log, then signs its last entry; returns the checkpoint (also appended to
    DIR/.sma/audit-checkpoints.jsonl)."""
    verdict = verify(archive_dir)
    if not verdict.ok:
        raise AuditError(f"the audit log is broken at seq {verdict.broken_seq} ({verdict.reason}): no checkpoint")
    if verdict.count == 0:
        raise AuditError("the audit log is empty: nothing to checkpoint")
    key = signing_key(archive_dir, create=True)
    ident = log_id(archive_dir)
    assert key is not None and ident is not None
    body = {"log_id": ident, "seq": verdict.count, "hash": verdict.last_hash,
            "at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")}
    record = {**body, "public_key": public_key_b64(key),
              "signature": base64.b64encode(key.sign(_canonical(body))).decode("ascii")}
    path = Path(archive_dir) / CHECKPOINTS
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, separators=(",", ":")) + "\n")
    return record


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


