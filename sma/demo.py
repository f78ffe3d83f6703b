"""`sma demo`: the main job on the bundled demo — serve the platform, capture, replay.

Stopping: Ctrl-C or SIGTERM at any time stops the demo and everything it started (the platform,
the crawl's browser, the replay's pywb processes). While replay runs that is the normal end (exit
0); during the capture it is an interruption (exit 130, nothing is replayed)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from sma.exitcodes import ExitCode

DEMO_ACCOUNT = "/@ministerie-demo"


def start_platform(port: int, seed: int = 1, host: str = "127.0.0.1") -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo_platform", "--host", host, "--port", str(port), "--seed", str(seed)],
        # Its access log would bury the capture's own progress and summary.
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"demo platform exited with {proc.returncode} (is port {port} free?)")
            try:
                urllib.request.urlopen(f"http://{host}:{port}/_truth/index.json", timeout=2).read()
                return proc
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("demo platform did not start within 30 s")
    except BaseException:  # also Ctrl-C while waiting: never leave the platform running
        stop_platform(proc)
        raise


def stop_platform(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: unwind, stop the children, exit."""


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """SIGTERM raises instead of killing this process outright (which would orphan the children)."""

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _own_signal_handlers() -> Iterator[None]:
    """Scrapy's CrawlerProcess installs its SIGINT/SIGTERM handlers and leaves them behind when the
    crawl ends (after a first signal: its "force stop" one, which only stops a reactor that is gone).
    Put ours back, or Ctrl-C and SIGTERM would do nothing once replay runs."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@contextmanager
def _ctrl_c_interrupts() -> Iterator[None]:
    """A process started in the background without job control (`sma demo &` in a script, a CI
    runner) inherits SIGINT *ignored*, and Python leaves it so: Ctrl-C (SIGINT to the process group)
    would then stop nothing, neither this process nor the pywbs, which inherit the ignore through
    exec. The demo promises that Ctrl-C stops it, so it takes SIGINT back for its own run."""
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if previous is signal.SIG_IGN:
            signal.signal(signal.SIGINT, previous)


def run_demo(archive: Path, port: int, platform_port: int, max_posts: int | None) -> int:
    try:
        with _ctrl_c_interrupts(), _sigterm_unwinds():
            return _run_demo(archive, port, platform_port, max_posts)
    except KeyboardInterrupt:
        print("sma demo: interrupted before replay started; stopped", file=sys.stderr)
        return ExitCode.INTERRUPTED


def _run_demo(archive: Path, port: int, platform_port: int, max_posts: int | None) -> int:
    from crawler.run import CrawlError, crawl, print_summary
    from replay.pywb_runner import ReplayError
    from replay.server import serve_archive

    try:
        platform = start_platform(platform_port)
    except RuntimeError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    url = f"http://127.0.0.1:{platform_port}{DEMO_ACCOUNT}"
    print(f"sma demo: platform on http://127.0.0.1:{platform_port}; capturing {url} into {archive}", flush=True)
    try:
        with _own_signal_handlers():
            outcome = crawl(url, archive, max_posts=max_posts)
    except CrawlError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    finally:
        # Replay must work from the archive alone: the live platform goes away first.
        stop_platform(platform)
    print_summary(outcome)
    if outcome.summary.get("finish_reason") == "shutdown":  # Ctrl-C or SIGTERM reached Scrapy
        print("sma demo: capture interrupted; nothing replayed", file=sys.stderr)
        return ExitCode.INTERRUPTED
    print(f"sma demo: capture {outcome.message}", flush=True)
    if outcome.exit_code == ExitCode.FAILED:
        return ExitCode.FAILED
    try:
        sign_in = demo_archivist(archive)
    except ValueError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    banner = "\n".join([sign_in, *page_lines(archive, port)])
    try:
        return serve_archive(archive, port, banner=banner)
    except ReplayError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return ExitCode.FAILED


def page_lines(archive: Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """The replay URL of every captured page, as the archivist opens it (the landing page at / lists
    the same pages for whoever signs in, each role its own view)."""
    from replay.pages import replay_href
    from replay.views import ViewSet

    pages = ViewSet(archive, names=("original",)).pages("original")
    lines = [f"sma demo: {len(pages)} captured pages, listed at http://{host}:{port}/ after sign-in:"]
    lines += [f"  http://{host}:{port}{replay_href(p['url'], p['ts'])}" for p in pages]
    return lines


def demo_archivist(archive: Path) -> str:
    """A fresh archivist user with a random password, printed once (it is stored only as a hash).
    A rerun on the same archive replaces the demo user: its old password is gone anyway."""
    import secrets

    from replay.auth import UserStore

    users = UserStore(archive)
    name = "demo-archivist"
    if users.role_of(name) is not None:
        users.remove(name)
    password = secrets.token_urlsafe(15)
    users.add(name, "archivist", password)
    return (f"sma demo: sign in as archivist: user {name}, password {password} (shown once; "
            f"more users: sma users add NAME --role ROLE --archive {archive})")
