"""Research datasets: the posts and comments of one copy as JSON Lines and CSV, with a README and a
Frictionless Data package descriptor (datapackage.json). See docs/datasets.md.

One row per post and per comment, from the copy's search index (built first, incrementally): the
latest capture of each. `warc_file` (relative to the archive folder), `warc_offset` and
`warc_digest` name the `urn:dom:` record the row was read from, so every row can be checked
against the capture.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .copies import COPY_DIRS, COPY_LABELS, SearchError, index_path, secure_dir, warc_dir
from .index import build, open_index
from .query import Filters, _day, replay_path

FIELDS: list[tuple[str, str, str]] = [
    ("kind", "string", "post or comment"),
    ("id", "string", "the platform's id of the post or comment"),
    ("parent_id", "string", "comments: the id of the comment replied to; empty for a direct reply to the post"),
    ("post_id", "string", "the post the row belongs to (a post's own id for a post)"),
    ("author", "string", "comments: the commenter as this copy shows them (a pseudonym, Burger-XXXX, in the "
     "pseudonymised copy)"),
    ("author_handle", "string", "comments: the commenter's handle as this copy shows it"),
    ("text", "string", "the text as captured"),
    ("published", "string", "when the platform says it was published (RFC 3339, UTC) where the page gave it"),
    ("captured", "string", "when SMA captured the page the row was read from (RFC 3339, UTC)"),
    ("counts", "string", "JSON: the counters the page displayed (posts: comments, likes, ...) and "
     "comments_captured"),
    ("media", "string", "JSON list: image and video URLs of the post as captured"),
    ("hashtags", "string", "space-separated hashtags in the text"),
    ("platform", "string", "the capture profile (mastodon, x, ...)"),
    ("account", "string", "the account's id in the archive"),
    ("page_url", "string", "the post page's URL in this copy"),
    ("replay", "string", "path of the capture in the replay gateway"),
    ("warc_file", "string", "the WARC file holding the record, relative to the archive folder"),
    ("warc_offset", "integer", "byte offset of the record in that file"),
    ("warc_digest", "string", "the record's WARC-Payload-Digest"),
]
NAMES = [f[0] for f in FIELDS]


@dataclass
class DatasetOptions:
    copy: str = "access"
    account: str | None = None
    since: str | None = None
    until: str | None = None


@dataclass
class DatasetResult:
    folder: Path
    rows: int
    posts: int
    comments: int


def _rows(archive_dir: Path, options: DatasetOptions) -> list[dict[str, Any]]:
    filters = Filters(account=options.account, since=options.since, until=options.until)
    where, args = ["1 = 1"], []
    if filters.account:
        where.append("account = ?")
        args.append(filters.account)
    since, until = _day(filters.since, "--from"), _day(filters.until, "--until")
    if since:
        where.append("sort_time >= ?")
        args.append(since)
    if until:
        where.append("sort_time < ?")
        args.append(until + "T99")
    conn = open_index(index_path(archive_dir, options.copy))
    try:
        rows = conn.execute(f"SELECT * FROM items WHERE {' AND '.join(where)} "
                            "ORDER BY platform, account, post_id, kind DESC, sort_time, id", args).fetchall()
    finally:
        conn.close()
    prefix = COPY_DIRS[options.copy]
    out = []
    for r in rows:
        out.append({
            "kind": r["kind"], "id": r["id"], "parent_id": r["parent_id"] or "", "post_id": r["post_id"],
            "author": r["author_name"] or "", "author_handle": r["author_handle"] or "", "text": r["text"],
            "published": r["published"] or "", "captured": r["captured"], "counts": r["counts"],
            "media": r["media"], "hashtags": r["hashtags"], "platform": r["platform"], "account": r["account"],
            "page_url": r["page_url"], "replay": replay_path(r["page_url"], r["captured"]),
            "warc_file": r["warc_file"] if prefix == "." else f"{prefix}/{r['warc_file']}",
            "warc_offset": r["warc_offset"], "warc_digest": r["warc_digest"],
        })
    return out


def _private_file(path: Path) -> Any:
    return os.fdopen(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600), "w", encoding="utf-8",
                     newline="")


def write_dataset(archive_dir: Path, out: Path, options: DatasetOptions) -> DatasetResult:
    archive_dir, out = Path(archive_dir), Path(out)
    if options.copy not in COPY_DIRS:
        raise SearchError(f"unknown copy {options.copy!r}")
    if not warc_dir(archive_dir, options.copy).is_dir():
        raise SearchError(f"the archive has no {COPY_LABELS[options.copy]} copy")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SearchError(f"output folder is not empty: {out}")
    build(archive_dir, options.copy)
    rows = _rows(archive_dir, options)
    secure_dir(out)
    with _private_file(out / "items.jsonl") as fh:
        for row in rows:  # JSON Lines keeps structure: counts an object, media a list, no parent null
            structured = {**row, "parent_id": row["parent_id"] or None, "counts": json.loads(row["counts"]),
                          "media": json.loads(row["media"]), "hashtags": row["hashtags"].split()}
            fh.write(json.dumps(structured, ensure_ascii=False) + "\n")
    with _private_file(out / "items.csv") as fh:
        writer = csv.DictWriter(fh, fieldnames=NAMES, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        writer.writerows(rows)
    posts = sum(r["kind"] == "post" for r in rows)
    result = DatasetResult(out, len(rows), posts, len(rows) - posts)
    with _private_file(out / "datapackage.json") as fh:
        json.dump(_descriptor(options, result), fh, ensure_ascii=False, indent=2)
    with _private_file(out / "README.md") as fh:
        fh.write(_readme(options, result))
    return result


def _descriptor(options: DatasetOptions, result: DatasetResult) -> dict[str, Any]:
    schema = {"fields": [{"name": n, "type": t, "description": d} for n, t, d in FIELDS], "primaryKey": ["kind", "id"],
              "foreignKeys": [{"fields": "parent_id", "reference": {"resource": "", "fields": "id"}}]}
    dialect = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True, "header": True}
    return {
        "profile": "data-package", "name": f"sma-dataset-{options.copy}",
        "title": f"SMA posts and comments ({COPY_LABELS[options.copy]} copy)",
        "description": "Posts and comments captured by SMA, one row each, each pointing at its WARC record.",
        "resources": [
            {"name": "items", "path": "items.csv", "profile": "tabular-data-resource", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8", "dialect": dialect, "schema": schema},
            {"name": "items-jsonl", "path": "items.jsonl", "format": "jsonl", "mediatype": "application/jsonl",
             "encoding": "utf-8", "schema": schema},
        ],
        "sma": {"copy": options.copy, "account": options.account, "from": options.since, "until": options.until,
                "rows": result.rows, "posts": result.posts, "comments": result.comments},
    }


def _readme(options: DatasetOptions, result: DatasetResult) -> str:
    scope = ", ".join(f"{k} {v}" for k, v in (("account", options.account), ("from", options.since),
                                                ("until", options.until)) if v) or "the whole archive"
    lines = [f"# SMA dataset: posts and comments ({COPY_LABELS[options.copy]} copy)", "",
             f"Scope: {scope}. {result.posts} posts and {result.comments} comments, one row each, in "
             "`items.jsonl` (JSON Lines) and `items.csv` (UTF-8, RFC 4180, CRLF line ends, header row). "
             "`datapackage.json` describes both (Frictionless Data).", ""]
    if options.copy == "access":
        lines += ["Pseudonymised: commenters appear as `Burger-XXXX` (one citizen, one pseudonym throughout the "
                  "archive) and personal data in texts as typed placeholders (`[e-mail 3B9C]`). The pseudonyms "
                  "cannot be reversed without the organisation's key.", ""]
    elif options.copy == "original":
        lines += ["ORIGINAL: this dataset holds citizens' names, handles and personal data as captured. "
                  "Keep it where the archive's originals are kept.", ""]
    lines += ["The thread: a comment's `parent_id` is the comment it replies to; empty means a reply to the post "
              "(`post_id`). Each row was read from the `urn:dom:` record (the page as the reader saw it) named by "
              "`warc_file`, `warc_offset` and `warc_digest`.", "", "| field | type | meaning |", "|---|---|---|"]
    lines += [f"| `{n}` | {t} | {d} |" for n, t, d in FIELDS]
    return "\n".join(lines) + "\n"
