"""Queries over one copy's index: what a user types becomes an FTS5 expression that can only
match words (no column filters, no NEAR tricks), plus filters on account, platform, period and
"has comments"."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .copies import SearchError, copy_for_role, index_path, warc_dir
from .index import open_index

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
MARK_START, MARK_END = "\x02", "\x03"


@dataclass
class Filters:
    account: str | None = None
    platform: str | None = None
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None  # YYYY-MM-DD, inclusive
    has_comments: bool = False
    kind: str | None = None  # "post" | "comment"


@dataclass
class Hit:
    kind: str
    id: str
    parent_id: str | None
    post_id: str
    page_url: str
    account: str
    platform: str
    published: str | None
    captured: str
    author: str | None
    text: str
    snippet: str  # the text around the match, matches between MARK_START and MARK_END
    hashtags: list[str]
    replay: str  # the gateway path of the capture that shows it
    warc: dict[str, Any] = field(default_factory=dict)
    captures: list[dict[str, str]] = field(default_factory=list)  # the page's captures, oldest first

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["snippet"] = self.snippet.replace(MARK_START, "[").replace(MARK_END, "]")
        return out


def fts_expression(text: str) -> str:
    """Every word must occur; `word*` is a prefix; `"two words"` a phrase. A wildcard inside a
    word (`jan*sen`, `j?n`) searches the part before it as a prefix. Nothing the user types can
    reach FTS5's syntax: each term goes in as a quoted string."""
    terms: list[str] = []
    for match in _TOKEN.finditer(text or ""):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            if phrase.strip():
                terms.append('"' + phrase.replace('"', '""') + '"')
            continue
        cut = re.search(r"[*?%]", word)
        prefix = cut is not None
        word = word[: cut.start()] if cut else word
        if not re.search(r"\w", word):
            continue
        terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " AND ".join(terms)


def _day(value: str | None, name: str) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise SearchError(f"{name}: not a date (YYYY-MM-DD): {value!r}") from None


def replay_path(page_url: str, captured: str) -> str:
    ts = re.sub(r"\D", "", captured)[:14]
    return f"/archive/{ts}/{page_url}" if ts else f"/archive/{page_url}"


class Searcher:
    """Search in the copy a role may see. The index file is chosen by role, nothing else."""

    def __init__(self, archive_dir: Path, role: str) -> None:
        self.copy = copy_for_role(role)
        self.archive_dir = Path(archive_dir)
        self.path = index_path(self.archive_dir, self.copy)
        self.conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection | None:
        """None: the copy does not exist yet (nothing approved for the public): nothing to find."""
        if self.conn is None:
            if not self.path.exists() and not warc_dir(self.archive_dir, self.copy).is_dir():
                return None
            self.conn = open_index(self.path)
        return self.conn

    def search(self, text: str, filters: Filters | None = None, limit: int = 50,
               offset: int = 0) -> tuple[int, list[Hit]]:
        filters = filters or Filters()
        expression = fts_expression(text)
        if text.strip() and not expression:
            return 0, []
        where: list[str] = []
        args: list[Any] = []
        if expression:
            where.append("fts MATCH ?")
            args.append(expression)
        for column, value in (("items.account", filters.account), ("items.platform", filters.platform),
                              ("items.kind", filters.kind)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        since, until = _day(filters.since, "--from"), _day(filters.until, "--until")
        if since:
            where.append("items.sort_time >= ?")
            args.append(since)
        if until:
            where.append("items.sort_time < ?")
            args.append(until + "T99")  # the whole last day
        if filters.has_comments:
            where.append("items.has_comments = 1")
        source = "fts JOIN items ON items.rowid = fts.rowid" if expression else "items"
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        order = "fts.rank" if expression else "items.sort_time DESC"
        snippet = (f"snippet(fts, 0, '{MARK_START}', '{MARK_END}', '…', 24)" if expression else "''")
        conn = self._connection()
        if conn is None:
            return 0, []
        total = conn.execute(f"SELECT count(*) FROM {source}{clause}", args).fetchone()[0]
        rows = conn.execute(f"SELECT items.*, {snippet} AS snip FROM {source}{clause} ORDER BY {order} "
                            f"LIMIT ? OFFSET ?", [*args, int(limit), int(offset)]).fetchall()
        hits = [self._hit(r) for r in rows]
        history = self._captures(conn, {h.page_url for h in hits})
        for hit in hits:
            hit.captures = history.get(hit.page_url, [])
        return total, hits

    @staticmethod
    def _captures(conn: sqlite3.Connection, pages: set[str]) -> dict[str, list[dict[str, str]]]:
        """Every capture of each page, oldest first: {captured, replay}."""
        out: dict[str, list[dict[str, str]]] = {}
        try:
            for page in sorted(pages):
                out[page] = [{"captured": r[0], "replay": replay_path(page, r[0])} for r in conn.execute(
                    "SELECT DISTINCT captured FROM captures WHERE page_url = ? ORDER BY captured", (page,))]
        except sqlite3.OperationalError:  # an index from before the captures table, opened read-only
            return {}
        return out

    @staticmethod
    def _hit(row: sqlite3.Row) -> Hit:
        author = " ".join(v for v in (row["author_name"], row["author_handle"]) if v) or None
        text = row["text"]
        return Hit(kind=row["kind"], id=row["id"], parent_id=row["parent_id"], post_id=row["post_id"],
                   page_url=row["page_url"], account=row["account"], platform=row["platform"],
                   published=row["published"], captured=row["captured"], author=author, text=text,
                   snippet=row["snip"] or (text[:200] + ("…" if len(text) > 200 else "")),
                   hashtags=[t for t in row["hashtags"].split() if t],
                   replay=replay_path(row["page_url"], row["captured"]),
                   warc={"file": row["warc_file"], "offset": row["warc_offset"], "digest": row["warc_digest"]})

    def distinct(self, column: str) -> list[str]:
        """The accounts or platforms there are (for the search form's choices)."""
        if column not in ("account", "platform"):
            raise ValueError(column)
        conn = self._connection()
        return [r[0] for r in conn.execute(f"SELECT DISTINCT {column} FROM items ORDER BY 1")] if conn else []

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def hits_json(total: int, hits: list[Hit], copy: str) -> str:
    return json.dumps({"copy": copy, "total": total, "hits": [h.as_dict() for h in hits]}, ensure_ascii=False)
