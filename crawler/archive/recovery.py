"""Repairing WARC files a killed (or full-disk) writer left `.open`: every complete record is kept, and
where the writer committed pages (a `.commit` mark beside the file) only whole pages; the torn tail goes.
No Scrapy, Playwright or pywb here: the writer, the shared frontier's finisher and tests all use it.

Only a dead writer's file is repaired: a writer holds an exclusive `flock` on its `.open` file for as
long as it writes it, and the kernel releases it when the process ends, also on `kill -9`. A file
whose lock is held belongs to a live process (another `sma crawl`, a worker) and is left alone.
(`flock` is per machine; on NFS, Linux maps it to a POSIX lock on the server, NFSv4 and lockd.)"""

from __future__ import annotations

import fcntl
import os
import time
import zlib
from pathlib import Path
from typing import BinaryIO

OPEN_SUFFIX = ".open"
COMMIT_SUFFIX = ".commit"  # beside a `.open` file: the offset after the last whole page
# An empty `.open` file this young may be a writer's between its open() and its flock(): not repaired.
FRESH_EMPTY_S = 10.0


def lock_writing(fh: BinaryIO) -> None:
    """The writer's mark that it is alive: held until the file is closed or the process dies."""
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def writer_alive(path: Path) -> bool:
    """Whether a live process holds the writer's lock on `.open` file `path`."""
    try:
        with open(path, "rb") as fh:
            return not _try_lock(fh)
    except FileNotFoundError:
        return False


def _try_lock(fh: BinaryIO) -> bool:
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def repair_open_file(path: Path) -> Path | None:
    """Cut `path` (a `.open` WARC of a dead writer) back to its last whole page or record and close it
    under its final name; None when nothing whole was in it (then it is removed), or when its writer is
    alive (then it is left as it is)."""
    try:
        fh = open(path, "r+b")
    except FileNotFoundError:
        return None  # repaired or closed meanwhile
    with fh:
        if not _try_lock(fh):
            return None  # a live writer's
        info = os.fstat(fh.fileno())
        if info.st_size == 0 and time.time() - info.st_mtime < FRESH_EMPTY_S:
            return None
        good = last_complete_offset(path)
        side = path.with_name(path.name + COMMIT_SUFFIX)
        committed = read_commit(side)  # the writer's last whole page: a torn page is not kept
        if committed is not None:
            good = min(good, committed)
        if good == 0:
            path.unlink()
            side.unlink(missing_ok=True)
            return None
        fh.truncate(good)
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        os.replace(path, final)  # under the lock: no second repairer meets a half-repaired file
        side.unlink(missing_ok=True)
    return final


def recover_open_files(warc_dir: Path) -> list[Path]:
    """Repairs WARCs a killed process left `.open`: keep every complete record (every whole page,
    where the writer committed pages), drop the torn tail. Files of live writers are left alone."""
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
