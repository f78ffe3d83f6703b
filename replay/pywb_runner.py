"""Serving an archive directory with pywb: derived working dir, CDXJ index, the `wayback` process.

`archive_dir/.pywb/` is derived state and always rebuildable:

    .pywb/config.yaml          collection `archive`, unframed, WARCs read in place from ../warcs/
    .pywb/rules.yaml           pywb's own rules.yaml with a larger fuzzy-match window (_write_rules)
    .pywb/parts/<warc>.cdxj    one sorted CDXJ per WARC, made by pywb's cdx-indexer (pywb venv)
    .pywb/indexes/index.cdxj   the parts merged: what pywb searches
    .pywb/index-state.json     size/mtime of each WARC whose part is current
    .pywb/wayback.log          output of the last `wayback` run

pywb lives in its own venv (its pins break Scrapy), so it is only ever run as a subprocess here.
"""

from __future__ import annotations

import heapq
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import yaml

from replay.change_marks import write_banner_template

COLLECTION = "archive"
PYWB_DIRNAME = ".pywb"
REPO_ROOT = Path(__file__).resolve().parent.parent
# A fuzzy lookup is a prefix query on the URL without its query string; pywb keeps 100 of its
# results by default (the 100 nearest in time, with _WAYBACK's change) and only then compares query
# strings: an account paged 100+ times through one API endpoint would lose its farthest pages.
# Local archives are small enough to keep far more.
FUZZY_SEARCH_LIMIT = 10000
START_TIMEOUT = 60.0
# Bump when the indexer invocation changes, so that existing indexes get rebuilt.
INDEX_FORMAT = "pywb-cdxj-postappend-parts-1"


# pywb's `wayback` command, with two changes.
# 1. pywb drops the requested timestamp from fuzzy lookups (FUZZY_SKIP_PARAMS), so of the captures
#    that match once `_=<Date.now()>` is ignored, the first in index order wins: the *oldest* crawl's
#    API response, even on a page replayed from a later crawl. Keeping `closest` sorts the candidates
#    by distance to the page's timestamp instead.
# 2. The guard (docs/replay.md, "The views' listeners"): pywb listens on loopback TCP ports, its
#    front end and the warcserver it starts inside itself on a random port, and has no
#    authentication of its own. Every request to either must carry the per-start random key (read
#    from stdin, never in argv or the environment) in VIEW_KEY_HEADER, compared in constant time,
#    and a Host this view answers to; anything else gets an empty 403. pywb's own calls to its
#    warcserver (`requests` to http://localhost:<port>/) get the key added here.
_WAYBACK = """
import sys, json, hmac
from pywb.apps.cli import wayback  # first: it does gevent's monkey-patching
from pywb.warcserver.index.fuzzymatcher import FuzzyMatcher
FuzzyMatcher.FUZZY_SKIP_PARAMS = tuple(p for p in getattr(FuzzyMatcher, "FUZZY_SKIP_PARAMS", ()) if p != "closest")
_guard = json.loads(sys.stdin.readline() or "{}")
if _guard.get("key"):
    import requests.api
    from pywb.utils.geventserver import GeventServer
    from pywb.warcserver.warcserver import WarcServer
    _KEY = _guard["key"].encode()
    _HOSTS = frozenset(h.lower() for h in _guard.get("hosts") or ())
    _ENV = "HTTP_" + _guard["header"].upper().replace("-", "_")
    _internal = []  # "localhost:<port>" of the warcserver(s)

    def _guarded(app, hosts):
        def guarded(environ, start_response):
            sent = environ.pop(_ENV, "").encode("latin-1", "replace")
            host = environ.get("HTTP_HOST", "").lower()
            if not hmac.compare_digest(sent, _KEY) or host not in hosts():
                start_response("403 Forbidden", [("Content-Length", "0")])
                return [b""]
            return app(environ, start_response)
        return guarded

    _init = GeventServer.__init__
    def _init_guarded(self, app, *args, **kwargs):
        internal = isinstance(app, WarcServer)
        app = _guarded(app, (lambda: _internal) if internal else (lambda: _HOSTS))
        _init(self, app, *args, **kwargs)
        if internal:
            _internal.append("localhost:%d" % self.port)
    GeventServer.__init__ = _init_guarded

    _request = requests.api.request
    def _request_with_key(method, url, **kwargs):
        if any(url.startswith("http://%s/" % h) for h in _internal):
            kwargs["headers"] = {**(kwargs.get("headers") or {}), _guard["header"]: _guard["key"]}
        return _request(method, url, **kwargs)
    requests.api.request = _request_with_key
sys.argv[0] = "wayback"
wayback()
"""
VIEW_KEY_HEADER = "X-SMA-View-Key"


