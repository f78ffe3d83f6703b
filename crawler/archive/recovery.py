"""Repairing WARC files a killed (or full-disk) writer left `.open`: every complete record is kept, and
where the writer committed pages (a `.commit` mark beside the file) only whole pages; the torn tail goes.
No Scrapy, Playwright or pywb here: the writer, the shared frontier's finisher and tests all use it."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

OPEN_SUFFIX = ".open"
COMMIT_SUFFIX = ".commit"  # beside a `.open` file: the offset after the last whole page


def repair_open_file(path: Path) -> Path | None:
    """Cut `path` (a `.open` WARC) back to its last whole page or record and close it under its final
    name; None when nothing whole was in it (then it is removed)."""
    good = last_complete_offset(path)
    side = path.with_name(path.name + COMMIT_SUFFIX)
    committed = read_commit(side)  # the writer's last whole page: a torn page is not kept
    if committed is not None:
        good = min(good, committed)
    if good == 0:
        path.unlink()
        side.unlink(missing_ok=True)
        return None
    with open(path, "r+b") as fh:
        fh.truncate(good)
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    os.replace(path, final)
    side.unlink(missing_ok=True)
    return final


def recover_open_files(warc_dir: Path) -> list[Path]:
    """Repairs WARCs a killed process left `.open`: keep every complete record (every whole page,
    where the writer committed pages), drop the torn tail."""
    repaired: list[Path] = []
    for path in sorted(Path(warc_dir).glob(f"*.warc.gz{OPEN_SUFFIX}")):
        final = repair_open_file(path)
        if final is not None:
            repaired.append(final)
    for stale in Path(warc_dir).glob(f"*{OPEN_SUFFIX}{COMMIT_SUFFIX}*"):
        if not stale.with_name(stale.name.split(COMMIT_SUFFIX)[0]).exists():
            stale.unlink(missing_ok=True)  # a mark (or its temporary) whose WARC is gone
    return repaired


def read_commit(side: Path) -> int | None:
    """The committed offset a writer with page commits left beside its `.open` file, if any."""
    try:
        return int(side.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def last_complete_offset(path: Path) -> int:
    """End of the last complete gzip member: each record is one member, so this is a record end."""
    good = 0
    with open(path, "rb") as fh:
        data = fh.read()
    pos = 0
    while pos < len(data):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            inflater.decompress(data[pos:])
        except zlib.error:
            break
        if not inflater.eof:
            break
        pos = len(data) - len(inflater.unused_data)
        good = pos
    return good
