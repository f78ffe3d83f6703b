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

# The check of the checkpoints is in replay.audit (its verify() runs it): this module imports the
# audit log, never the other way round.
from replay.audit import CHECKPOINTS, AuditError, _canonical, check_checkpoints, verify
from replay.audit_keys import log_id, public_key_b64, signing_key

__all__ = ["CHECKPOINTS", "check_checkpoints", "write_checkpoint"]


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
