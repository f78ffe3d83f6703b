"""`pages.jsonl` in the WACZ pages format: the list of pages a user can open in replay."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def append_page(archive_dir: Path, row: dict) -> None:
    """Appends one page row, writing the header first when the file is new."""
    path = Path(archive_dir) / "pages.jsonl"
    new = not path.exists() or path.stat().st_size == 0
    with open(path, "a", encoding="utf-8") as fh:
        if new:
            fh.write(json.dumps(HEADER) + "\n")
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_pages(archive_dir: Path) -> Iterator[dict]:
    path = Path(archive_dir) / "pages.jsonl"
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line: the process was killed while appending it
            if not isinstance(row, dict):
                continue
            if "format" in row and "url" not in row:
                continue
            yield row
