"""Running pywb: the guarded `wayback` process of one view, started in a prepared working dir
(replay/pywb_index.py) and stopped again.

pywb lives in its own venv (its pins break Scrapy), so it is only ever run as a subprocess: its
interpreter gets the small script `_WAYBACK` below, which is pywb's own `wayback` command with a
fuzzy-matching fix and the guard every request must pass (docs/replay.md, "The views' listeners").
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sma.config import PYWB_VENV

COLLECTION = "archive"
START_TIMEOUT = 60.0


class ReplayError(RuntimeError):
    """A replay problem the user can act on; the message is one line."""


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


# -- locations ---------------------------------------------------------------------------------
def pywb_venv() -> Path:
    return PYWB_VENV.path()


def pywb_tool(name: str) -> Path:
    tool = pywb_venv() / "bin" / name
    if not os.access(tool, os.X_OK):
        raise ReplayError(f"pywb is not installed: {tool} not found (run `make setup`, or set SMA_PYWB_VENV)")
    return tool


def pywb_env() -> dict[str, str]:
    # The caller runs in .venv: its PYTHONPATH/PYTHONHOME must not leak into pywb's interpreter.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "__PYVENV_LAUNCHER__")}
    env["VIRTUAL_ENV"] = str(pywb_venv())
    return env


# -- start / stop ------------------------------------------------------------------------------
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
            [str(pywb_tool("python")), "-c", _WAYBACK, "--bind", host, "--port", str(port)],
            cwd=pywb_dir,
            env=pywb_env(),
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


def _log_tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    tail = [line.strip() for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(tail) + f" (log: {path})" if tail else f"(empty log: {path})"
