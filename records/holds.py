"""Legal holds (dispute, Woo request, inspection): what is held is never proposed for destruction,
and a destruction run refuses it.

`DIR/records/holds.jsonl` is append-only: one line per `add` and per `release` (with who, when and
why); every change is also written to the audit log (replay/audit.py). A hold names an account, a
post URL, or query terms (every term must occur in the post's title or text, case-insensitive).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.jsonl import read_jsonl

from .objects import InformationObject

HOLDS_FILE = Path("records") / "holds.jsonl"
KINDS = ("account", "post", "query")


class HoldError(Exception):
    pass


@dataclass(frozen=True)
class Hold:
    id: str
    kind: str  # account | post | query
    value: str
    reason: str
    by: str
    at: str

    def covers(self, obj: InformationObject, text: str = "") -> bool:
        if self.kind == "account":
            return obj.account_id == self.value
        if self.kind == "post":
            return obj.kind == "post" and obj.url.rstrip("/") == self.value.rstrip("/")
        haystack = f"{obj.title} {text}".lower()
        return obj.kind == "post" and all(term.lower() in haystack for term in self.value.split())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Holds:
    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = Path(archive_dir)
        self.path = self.archive_dir / HOLDS_FILE

    def _events(self) -> list[dict]:
        return read_jsonl(self.path)  # a torn last line is passed over

    def _append(self, row: dict) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def active(self) -> list[Hold]:
        holds: dict[str, Hold] = {}
        for row in self._events():
            if row.get("action") == "add":
                holds[row["id"]] = Hold(row["id"], row["kind"], row["value"], row["reason"], row["by"], row["at"])
            elif row.get("action") == "release":
                holds.pop(row.get("id"), None)
        return list(holds.values())

    def history(self) -> list[dict]:
        return self._events()

    def add(self, kind: str, value: str, reason: str, by: str, role: str = "archivist") -> Hold:
        if kind not in KINDS:
            raise HoldError(f"a hold is on an account, a post or a query, not {kind!r}")
        if not value.strip() or not reason.strip():
            raise HoldError("a hold needs what it holds and a reason")
        hold = Hold("hold-" + secrets.token_hex(4), kind, value.strip(), reason.strip(), by, _now())
        self._append({"action": "add", **hold.__dict__})
        _audit(self.archive_dir, by, role, "hold.add", hold.id, {"kind": kind, "value": hold.value,
                                                                 "reason": hold.reason})
        return hold

    def release(self, hold_id: str, reason: str, by: str, role: str = "archivist") -> Hold:
        hold = next((h for h in self.active() if h.id == hold_id), None)
        if hold is None:
            raise HoldError(f"no active hold {hold_id!r}")
        if not reason.strip():
            raise HoldError("releasing a hold needs a reason")
        self._append({"action": "release", "id": hold_id, "reason": reason.strip(), "by": by, "at": _now()})
        _audit(self.archive_dir, by, role, "hold.release", hold_id, {"reason": reason.strip()})
        return hold

    def holding(self, obj: InformationObject, text: str = "") -> list[Hold]:
        return [h for h in self.active() if h.covers(obj, text)]


def _audit(archive_dir: Path, user: str, role: str, action: str, target: str, detail: object) -> None:
    from replay.audit import AuditLog  # stdlib only: no pywb

    AuditLog(archive_dir).append(user, role, action, target, detail)
