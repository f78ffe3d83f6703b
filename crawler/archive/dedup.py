"""What the archive already holds, by payload: the memory that turns an unchanged resource of a
later crawl into a `revisit` record (identical-payload-digest) instead of a second copy.

Closed WARC files never change, so each file's digests are read once and cached beside the archive
in `.sma/digests/<file>.json` (derived state: deleting it only costs a re-read).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from .read import warc_files

Seen = dict[tuple[str, str], tuple[str, str]]  # (url, payload digest) -> (url, WARC-Date) of the first copy


def _file_digests(path: Path) -> list[list[str]]:
    rows = []
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type not in ("response", "resource"):
                continue
            headers = record.rec_headers
            digest = headers.get_header("WARC-Payload-Digest")
            uri = headers.get_header("WARC-Target-URI")
            if digest and uri and (record.length or 0) > 0:
                rows.append([uri, digest, headers.get_header("WARC-Date")])
    return rows


def load_seen(archive_dir: Path) -> Seen:
    cache_dir = Path(archive_dir) / ".sma" / "digests"
    seen: Seen = {}
    for path in warc_files(archive_dir):
        cache = cache_dir / (path.name + ".json")
        stamp = [path.stat().st_size, int(path.stat().st_mtime)]
        rows = None
        if cache.exists():
            try:
                cached = json.loads(cache.read_text(encoding="utf-8"))
                rows = cached["rows"] if cached.get("stamp") == stamp else None
            except (ValueError, KeyError):
                rows = None
        if rows is None:
            rows = _file_digests(path)
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp")
            tmp.write_text(json.dumps({"stamp": stamp, "rows": rows}), encoding="utf-8")
            os.replace(tmp, cache)
        for uri, digest, date in rows:
            seen.setdefault((uri, digest), (uri, date))
    return seen