@dataclass(frozen=True)
class ViewGuard:
    """What every request to a guarded pywb must carry: the key, and one of the Host values."""

    key: str
    hosts: frozenset[str]

    @classmethod
    def new(cls, hosts: Iterable[str]) -> ViewGuard:
        """A fresh key; `localhost` is always allowed (the gateway's own look-ups and start-up probe)."""
        return cls(secrets.token_urlsafe(32), frozenset({"localhost", *(h.lower() for h in hosts)}))

    def headers(self) -> dict[str, str]:
        return {VIEW_KEY_HEADER: self.key}


class ReplayError(RuntimeError):
    """A replay problem the user can act on; the message is one line."""


# -- locations ---------------------------------------------------------------------------------
def pywb_venv() -> Path:
    return Path(os.environ.get("SMA_PYWB_VENV") or REPO_ROOT / ".venv-pywb")


def _pywb_tool(name: str) -> Path:
    tool = pywb_venv() / "bin" / name
    if not os.access(tool, os.X_OK):
        raise ReplayError(f"pywb is not installed: {tool} not found (run `make setup`, or set SMA_PYWB_VENV)")
    return tool


def _pywb_env() -> dict[str, str]:
    # The caller runs in .venv: its PYTHONPATH/PYTHONHOME must not leak into pywb's interpreter.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "__PYVENV_LAUNCHER__")}
    env["VIRTUAL_ENV"] = str(pywb_venv())
    return env


def list_warcs(archive_dir: Path) -> list[Path]:
    """Closed WARCs only: `*.warc.gz.open` is being written and must never reach the index."""
    warc_dir = Path(archive_dir) / "warcs"
    if not warc_dir.is_dir():
        return []
    return sorted(p for p in warc_dir.glob("*.warc.gz") if p.is_file() and p.stat().st_size > 0)


# -- prepare -----------------------------------------------------------------------------------
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
    indexer = _pywb_tool("cdx-indexer")
    _pywb_tool("wayback")

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
        _refresh_index(_pywb_tool("cdx-indexer"), warcs, Path(pywb_dir))
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
    proc = subprocess.run(cmd, env=_pywb_env(), capture_output=True)
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


# -- start / serve -----------------------------------------------------------------------------
def start(archive_dir: Path, port: int, host: str = "127.0.0.1") -> subprocess.Popen:
    """Starts an UNGUARDED `wayback` (see _WAYBACK) on host:port serving the original; returns once
    it serves the collection. Test-only (tests/conftest.py replays skins with it): `sma replay`
    starts only guarded views (replay/views.py), and nothing in `sma` calls this."""
    return start_view(prepare(archive_dir), port, host)


