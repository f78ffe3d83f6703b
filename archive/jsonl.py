"""Reading SMA's JSON Lines files (pages, run and change logs, journals) tolerantly.

The files are appended to by processes that may be killed in the middle of a line, so a torn last
line is expected: every whole line that holds a JSON object is kept, anything else is passed over.
A missing or unreadable file reads as empty. Files whose every line must be sound (the audit log,
the fixity manifest) check their lines themselves and do not use this.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Every line of `path` that is a JSON object, in file order."""
    try:
        fh = open(path, encoding="utf-8")
    except OSError:
        return
    with fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:  # a torn line (the writer was killed); also bad UTF-8 decoded as such
                continue
            if isinstance(row, dict):
                yield row


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """`iter_jsonl` as a list."""
    return list(iter_jsonl(Path(path)))
