"""`sma replay DIR`: the views' pywb processes plus the gateway, served by waitress."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from replay.at_rest import close_at_rest
from replay.audit import AuditError
from replay.gateway import Gateway
from replay.pywb_runner import ReplayError, list_warcs
from replay.signin_flood import Tarpit
from replay.views import ViewSet
from sma.exitcodes import ExitCode

THREADS = 8  # for the requests; the sign-in tarpit's held answers get threads of their own


class _Stop(Exception):
    pass


def serve_archive(archive_dir: Path, port: int, host: str = "127.0.0.1", anonymous_public: bool = True,
                  banner: str = "", public_hosts: list[str] | None = None) -> int:
    """Serves until Ctrl-C or SIGTERM; returns the exit code. `banner`: printed once serving."""
    from waitress.server import create_server

    archive_dir = Path(archive_dir).resolve()
    if not archive_dir.is_dir():
        raise ReplayError(f"archive directory {archive_dir} does not exist")
    if not list_warcs(archive_dir):
        raise ReplayError(f"no WARC files in {archive_dir / 'warcs'}: nothing to replay (run `sma crawl` first)")

    tightened = close_at_rest(archive_dir)  # what an older sma or another tool left group/world-readable
    if tightened:
        print(f"sma: closed {tightened} path(s) of {archive_dir} to the owner (folders 0700, files 0600)",
              file=sys.stderr)
    stopping, died = threading.Event(), threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        if not stopping.is_set():  # a second SIGTERM must not cut the clean-up short
            raise _Stop()

    def on_int(signum: int, frame: FrameType | None) -> None:
        # Ctrl-C reaches the pywbs too (same process group): stopping is set before they exit, so
        # that neither the watchdog nor the check after server.run() takes their exit for a crash.
        stopping.set()
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, on_term)  # before the views start: never orphan a pywb
        # Only in place of Python's own Ctrl-C handler: an ignored SIGINT stays ignored.
        previous_int = signal.getsignal(signal.SIGINT)
        if previous_int is signal.default_int_handler:
            signal.signal(signal.SIGINT, on_int)
    except ValueError:  # not the main thread
        previous = previous_int = None
    hosts = allowed_hosts(host, port, public_hosts or [])
    views = ViewSet(archive_dir, hosts=hosts)
    server = None
    try:
        views.start()
        try:
            gateway = Gateway(archive_dir, views, anonymous_public=anonymous_public, allowed_hosts=hosts)
        except AuditError as exc:
            raise ReplayError(str(exc)) from None
        try:
            server = create_server(gateway, host=host, port=port, threads=THREADS + Tarpit.SLOTS, ident="SMA",
                                   clear_untrusted_proxy_headers=True)
        except OSError as exc:
            raise ReplayError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
        watchdog = threading.Thread(target=_watch, args=(views, stopping, died), daemon=True)
        watchdog.start()
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        print(f"Replaying {archive_dir} on http://{shown}:{port}/ (sign in at http://{shown}:{port}/_sma/login)")
        counts = {name: len(views.pages(name)) for name in ("original", "access", "public")}
        print(f"Pages: {counts['original']} original, {counts['access']} access copy, {counts['public']} public")
        if banner:
            print(banner)
        print("Press Ctrl-C to stop.", flush=True)
        server.run()  # returns on Ctrl-C: waitress catches the KeyboardInterrupt itself
        dead = views.dead()
        if dead and not stopping.is_set():
            raise ReplayError(f"pywb of view(s) {', '.join(dead)} exited unexpectedly (see {archive_dir}/.pywb/)")
        return ExitCode.OK
    except (KeyboardInterrupt, _Stop):
        dead = views.dead()
        if died.is_set():  # not for Ctrl-C, which reaches the pywbs (same process group) as well
            print(f"sma: error: pywb of view(s) {', '.join(dead)} exited unexpectedly (see {archive_dir}/.pywb/)",
                  file=sys.stderr)
            return ExitCode.FAILED
        return ExitCode.OK
    finally:
        stopping.set()
        if server is not None:
            gateway.tarpit.release()  # held sign-in answers go now, not after their hold
            server.close()
        views.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if previous_int is signal.default_int_handler:
            signal.signal(signal.SIGINT, previous_int)


def allowed_hosts(host: str, port: int, public_hosts: list[str]) -> set[str]:
    """Host header values to answer: the bound address, loopback names, and --public-host names
    (the name a reverse proxy or users' browsers use; NAME or NAME:PORT)."""
    names = {"127.0.0.1", "localhost", "[::1]"} | ({host} if host not in ("0.0.0.0", "::", "") else set())
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:
        hosts |= names
    return hosts | {h.strip().lower() for h in public_hosts if h.strip()}


def _watch(views: ViewSet, stopping: threading.Event, died: threading.Event) -> None:
    """Stops serving when a view's pywb dies: a gateway answering 502 forever helps nobody."""
    import os

    while not stopping.wait(1.0):
        if views.dead():
            died.set()
            os.kill(os.getpid(), signal.SIGTERM)
            return
