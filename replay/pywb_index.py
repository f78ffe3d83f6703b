"""A view's pywb working dir and its CDXJ index, derived from the view's WARCs and always rebuildable:

    <pywb dir>/config.yaml          collection `archive`, unframed, WARCs read in place from <source>/warcs/
    <pywb dir>/rules.yaml           pywb's own rules.yaml with a larger fuzzy-match window (_write_rules)
    <pywb dir>/parts/<warc>.cdxj    one sorted CDXJ per WARC, made by pywb's cdx-indexer (pywb venv)
    <pywb dir>/indexes/index.cdxj   the parts merged: what pywb searches
    <pywb dir>/index-state.json     size/mtime of each WARC whose part is current
    <pywb dir>/wayback.log          output of the last `wayback` run (replay/pywb_process.py)

`sma replay` keeps one per view in DIR/.pywb/<view>/ (replay/views.py).
"""

from __future__ import annotations

import heapq
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from archive.layout import ArchiveDir
from replay.change_marks import write_banner_template
from replay.pywb_process import COLLECTION, ReplayError, pywb_env, pywb_tool, pywb_venv

PYWB_DIRNAME = ".pywb"
# A fuzzy lookup is a prefix query on the URL without its query string; pywb keeps 100 of its
# results by default (the 100 nearest in time, with _WAYBACK's change) and only then compares query
# strings: an account paged 100+ times through one API endpoint would lose its farthest pages.
# Local archives are small enough to keep far more.
FUZZY_SEARCH_LIMIT = 10000
# Bump when the indexer invocation changes, so that existing indexes get rebuilt.
INDEX_FORMAT = "pywb-cdxj-postappend-parts-1"


def list_warcs(archive_dir: Path) -> list[Path]:
    """Closed WARCs only: `*.warc.gz.open` is being written and must never reach the index."""
    return ArchiveDir(archive_dir).closed_warcs()


def prepare(archive_dir: Path) -> Path:
    """Builds or refreshes `archive_dir/.pywb/`; re-indexes only when the WARCs changed."""
    archive_dir = Path(archive_dir).resolve()
    if not archive_dir.is_dir():
        raise ReplayError(f"archive directory {archive_dir} does not exist")
    if not list_warcs(archive_dir):
        raise ReplayError(f"no WARC files in {archive_dir / 'warcs'}: nothing to replay (run `sma crawl` first)")
    return prepare_view(archive_dir, archive_dir / PYWB_DIRNAME, archive_dir)


def prepare_view(source_dir: Path, pywb_dir: Path, marks_from: Path | None) -> Path:
    """A pywb working dir at `pywb_dir` serving ONLY `source_dir/warcs/*.warc.gz` as collection
    `archive` (the gateway runs one per view: original, access, public). A folder without WARCs
    gives an empty index, so the view starts and answers "not found" until WARCs appear.
    `marks_from`: the archive whose change logs make the change-mark banner (None: no marks)."""
    source_dir = Path(source_dir).resolve()
    pywb_dir = Path(pywb_dir).resolve()
    warcs = list_warcs(source_dir)
    indexer = pywb_tool("cdx-indexer")
    pywb_tool("wayback")

    index_dir = pywb_dir / "indexes"
    index_dir.mkdir(parents=True, exist_ok=True)  # only index.cdxj: pywb is pointed at that file
    rules = _write_rules(pywb_dir)
    config: dict[str, Any] = {
        # Unframed: automation (and users' bookmarks) see the page itself at /archive/<ts>/<url>.
        "framed_replay": False,
        # Only the collection below; no auto-discovery of `collections/` dirs.
        "enable_auto_colls": False,
        "collections": {
            COLLECTION: {
                "index_paths": str(index_dir / "index.cdxj"),
                # pywb joins this prefix with the file name in the index: the trailing slash matters.
                # WARCs are read in place, so nothing in .pywb can go stale when files are added.
                "archive_paths": str(source_dir / "warcs") + os.sep,
            }
        },
    }
    if rules is not None:
        config["rules_file"] = str(rules)
    _write_atomic(pywb_dir / "config.yaml", yaml.safe_dump(config, sort_keys=False))

    if warcs:
        _refresh_index(indexer, warcs, pywb_dir)
    else:
        _write_empty_index(pywb_dir)
    if marks_from is not None:
        write_banner_template(Path(marks_from), pywb_dir)
    return pywb_dir


def refresh_view_index(source_dir: Path, pywb_dir: Path) -> None:
    """Incremental re-index of a prepared view (new WARCs appeared); a running pywb sees it at once."""
    warcs = list_warcs(Path(source_dir))
    if warcs:
        _refresh_index(pywb_tool("cdx-indexer"), warcs, Path(pywb_dir))
    else:
        _write_empty_index(Path(pywb_dir))


def _write_empty_index(pywb_dir: Path) -> None:
    (pywb_dir / "parts").mkdir(parents=True, exist_ok=True)
    for old in (pywb_dir / "parts").glob("*.cdxj"):
        old.unlink()
    _write_atomic(pywb_dir / "indexes" / "index.cdxj", b"")
    _write_atomic(pywb_dir / "index-state.json", json.dumps({"format": INDEX_FORMAT, "warcs": {}}))