def start_view(pywb_dir: Path, port: int, host: str = "127.0.0.1", guard: ViewGuard | None = None) -> subprocess.Popen:
    """Starts `wayback` in a prepared pywb dir (see prepare_view); returns once it answers.
    With `guard`, pywb answers only requests that carry its key and one of its Host values."""
    _check_port_free(host, port)
    log_path = pywb_dir / "wayback.log"
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an older log may be 0644
    with os.fdopen(fd, "wb") as log:
        # cwd: wayback reads ./config.yaml. The child inherits the log fd; ours closes here.
        # Same process group: a Ctrl-C in the terminal reaches pywb too, and so does a hang-up.
        proc = subprocess.Popen(
            [str(_pywb_tool("python")), "-c", _WAYBACK, "--bind", host, "--port", str(port)],
            cwd=pywb_dir,
            env=_pywb_env(),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    assert proc.stdin is not None
    settings = {"key": guard.key, "header": VIEW_KEY_HEADER, "hosts": sorted(guard.hosts)} if guard else {}
    try:
        proc.stdin.write((json.dumps(settings) + "\n").encode("utf-8"))  # stdin: not in /proc/<pid>/cmdline
        proc.stdin.close()
    except OSError:
        pass  # it died already: the wait below reports its log
    try:
        _wait_until_serving(proc, f"http://{_connect_host(host)}:{port}/{COLLECTION}/", log_path,
                            {**guard.headers(), "Host": "localhost"} if guard else {})
    except BaseException:
        stop(proc)  # also on Ctrl-C while waiting: never leave a pywb behind
        raise
    return proc


def _wait_until_serving(proc: subprocess.Popen, probe: str, log_path: Path, headers: dict[str, str]) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via an http_proxy
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise ReplayError(f"pywb exited with {proc.returncode}: {_log_tail(log_path)}")
        try:
            with opener.open(urllib.request.Request(probe, headers=headers), timeout=2) as resp:
                resp.read()
            return
        except urllib.error.HTTPError as exc:
            # It answers, but not for our collection: a broken config (pywb only logs those).
            raise ReplayError(f"pywb answered {exc.code} for {probe}: {_log_tail(log_path)}") from None
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ReplayError(f"pywb did not answer within {START_TIMEOUT:.0f} s: {_log_tail(log_path)}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Terminates pywb and reaps it; kills it if SIGTERM is not enough."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


class _Stop(Exception):
    pass


def serve(archive_dir: Path, port: int) -> int:
    """`sma replay`: serves until Ctrl-C or SIGTERM, then stops pywb; returns the exit code."""

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise _Stop()

    try:
        # Before start(): a SIGTERM's default action would leave pywb running without us.
        previous = signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not the main thread: only Ctrl-C can end it
        previous = None
    proc: subprocess.Popen | None = None
    try:
        proc = start(archive_dir, port)
        pages = page_urls(archive_dir, port)
        print(f"Replaying {Path(archive_dir)} on http://127.0.0.1:{port}/{COLLECTION}/ ({len(pages)} pages):")
        for _title, url in pages:
            print(url)
        print("Press Ctrl-C to stop.", flush=True)
        code = proc.wait()
        log = Path(archive_dir).resolve() / PYWB_DIRNAME / "wayback.log"
        raise ReplayError(f"pywb exited unexpectedly with {code}: {_log_tail(log)}")
    except (KeyboardInterrupt, _Stop):
        return 0
    finally:
        if proc is not None:
            stop(proc)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _check_port_free(host: str, port: int) -> None:
    # Otherwise the readiness probe could be answered by whatever already holds the port.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as pywb's server does
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise ReplayError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


def _connect_host(host: str) -> str:
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


# -- pages -------------------------------------------------------------------------------------
def page_urls(archive_dir: Path, port: int, host: str = "127.0.0.1") -> list[tuple[str, str]]:
    """(title, replay URL) for every page in `pages.jsonl`, in file order."""
    prefix = f"http://{host}:{port}/{COLLECTION}/"
    result: list[tuple[str, str]] = []
    for row in _read_pages(Path(archive_dir) / "pages.jsonl"):
        url = row.get("url")
        if not isinstance(url, str) or not url:
            continue
        ts = timestamp14(row.get("ts"))
        title = row.get("title")
        # Without a usable timestamp pywb's /archive/<url> serves the latest capture.
        result.append((title if isinstance(title, str) and title else url, prefix + (f"{ts}/" if ts else "") + url))
    return result


def _read_pages(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                row = json.loads(line)
            except ValueError:
                continue  # a torn last line of a killed crawl
            if isinstance(row, dict) and "format" not in row:
                yield row


_RFC3339 = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$")


def timestamp14(value: object) -> str | None:
    """RFC 3339 ("2026-11-24T11:22:33.5Z", offsets allowed) -> "20261124112233" in UTC."""
    if not isinstance(value, str):
        return None
    m = _RFC3339.match(value.strip())
    if not m:
        return None
    zone = m.group(3) or "Z"
    zone = "+00:00" if zone in "Zz" else zone
    try:
        moment = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{zone}")
    except ValueError:
        return None
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


# -- small helpers -----------------------------------------------------------------------------
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


def _log_tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    tail = [line.strip() for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(tail) + f" (log: {path})" if tail else f"(empty log: {path})"
