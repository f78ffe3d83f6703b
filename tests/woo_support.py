"""Shared by tests/test_woo_review.py and tests/test_woo_export.py: one crawl of two PII-rich Mastodon
post pages (session-scoped), users, the real `sma replay` gateway, and the forms PII takes in bytes."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from conftest import ROOT, SMA, Platform, free_port, run_sma

SKIN = "mastodon"
PASSWORDS = {"officer": "officer-pass-7f3a9", "burger": "public-pass-2c8e1"}


@dataclass
class WooArchive:
    archive: Path
    truth: dict
    posts: list[dict]  # the crawled posts of the truth
    env: dict[str, str]


def pii_values(truth: dict) -> set[str]:
    """Every truth PII value and every commenter's name and handle (not the organisation's own)."""
    own = truth["account"]["handle"].lstrip("@").lower()
    values: set[str] = set()
    for post in truth["posts"]:
        for comment in post["comments"]:
            author = comment["author"]
            if author["handle"].lstrip("@").lower() == own:
                continue
            values |= {author["name"], author["handle"], author["handle"].lstrip("@")}
            values |= {p["value"] for p in comment["pii"]}
    return {v for v in values if v and len(v) >= 3}


def byte_forms(value: str) -> set[bytes]:
    """raw, lower-case, URL-encoded (quote/quote_plus), JSON-escaped (ASCII and not)."""
    forms = {value, value.lower(), quote(value), quote_plus(value), quote(value.lower()),
             json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    return {f.encode("utf-8") for f in forms if f}


def pii_hits(data: bytes, values: set[str]) -> list[str]:
    return sorted(v for v in values if any(f in data for f in byte_forms(v)))


@pytest.fixture(scope="session")
def woo_archive(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> WooArchive:
    """Two post pages (the ones with the most PII in their comments), captured with privacy on."""
    truth = platform.truth(SKIN)
    posts = sorted(truth["posts"], key=lambda p: -sum(len(c["pii"]) for c in p["comments"]))[:2]
    archive = tmp_path_factory.mktemp("woo-archive")
    keys = tmp_path_factory.mktemp("woo-keys")
    os.chmod(keys, 0o700)
    env = {"SMA_KEYS_DIR": str(keys)}
    args = ["crawl", truth["profile_url"], "--archive", str(archive), "--reason", "Woo-verzoek (test)"]
    for post in posts:
        args += ["--post", post["url"]]
    proc = run_sma(*args, env=env)
    assert proc.returncode == 0, proc.stderr
    return WooArchive(archive, truth, posts, env)


def add_user(archive: Path, name: str, role: str, env: dict[str, str]) -> None:
    proc = subprocess.run([*SMA, "users", "add", name, "--role", role, "--archive", str(archive)], cwd=ROOT,
                          input=PASSWORDS[name] + "\n", capture_output=True, text=True, env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr


@dataclass
class Gateway:
    base: str
    proc: subprocess.Popen


def start_gateway(archive: Path, env: dict[str, str]) -> Iterator[Gateway]:
    port = free_port()
    proc = subprocess.Popen([*SMA, "replay", str(archive), "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/_sma/login", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(f"sma replay exited: {proc.stdout.read() if proc.stdout else ''}") from None
            time.sleep(0.5)
    else:
        proc.terminate()
        raise AssertionError("sma replay did not start")
    yield Gateway(base, proc)
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def sign_in(page, base: str, user: str) -> None:  # noqa: ANN001 - playwright Page
    page.goto(base + "/_sma/login")
    page.fill("#user", user)
    page.fill("#password", PASSWORDS[user])
    page.click("#sign-in")
    page.wait_for_selector("#sma-landing")