def _refresh_index(indexer: Path, warcs: list[Path], pywb_dir: Path) -> None:
    """One sorted CDXJ part per WARC, kept while the WARC's size and mtime stay the same, merged
    into `indexes/index.cdxj`. A new crawl file costs one indexer run, not a full re-index."""
    index = pywb_dir / "indexes" / "index.cdxj"
    parts = pywb_dir / "parts"
    parts.mkdir(exist_ok=True)
    state_file = pywb_dir / "index-state.json"
    state = _read_json(state_file)
    done: dict[str, Any] = state["warcs"] if isinstance(state, dict) and state.get("format") == INDEX_FORMAT else {}
    current = {p.name: _fingerprint(p) for p in warcs}
    if index.is_file() and done == current:
        return
    done = {name: fp for name, fp in done.items() if current.get(name) == fp and (parts / f"{name}.cdxj").is_file()}
    stale = [p for p in warcs if p.name not in done]
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for warc, error in zip(stale, pool.map(lambda w: _index_warc(indexer, w, parts), stale), strict=True):
            if error is None or error.startswith("damaged:"):
                done[warc.name] = current[warc.name]
            if error is not None:
                errors.append(f"{warc.name}: {error}")
    if not done:
        raise ReplayError(f"pywb indexer failed on every WARC: {errors[-1]}")
    for err in errors:
        # Replay what is readable; an unreadable file is tried again by the next prepare().
        print(f"sma: warning: {err}", file=sys.stderr)
    for old in parts.glob("*.cdxj"):
        if old.name.removesuffix(".cdxj") not in current:
            old.unlink()
    tmp = index.with_name(f"{index.name}.{os.getpid()}.tmp")
    sources = [open(parts / f"{name}.cdxj", "rb") for name in sorted(done)]
    try:
        with open(tmp, "wb") as out:
            out.writelines(heapq.merge(*sources))
    finally:
        for fh in sources:
            fh.close()
    os.replace(tmp, index)  # pywb opens the index per lookup: a running server sees the new one
    # Written last: a crash before this only costs one more rebuild.
    _write_atomic(state_file, json.dumps({"format": INDEX_FORMAT, "warcs": done}, indent=1))


def _fingerprint(warc: Path) -> list[int]:
    st = warc.stat()
    return [st.st_size, st.st_mtime_ns]


def _index_warc(indexer: Path, warc: Path, parts: Path) -> str | None:
    """Indexes one WARC into `parts/<name>.cdxj`; returns None, "damaged: ..." or another error.

    The flags are those of `wb-manager reindex` but for sorting: -p appends POST bodies to the
    lookup key so POSTed API calls replay; file names in the index are basenames, resolved against
    `archive_paths`. pywb's --sort would buffer everything and write nothing when a record is torn
    (its indexer dies on the first bad record), so the lines are streamed and sorted here exactly as
    pywb sorts them: whole lines, bytewise.
    """
    cmd = [str(indexer), "--cdxj", "--postappend", "--output", "-", str(warc)]
    proc = subprocess.run(cmd, env=pywb_env(), capture_output=True)
    lines = proc.stdout.splitlines(keepends=True)
    if lines and not lines[-1].endswith(b"\n"):
        lines.pop()  # cut off mid-line by the crash
    if proc.returncode != 0 and not lines:
        return f"not indexed ({_last_line(proc.stderr.decode('utf-8', 'replace'))})"
    _write_atomic(parts / f"{warc.name}.cdxj", b"".join(sorted(lines)))
    # Some bad records make the indexer die, others it only logs (and then stops reading the file).
    if proc.returncode != 0 or b"Error while indexing" in proc.stderr:
        err = _last_line(proc.stderr.decode("utf-8", "replace"))
        return f"damaged: only the first {len(lines)} records could be indexed ({err})"
    return None


def _write_rules(pywb_dir: Path) -> Path | None:
    """pywb's rules.yaml with a larger fuzzy window; None (pywb's defaults) if it can't be found.

    `rules_file` replaces pywb's rules entirely (fuzzy rules and rewrite rules alike), so this is
    the installed file itself, changed in one value.
    """
    found = sorted(pywb_venv().glob("lib/python3*/site-packages/pywb/rules.yaml"))
    try:
        rules = yaml.safe_load(found[-1].read_text(encoding="utf-8")) if found else None
    except (OSError, yaml.YAMLError):
        rules = None
    if not isinstance(rules, dict):
        return None
    rules.setdefault("default_filters", {})["fuzzy_search_limit"] = str(FUZZY_SEARCH_LIMIT)
    target = pywb_dir / "rules.yaml"
    _write_atomic(target, yaml.safe_dump(rules, sort_keys=False, allow_unicode=True))
    return target


def _write_atomic(path: Path, data: str | bytes) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two `sma replay`s may prepare at once
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"
