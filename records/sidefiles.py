"""Every trace of destroyed posts outside the WARCs: PII ledgers and capture facts (encrypted),
the account history, the pages lists, the dedup cache, pywb's indexes and the crawl reports.

Each step rewrites a file atomically (write beside, fsync, rename) and is idempotent.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from archive.layout import COPIES, ArchiveDir
from crawler.privacy.ledger import CAPTURE_FACTS_NAME, LEDGER_NAME, EncryptedJsonLines


def _atomic_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".destroy-tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _filter_encrypted(path: Path, fernet: Any, drop) -> int:  # noqa: ANN001
    rows = list(EncryptedJsonLines(path, fernet).read())
    kept = [row for row in rows if not drop(row)]
    if len(kept) == len(rows):
        return 0
    lines = [json.dumps(row, ensure_ascii=False, sort_keys=True) for row in kept]
    _atomic_bytes(path, (fernet.encrypt("\n".join(lines).encode("utf-8")) + b"\n") if lines else b"")
    return len(rows) - len(kept)


def _filter_jsonl(path: Path, drop) -> int:  # noqa: ANN001
    if not path.exists():
        return 0
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = []
    for line in lines:
        try:
            row = json.loads(line)
        except ValueError:
            kept.append(line)
            continue
        if not (isinstance(row, dict) and drop(row)):
            kept.append(line)
    if len(kept) == len(lines):
        return 0
    _atomic_bytes(path, "".join(kept).encode("utf-8"))
    return len(lines) - len(kept)


def _redact_json_file(path: Path, traces: Any) -> bool:  # noqa: ANN401 - records.redact.Traces
    """A crawl's JSON facts (completeness.json lists every visited post) without the posts."""
    from .redact import redact_json

    text = path.read_text(encoding="utf-8", errors="replace")
    if not traces.found(text):
        return False
    out = redact_json(text, traces)
    if out is None:
        return False
    _atomic_bytes(path, json.dumps(json.loads(out), indent=1, ensure_ascii=False).encode("utf-8"))
    return True


def clean_side_files(archive_dir: Path, posts: set[str], drop_ids: set[str], files: dict,
                     fernet: Any, traces: Any = None) -> dict:  # noqa: ANN401
    archive_dir = Path(archive_dir)
    counts = {"ledger_entries": 0, "capture_facts": 0, "history_posts": 0, "history_changes": 0,
              "pages_lines": 0, "reports_removed": [], "crawl_facts_rewritten": []}
    for crawl in sorted((archive_dir / "crawls").glob("*")):
        for facts_json in sorted(crawl.glob("*.json")) if traces is not None else []:
            if _redact_json_file(facts_json, traces):
                counts["crawl_facts_rewritten"].append(str(facts_json.relative_to(archive_dir)))
        ledger = crawl / LEDGER_NAME
        if ledger.exists() and ledger.stat().st_size:
            counts["ledger_entries"] += _filter_encrypted(
                ledger, fernet, lambda r: r.get("record_id") in drop_ids or r.get("access_record_id") in drop_ids)
        facts = crawl / CAPTURE_FACTS_NAME
        if facts.exists() and facts.stat().st_size:
            counts["capture_facts"] += _filter_encrypted(facts, fernet, lambda r: r.get("url") in posts)
        report = crawl / "report.html"
        # The operator's crawl report shows every page with a thumbnail: derived, and it would keep
        # the destroyed pages visible, so it goes (summary.json keeps the counts).
        if report.exists() and any(url in report.read_text(encoding="utf-8", errors="replace") for url in posts):
            report.unlink()
            shutil.rmtree(crawl / "thumbs", ignore_errors=True)
            counts["reports_removed"].append(str(report.relative_to(archive_dir)))
    for state_path in ArchiveDir(archive_dir).account_states():
        state = json.loads(state_path.read_text(encoding="utf-8"))
        gone = [url for url in state.get("posts", {}) if url in posts]
        if gone:
            for url in gone:
                del state["posts"][url]
            _atomic_bytes(state_path, json.dumps(state, indent=1, ensure_ascii=False).encode("utf-8"))
            counts["history_posts"] += len(gone)
        counts["history_changes"] += _filter_jsonl(state_path.parent / "changes.jsonl",
                                                   lambda r: r.get("url") in posts)
    layout = ArchiveDir(archive_dir)
    for copy in COPIES:
        counts["pages_lines"] += _filter_jsonl(layout.pages(copy), lambda r: r.get("url") in posts)
    for name in files:
        (layout.digests / (Path(name).name + ".json")).unlink(missing_ok=True)
    shutil.rmtree(archive_dir / ".pywb", ignore_errors=True)  # derived: replay re-indexes
    counts["search_index"] = _rebuild_search(archive_dir)
    return counts


def _rebuild_search(archive_dir: Path) -> str:
    """The search indexes are derived; SQLite keeps deleted rows' bytes in free pages, so they are
    removed whole and built again from the rewritten WARCs."""
    folder = archive_dir / ".sma" / "search"
    if not folder.exists():
        return "none"
    shutil.rmtree(folder)
    try:
        from search.index import build_all  # stdlib sqlite3 only

        build_all(archive_dir)
    except Exception as exc:  # noqa: BLE001 - the destruction stands; `sma index` rebuilds later
        return f"removed; rebuild failed ({type(exc).__name__}), run `sma index`"
    return "rebuilt"
