"""The PII ledger of one crawl: every finding, where it is, what replaced it -- encrypted.

`DIR/crawls/<id>/pii-ledger.json.enc` holds one Fernet token per line; each token decrypts to
JSON lines, one entry each:

    {"record_id", "access_record_id", "target_uri", "location": {"span": [start, end]} |
     {"box": [x, y, w, h]} | {"attr": name} | {"payload": "replaced"}, "type", "value",
     "value_sha256", "pseudonym", "source"}

Tokens are appended per batch, so a crawl that dies keeps what it wrote. The plaintext value is
only ever in here: a Woo officer with the organisation's key needs it to decide on disclosure.
The same file format holds the capture-time facts of each page (`privacy-capture.json.enc`), so
that the access derivative can be rebuilt from the original WARCs, e.g. after a key rotation.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

LEDGER_NAME = "pii-ledger.json.enc"
CAPTURE_FACTS_NAME = "privacy-capture.json.enc"


class LedgerError(Exception):
    """The ledger cannot be read (wrong key, damaged file): one line for the user."""


@dataclass
class LedgerEntry:
    record_id: str  # the authentic original record
    target_uri: str  # the original record's URI
    location: dict[str, Any]
    type: str
    value: str
    pseudonym: str
    source: str
    access_record_id: str | None = None  # the derivative's record that carries the pseudonym
    value_sha256: str = field(default="")
    # False for a value no reader of the page sees (a user id in a URL, attribute or JSON): replaced
    # in every copy whatever a Woo officer decides, so it is no item of the page's review.
    visible: bool = True

    def __post_init__(self) -> None:
        if not self.value_sha256:
            self.value_sha256 = hashlib.sha256(self.value.encode("utf-8")).hexdigest()


class EncryptedJsonLines:
    """Append-only file of Fernet tokens, each holding a batch of JSON objects (one per line)."""

    def __init__(self, path: Path, fernet: Fernet) -> None:
        self.path = Path(path)
        self.fernet = fernet

    def create(self) -> None:
        """The file, empty if new: it exists from the start, so that an empty one says "nothing yet"
        and a missing one says "lost" (or never written by this crawl)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))

    def append(self, rows: Iterable[dict[str, Any]]) -> int:
        lines = [json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows]
        if not lines:
            return 0
        token = self.fernet.encrypt("\n".join(lines).encode("utf-8"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as fh:
            fh.write(token + b"\n")
        return len(lines)

    def read(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            raise LedgerError(f"no such ledger: {self.path}")
        with open(self.path, "rb") as fh:
            for number, line in enumerate(fh, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    plain = self.fernet.decrypt(line)
                except InvalidToken as exc:
                    raise LedgerError(
                        f"{self.path}: line {number} does not decrypt with this organisation's key"
                    ) from exc
                for row in plain.decode("utf-8").splitlines():
                    yield json.loads(row)


# Types of value that are never text a reader sees (LedgerEntry.visible is False for them).
NOT_SHOWN = frozenset(("userid",))
_FIELDS = tuple(f.name for f in fields(LedgerEntry))


def entry_row(entry: LedgerEntry) -> dict[str, Any]:
    """The entry as its JSON row: `dataclasses.asdict` deep-copies every location (a tenth of the access
    copy's CPU on a 17,000-entry ledger); locations are flat dicts of lists of numbers, never shared."""
    return {name: getattr(entry, name) for name in _FIELDS}


def write_entries(path: Path, fernet: Fernet, entries: Iterable[LedgerEntry]) -> int:
    """A crawl's ledger, also when it holds no entry (a page without third parties): it is there."""
    ledger = EncryptedJsonLines(path, fernet)
    ledger.create()
    return ledger.append(entry_row(e) for e in entries)


def read_entries(path: Path, fernet: Fernet) -> list[dict[str, Any]]:
    return list(EncryptedJsonLines(path, fernet).read())
