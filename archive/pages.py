"""`pages.jsonl` in the WACZ pages format: the list of pages a user can open in replay.

Each copy of the archive (original, access, public) has its own, beside its `warcs/`:

    {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}      the header line
    {"id", "url", "ts" (RFC 3339, UTC, "Z"), "title", "kind": "profile|post"}  one line a page
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .jsonl import iter_jsonl

PAGES_FILE = "pages.jsonl"
HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_RFC3339 = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$")


def timestamp14(value: object) -> str | None:
    """A row's `ts` as the 14-digit UTC timestamp of replay URLs: RFC 3339 ("2026-11-24T11:22:33.5Z",
    offsets allowed) -> "20261124112233"; None for anything else."""
    if not isinstance(value, str):
        return None
    m = _RFC3339.match(value.strip())
    if not m:
        return None
    zone = m.group(3) or "Z"
    zone = "+00:00" if zone in "Zz" else zone
    try:
        moment = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{zone}")
    except ValueError:
        return None
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def append_page(folder: Path, row: dict[str, Any]) -> None:
    """Appends one page row to `folder/pages.jsonl`, writing the header first when the file is new."""
    path = Path(folder) / PAGES_FILE
    new = not path.exists() or path.stat().st_size == 0
    with open(path, "a", encoding="utf-8") as fh:
        if new:
            fh.write(json.dumps(HEADER) + "\n")
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_pages(folder: Path) -> Iterator[dict[str, Any]]:
    """The page rows of `folder/pages.jsonl` (not the header), passing over a torn last line."""
    for row in iter_jsonl(Path(folder) / PAGES_FILE):
        if "format" in row and "url" not in row:
            continue
        yield row


def replace_page(folder: Path, row: dict[str, Any]) -> None:
    """Writes `row` in place of the rows with its id (or adds it), atomically, the file 0600."""
    path = Path(folder) / PAGES_FILE
    rows = [r for r in read_pages(folder) if "url" in r and r.get("id") != row["id"]] + [row]
    tmp = path.with_name(f"{PAGES_FILE}.{os.getpid()}.tmp")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [HEADER, *rows]))
    os.replace(tmp, path)
