"""The search index of one copy: SQLite FTS5 (Python's own sqlite3), diacritics folded.

    DIR/.sma/search/<copy>.sqlite    0600 in a 0700 folder; derived, always rebuildable

`items` holds one row per post and per comment (the latest capture that shows it wins; an item
a later capture no longer shows stays, with the capture that has it). `fts` is an external-content
FTS5 table over its text, author and hashtags: new rows go in with one INSERT ... SELECT per batch
(add_items), deleted ones leave by a trigger. `captures` lists every capture of every post page
(a page's history over time, shown with each hit). `files` lists the WARC files already read:
indexing is incremental, and a WARC that is gone or changed in size (destroyed, rewritten) takes
its rows (and captures) with it before it is read again.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from archive.layout import COPIES, closed_warcs

from .copies import SearchError, copy_dir, index_path, secure_dir, warc_dir
from .extract import Extractor, Item, account_map

SCHEMA = """
CREATE TABLE IF NOT EXISTS files(name TEXT PRIMARY KEY, size INTEGER NOT NULL, items INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS items(
  rowid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, id TEXT NOT NULL,
  parent_id TEXT, post_id TEXT NOT NULL, page_url TEXT NOT NULL, account TEXT NOT NULL,
  platform TEXT NOT NULL, published TEXT, captured TEXT NOT NULL, sort_time TEXT NOT NULL,
  author_name TEXT, author_handle TEXT, author TEXT NOT NULL, text TEXT NOT NULL, hashtags TEXT NOT NULL,
  counts TEXT NOT NULL, media TEXT NOT NULL, has_comments INTEGER NOT NULL,
  warc_file TEXT NOT NULL, warc_offset INTEGER NOT NULL, warc_digest TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS items_time ON items(sort_time);
CREATE INDEX IF NOT EXISTS items_account ON items(account, sort_time);
CREATE INDEX IF NOT EXISTS items_file ON items(warc_file);
CREATE TABLE IF NOT EXISTS captures(
  page_url TEXT NOT NULL, captured TEXT NOT NULL, warc_file TEXT NOT NULL,
  PRIMARY KEY(page_url, captured, warc_file)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS captures_file ON captures(warc_file);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
  text, author, hashtags, content='items', content_rowid='rowid',
  tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');
DROP TRIGGER IF EXISTS items_ai;
CREATE TRIGGER IF NOT EXISTS items_ad AFTER DELETE ON items BEGIN
  INSERT INTO fts(fts, rowid, text, author, hashtags)
  VALUES ('delete', old.rowid, old.text, old.author, old.hashtags);
END;
"""
COLUMNS = ("key", "kind", "id", "parent_id", "post_id", "page_url", "account", "platform", "published", "captured",
           "sort_time", "author_name", "author_handle", "author", "text", "hashtags", "counts", "media", "has_comments",
           "warc_file", "warc_offset", "warc_digest")


@dataclass
class BuildResult:
    files_read: int
    files_dropped: int
    items: int
    seconds: float


def open_index(path: Path, create: bool = False) -> sqlite3.Connection:
    path = Path(path)
    if not path.exists():
        if not create:
            raise SearchError(f"no search index at {path}: run `sma index --archive DIR` first")
        secure_dir(path.parent)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # 0600 before SQLite writes a byte
    os.chmod(path, 0o600)
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    # Derived and rebuildable: a power cut may cost the last transaction, not the file.
    conn.execute("PRAGMA synchronous = NORMAL")
    if create:
        # The writer: a 64 MB page cache and in-memory temporaries (bench/search.py: ~15% less CPU).
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.executescript(SCHEMA)
        if conn.execute("SELECT 1 FROM captures LIMIT 1").fetchone() is None:
            # An index from before the captures table: at least each item's own capture.
            with conn:
                conn.execute("INSERT OR IGNORE INTO captures SELECT DISTINCT page_url, captured, warc_file FROM items")
    return conn


def item_row(item: Item) -> tuple:
    has_comments = 1 if item.kind == "comment" or int(item.counts.get("comments_captured") or 0) > 0 else 0
    key = f"{item.platform}|{item.page_url}|{item.kind}|{item.id}"
    return (key, item.kind, item.id, item.parent_id, item.post_id, item.page_url, item.account, item.platform,
            item.published, item.captured, item.published or item.captured, item.author_name, item.author_handle,
            " ".join(v for v in (item.author_name, item.author_handle) if v), item.text,
            " ".join(f"#{t}" for t in item.hashtags), json.dumps(item.counts, ensure_ascii=False),
            json.dumps(item.media, ensure_ascii=False), has_comments, item.warc_file, item.warc_offset,
            item.warc_digest)


def add_items(conn: sqlite3.Connection, items: Iterable[Item]) -> int:
    """Upserts items (a batch: one WARC file's); a row is replaced only by a capture at least as new
    as its own. Returns how many items were given."""
    latest: dict[str, tuple] = {}
    pages: set[tuple[str, str, str]] = set()
    given = 0
    for row in map(item_row, items):  # in capture order: a page captured twice keeps its later state
        given += 1
        pages.add((row[5], row[9], row[19]))  # every capture of the page, also those a later one replaces
        kept = latest.get(row[0])
        if kept is None or kept[9] <= row[9]:
            latest[row[0]] = row
    if not latest:
        return 0
    rows = list(latest.values())
    marks = ", ".join("?" for _ in COLUMNS)
    # Delete-then-insert (not UPDATE): the delete trigger takes the old text out of the FTS index.
    conn.executemany("DELETE FROM items WHERE key = ? AND captured <= ?", [(r[0], r[9]) for r in rows])
    # Rows inserted now get rowids above today's highest (no AUTOINCREMENT: max + 1, taken after the
    # deletes), so one INSERT ... SELECT indexes exactly them: a third of the CPU of a per-row trigger.
    top = conn.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()[0]
    conn.executemany(f"INSERT OR IGNORE INTO items({', '.join(COLUMNS)}) VALUES ({marks})", rows)
    conn.execute("INSERT INTO fts(rowid, text, author, hashtags) "
                 "SELECT rowid, text, author, hashtags FROM items WHERE rowid > ?", (top,))
    conn.executemany("INSERT OR IGNORE INTO captures VALUES (?, ?, ?)", sorted(pages))
    return given


def build(archive_dir: Path, copy: str) -> BuildResult:
    """Brings the copy's index up to date with the copy's closed WARC files."""
    import time

    started = time.perf_counter()
    archive_dir = Path(archive_dir)
    source = copy_dir(archive_dir, copy)
    conn = open_index(index_path(archive_dir, copy), create=True)
    try:
        present = {str(p.relative_to(source)): p for p in closed_warcs(source / "warcs")}
        # A file that changed under its name (destruction rewrites WARCs) is read again from scratch.
        known = {r["name"] for r in conn.execute("SELECT name, size FROM files")
                 if r["name"] in present and present[r["name"]].stat().st_size == r["size"]}
        dropped = sorted({r["name"] for r in conn.execute("SELECT name FROM files")} - known)
        with conn:
            for name in dropped:
                conn.execute("DELETE FROM items WHERE warc_file = ?", (name,))
                conn.execute("DELETE FROM captures WHERE warc_file = ?", (name,))
                conn.execute("DELETE FROM files WHERE name = ?", (name,))
        extractor = Extractor(source, account_map(archive_dir))
        total = read = 0
        for name, path in present.items():
            if name in known:
                continue
            with conn:
                count = add_items(conn, extractor.items_of_file(path))
                conn.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", (name, path.stat().st_size, count))
            total += count
            read += 1
    finally:
        conn.close()
    return BuildResult(read, len(dropped), total, time.perf_counter() - started)


def build_all(archive_dir: Path) -> dict[str, BuildResult]:
    """Every copy the archive has (the access and public copies appear with privacy and approval)."""
    out: dict[str, BuildResult] = {}
    for copy in COPIES:
        if warc_dir(archive_dir, copy).is_dir():
            out[copy] = build(archive_dir, copy)
    return out
