"""Crawls a kill stopped before their access copy was written, and what they left half done.

A crawl writes its pseudonymised access copy, its PII ledger and `privacy.json` when it closes
(crawler/privacy_pipeline.py). A crawl killed before that (`kill -9`, power loss) has pages in the
original WARCs and in pages.jsonl but no access copy: researchers would never see them. Its
capture facts are on disk, per page (`crawls/<id>/privacy-capture.json.enc`), so the next crawl of
the same account derives the access copy for it. Whatever the killed derivation had written (an
`.open` access WARC, a closed one, page rows, a ledger) is removed first, so it is written once.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from ..archive.pages import HEADER, read_pages
from ..archive.recovery import repair_open_file, writer_alive
from ..archive.warc import OPEN_SUFFIX
from .derivative import ACCESS_DIRNAME, PageFacts, crawl_warcs
from .ledger import CAPTURE_FACTS_NAME, LEDGER_NAME, EncryptedJsonLines


def crawl_warcinfo(archive_dir: Path, crawl_id: str) -> dict[str, str]:
    """The fields of the crawl's first original WARC's warcinfo record (seed, profile, account, ...)."""
    for path in crawl_warcs(Path(archive_dir) / "warcs", crawl_id):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "warcinfo":
                    return {}
                fields = {}
                for line in record.content_stream().read().decode("utf-8", "replace").splitlines():
                    key, _, value = line.partition(":")
                    fields.setdefault(key.strip(), value.strip())
                return fields
    return {}


def crawl_account(archive_dir: Path, crawl_id: str) -> str | None:
    """The `account` field of the crawl's first original WARC's warcinfo record."""
    return crawl_warcinfo(archive_dir, crawl_id).get("account")


def unfinished_crawls(archive_dir: Path, current: str, account: str) -> list[str]:
    """Earlier crawls of `account` with captured pages, capture facts, and no `privacy.json`."""
    archive_dir = Path(archive_dir)
    ids = sorted({str(row.get("id", "")).rsplit("-", 1)[0] for row in read_pages(archive_dir)} - {current, ""})
    found = []
    for crawl_id in ids:
        folder = archive_dir / "crawls" / crawl_id
        if (folder / "privacy.json").exists() or not (folder / CAPTURE_FACTS_NAME).exists():
            continue
        still_open = [p for p in crawl_warcs(archive_dir / "warcs", crawl_id) if p.name.endswith(OPEN_SUFFIX)]
        if any(writer_alive(p) for p in still_open):
            continue  # still being written by a live process (it holds the writer's flock)
        for path in still_open:
            # Its writer died after this crawl began (this crawl's start repaired the earlier ones):
            # cut back to its last whole page, as the start would have, so the copy reads whole pages.
            repair_open_file(path)
        if crawl_account(archive_dir, crawl_id) == account:
            found.append(crawl_id)
    return found


def read_facts(archive_dir: Path, crawl_id: str, fernet: object) -> dict[str, PageFacts]:
    rows = EncryptedJsonLines(Path(archive_dir) / "crawls" / crawl_id / CAPTURE_FACTS_NAME, fernet).read()
    return {row["url"]: PageFacts(row["url"], row.get("third_parties") or [], row.get("boxes") or [],
                                  row.get("own") or {}) for row in rows}


def clear_partial_access(archive_dir: Path, crawl_id: str) -> None:
    """Removes what a killed derivation of `crawl_id` wrote, so that it is derived once, whole."""
    archive_dir = Path(archive_dir)
    access = archive_dir / ACCESS_DIRNAME
    removed = []
    for path in crawl_warcs(access / "warcs", crawl_id):
        if not path.name.endswith(OPEN_SUFFIX):
            removed.append(path.name)  # closed (and sealed) before the kill: its manifest line is withdrawn
        path.unlink()
    if removed:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        lines = "".join(json.dumps({"path": f"warcs/{name}", "removed": stamp, "by": "access-copy-redone"},
                                   sort_keys=True) + "\n" for name in removed)
        (access / ".sma").mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(access / ".sma" / "fixity.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, lines.encode("utf-8"))
        finally:
            os.close(fd)
    pages = access / "pages.jsonl"
    rows = list(read_pages(access))
    kept = [row for row in rows if not str(row.get("id", "")).startswith(f"{crawl_id}-")]
    torn = pages.exists() and pages.stat().st_size and not pages.read_bytes().endswith(b"\n")
    if len(kept) < len(rows) or torn:  # a torn last line would swallow the next row appended
        tmp = pages.with_name(pages.name + ".tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [HEADER, *kept]), encoding="utf-8")
        os.replace(tmp, pages)
    (archive_dir / "crawls" / crawl_id / LEDGER_NAME).unlink(missing_ok=True)
