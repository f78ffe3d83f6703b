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

    def get_text(self, path: str) -> str:
        with urllib.request.urlopen(self.base + path, timeout=10) as resp:
            return resp.read().decode()

    def get_json(self, path: str) -> dict:
        return json.loads(self.get_text(path))

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


class SkinArchives:
    """One full crawl per demo skin and one pywb per archive, made on first use, kept for the session."""

    def __init__(self, platform: Platform, factory: pytest.TempPathFactory) -> None:
        self.platform = platform
        self.factory = factory
        self.crawls: dict[str, CrawlRun] = {}
        self.servers: dict[str, tuple[subprocess.Popen, str]] = {}

    def crawl(self, skin: str) -> CrawlRun:
        if skin not in self.crawls:
            truth = self.platform.truth(skin)
            self.crawls[skin] = crawl(truth["profile_url"], self.factory.mktemp(f"{skin}-archive"))
        return self.crawls[skin]

    def replay(self, skin: str) -> str:
        """Base URL of a pywb serving the skin's archive."""
        from replay.pywb_runner import start

        if skin not in self.servers:
            port = free_port()
            self.servers[skin] = (start(self.crawl(skin).archive, port), f"http://127.0.0.1:{port}")
        return self.servers[skin][1]

    def close(self) -> None:
        from replay.pywb_runner import stop

        for proc, _ in self.servers.values():
            stop(proc)


@pytest.fixture(scope="session")
def skin_archives(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SkinArchives]:
    archives = SkinArchives(platform, tmp_path_factory)
    yield archives
    archives.close()


@pytest.fixture(scope="session")
def mastodon_crawl(skin_archives: SkinArchives) -> CrawlRun:
    return skin_archives.crawl("mastodon")


@pytest.fixture(scope="session")
def replay_server(skin_archives: SkinArchives) -> str:
    return skin_archives.replay("mastodon")
