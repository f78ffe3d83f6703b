"""Shared fixtures: the demo platform on a free port, crawls run through the real `sma` CLI,
pywb replay from its own venv, and Playwright launched on Debian's Chromium."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SMA = [sys.executable, "-m", "sma.cli"]
CHROMIUM = os.environ.get("SMA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """pytest-playwright: Debian's Chromium (`--browser-channel` never selects it)."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@dataclass
class Platform:
    base: str

    def get_json(self, path: str) -> dict:
        with urllib.request.urlopen(self.base + path, timeout=10) as resp:
            return json.loads(resp.read())

    def truth(self, skin: str) -> dict:
        index = self.get_json("/_truth/index.json")
        entry = next(s for s in index["skins"] if s["skin"] == skin)
        account = entry["accounts"][0]
        truth = self.get_json(account["truth"])
        truth["profile_url"] = account["url"]
        return truth


@pytest.fixture(scope="session")
def platform() -> Iterator[Platform]:
    from demo_platform.server import make_server

    server = make_server("127.0.0.1", 0, seed=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield Platform(f"http://{host}:{port}")
    server.shutdown()
    server.server_close()


@dataclass
class CrawlRun:
    archive: Path
    returncode: int
    stdout: str
    stderr: str

    def warcs(self) -> list[Path]:
        return sorted((self.archive / "warcs").glob("*.warc.gz"))


def run_sma(*args: str, timeout: float = 1200, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SMA, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def crawl(url: str, archive: Path, *extra: str, env: dict | None = None) -> CrawlRun:
    proc = run_sma("crawl", url, "--archive", str(archive), *extra, env=env)
    return CrawlRun(archive, proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def mastodon_crawl(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    truth = platform.truth("mastodon")
    archive = tmp_path_factory.mktemp("mastodon-archive")
    return crawl(truth["profile_url"], archive)


@pytest.fixture(scope="session")
def replay_server(mastodon_crawl: CrawlRun) -> Iterator[str]:
    from replay.pywb_runner import start

    port = free_port()
    proc = start(mastodon_crawl.archive, port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
