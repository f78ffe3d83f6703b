"""`sma demo`: the main job on the bundled demo — serve the platform, capture, replay."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def start_platform(port: int, seed: int = 1, host: str = "127.0.0.1") -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo_platform", "--host", host, "--port", str(port), "--seed", str(seed)],
        # Its access log would bury the capture's own progress and summary.
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"demo platform exited with {proc.returncode} (is port {port} free?)")
        try:
            urllib.request.urlopen(f"http://{host}:{port}/_truth/index.json", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("demo platform did not start within 30 s")


def run_demo(archive: Path, port: int, platform_port: int, max_posts: int | None) -> int:
    from crawler.run import CrawlError, crawl, print_summary
    from replay.pywb_runner import ReplayError
    from replay.server import serve_archive

    try:
        platform = start_platform(platform_port)
    except RuntimeError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return 1
    url = f"http://127.0.0.1:{platform_port}/@ministerie-demo"
    print(f"sma demo: platform on http://127.0.0.1:{platform_port}; capturing {url} into {archive}", flush=True)
    try:
        outcome = crawl(url, archive, max_posts=max_posts)
    except CrawlError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return 1
    finally:
        # Replay must work from the archive alone: the live platform goes away first.
        platform.terminate()
        platform.wait(timeout=10)
    print_summary(outcome)
    print(f"sma demo: capture {outcome.message}", flush=True)
    if outcome.exit_code == 1:
        return 1
    try:
        sign_in = demo_archivist(archive)
    except ValueError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return 1
    try:
        return serve_archive(archive, port, banner=sign_in)
    except ReplayError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return 1


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
