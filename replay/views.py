"""The gateway's views: one pywb process per view, each configured with ONLY the WARCs its roles may see.

    original   DIR/warcs/           the authentic capture (archivist; woo-officer for review)
    access     DIR/access/warcs/    the pseudonymised derivative written at capture (researcher)
    public     DIR/public/warcs/    pages approved for publication, redacted as approved (public)

Isolation is by construction: a researcher's request can only ever reach the access pywb, which has
no file holding an original byte, whatever path or modifier it asks for. Each pywb has its own
working dir DIR/.pywb/<view>/ and listens on a random loopback port, and answers only requests that
carry its per-start key (pywb_runner.ViewGuard), which only the gateway holds.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from archive.layout import COPY_DIRS, ArchiveDir, closed_warcs
from archive.pages import read_pages
from replay import pywb_runner
from replay.change_marks import write_banner_template
from replay.gateway_types import VIEWS

VIEW_SOURCES: dict[str, str] = COPY_DIRS  # each view serves one copy of the archive
INTERNAL_HOST = "127.0.0.1"  # never anything else: the views must not be reachable from outside


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((INTERNAL_HOST, 0))
        return sock.getsockname()[1]


@dataclass
class _View:
    name: str
    source: Path  # folder holding warcs/ and pages.jsonl
    pywb_dir: Path
    port: int = 0
    proc: subprocess.Popen | None = None
    guard: pywb_runner.ViewGuard | None = None  # new key per start
    seen: tuple = ()  # the WARC folder's state at the last index refresh


class ViewSet:
    """Starts, refreshes and stops the views' pywb processes (implements gateway_types.Views)."""

    def __init__(self, archive_dir: Path, names: tuple[str, ...] = VIEWS, hosts: Iterable[str] = ()) -> None:
        """`hosts`: the Host values the gateway forwards (its allowed hosts); pywb refuses others."""
        self.archive_dir = Path(archive_dir).resolve()
        self.hosts = tuple(hosts)
        unknown = set(names) - set(VIEW_SOURCES)
        if unknown:
            raise ValueError(f"unknown view(s): {', '.join(sorted(unknown))}")
        layout = ArchiveDir(self.archive_dir)
        self._views = {name: _View(name, layout.copy(name).resolve(), layout.pywb(name)) for name in names}
        self._lock = threading.Lock()  # one index refresh at a time (pywb_runner's tmp names are per pid)

    def source_dir(self, name: str) -> Path:
        return self._view(name).source

    def start(self) -> None:
        """Prepares and starts every view, the views side by side (each waits seconds for its pywb to
        answer); on any failure, Ctrl-C included, stops those already started once every start has
        returned, so that none is left behind."""
        try:
            with ThreadPoolExecutor(max_workers=len(self._views) or 1) as pool:
                for started in [pool.submit(self._start_view, view) for view in self._views.values()]:
                    started.result()
        except BaseException:
            self.stop()
            raise

    def _start_view(self, view: _View) -> None:
        view.seen = _folder_state(view.source)
        pywb_runner.prepare_view(view.source, view.pywb_dir, self.archive_dir)
        for attempt in range(3):  # a free port can be taken between probe and bind
            view.port = _free_port()
            try:
                view.guard = pywb_runner.ViewGuard.new(self.hosts)
                view.proc = pywb_runner.start_view(view.pywb_dir, view.port, INTERNAL_HOST, view.guard)
                return
            except pywb_runner.ReplayError:
                if attempt == 2:
                    raise

    def stop(self) -> None:
        for view in self._views.values():
            if view.proc is not None:
                pywb_runner.stop(view.proc)
                view.proc = None

    def refresh(self, name: str) -> None:
        """Re-indexes the view and rewrites its banner template from that index: a crawl, an
        approval or a destruction while serving shows in the banner's captures, marks and grounds
        (pywb's Jinja loader re-reads a template whose mtime changed) without a restart."""
        view = self._view(name)
        with self._lock:
            view.seen = _folder_state(view.source)
            pywb_runner.refresh_view_index(view.source, view.pywb_dir)
            write_banner_template(self.archive_dir, view.pywb_dir)

    def refresh_if_changed(self, name: str) -> None:
        """Re-indexes when the view's WARC folder changed (a crawl or an approval by another
        process while serving): one stat of the folder per request when nothing changed."""
        view = self._view(name)
        if _folder_state(view.source) != view.seen:
            self.refresh(name)

    def internal_url(self, name: str) -> str:
        view = self._view(name)
        if view.proc is None:
            raise RuntimeError(f"view {name} is not running")
        return f"http://{INTERNAL_HOST}:{view.port}"

    def internal_headers(self, name: str) -> dict[str, str]:
        """Headers every request to the view's pywb must carry (its per-start key)."""
        guard = self._view(name).guard
        if guard is None:
            raise RuntimeError(f"view {name} is not running")
        return guard.headers()

    def internal_ports(self) -> list[int]:
        return [v.port for v in self._views.values() if v.proc is not None]

    def dead(self) -> list[str]:
        """Views whose pywb exited (the gateway refuses to go on without them)."""
        return [v.name for v in self._views.values() if v.proc is not None and v.proc.poll() is not None]

    def has_warcs(self, name: str) -> bool:
        return bool(closed_warcs(self._view(name).source / "warcs"))

    def pages(self, name: str) -> list[dict[str, str]]:
        """{title, url, ts} of every page in the view's own pages.jsonl (for the access view these
        are the pseudonymised URLs and titles written with the derivative)."""
        rows: list[dict[str, str]] = []
        for row in read_pages(self._view(name).source):
            url = row.get("url")
            if not isinstance(url, str) or not url:
                continue
            title = row.get("title")
            rows.append({
                "url": url,
                "title": title if isinstance(title, str) and title else url,
                "ts": pywb_runner.timestamp14(row.get("ts")) or "",
            })
        return rows

    def _view(self, name: str) -> _View:
        try:
            return self._views[name]
        except KeyError:
            raise KeyError(f"no view {name!r}") from None


def _folder_state(source: Path) -> tuple:
    """Changes when a WARC is added, removed or closed (the writer renames `.open` away): the
    folder's mtime. Closed WARCs never grow, so this is all a request needs to stat."""
    try:
        return ((source / "warcs").stat().st_mtime_ns,)
    except OSError:
        return ()

