"""Assertions on archives shared by the capture tests of every platform."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from crawler.archive.pages import read_pages
from crawler.archive.read import iter_records, warc_files

TAG = re.compile(r"<[^>]+>")


def norm(text: str) -> str:
    return " ".join(html.unescape(text).split())


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def archived_text(archive: Path) -> str:
    """Every text a reader could get from the archived responses (JSON strings, HTML text)."""
    chunks: list[str] = []
    for rec in iter_records(archive):
        if rec.type != "response" or rec.http_headers is None:
            continue
        ctype = rec.http_headers.get_header("Content-Type") or ""
        body = rec.payload.decode("utf-8", "replace")
        if "json" in ctype:
            try:
                chunks.extend(TAG.sub(" ", s) for s in _strings(json.loads(body)))
            except ValueError:
                chunks.append(body)
        elif "html" in ctype or "javascript" in ctype:
            chunks.append(TAG.sub(" ", body))
    return norm("\n".join(chunks))


def missing_from_archive(archive: Path, truth: dict) -> list[str]:
    text = archived_text(archive)
    missing = []
    for post in truth["posts"]:
        if norm(post["text"]) not in text:
            missing.append(f"post {post['id']}")
        for comment in post["comments"]:
            if norm(comment["text"]) not in text:
                missing.append(f"comment {comment['id']} of post {post['id']}")
    return missing


def warcio_check(archive: Path) -> list[str]:
    problems = []
    warcio = Path(sys.executable).with_name("warcio")
    for path in warc_files(archive):
        proc = subprocess.run([str(warcio), "check", "-v", str(path)], capture_output=True, text=True)
        if proc.returncode != 0:
            problems.append(f"{path.name}: {proc.stdout[-500:]}{proc.stderr[-500:]}")
    return problems


def pages(archive: Path) -> list[dict]:
    return list(read_pages(archive))


def replay_url(base: str, row: dict) -> str:
    ts = re.sub(r"\D", "", row["ts"])[:14]
    return f"{base}/archive/{ts}/{row['url']}"


class Reader:
    """A reader in Chromium on `sma replay` (signed in as the archivist `arch`, through the sign-in
    form); any request that misses the archive is noted."""

    def __init__(self, page, base: str, user: str = "arch") -> None:
        from gateway_helpers import sign_in

        self.page = page
        self.base = base
        self.misses: list[str] = []
        self.leaks: list[str] = []
        page.route("**/*", self._route)
        sign_in(page, base, user)
        page.on("response", self._on_response)

    def _on_response(self, response) -> None:
        if response.status >= 400:
            self.misses.append(f"{response.status} {response.url}")

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:  # replay must never reach the live web
            self.leaks.append(url)
            route.abort()

    def scroll_to_end(self, end_selector: str, rounds: int = 200) -> None:
        for _ in range(rounds):
            if self.page.locator(end_selector).count():
                return
            self.page.mouse.wheel(0, 900)
            self.page.wait_for_timeout(150)
        raise AssertionError(f"never reached {end_selector}")

    def click_all(self, selector: str, limit: int = 500) -> None:
        for _ in range(limit):
            buttons = self.page.locator(f"{selector}:visible")
            if buttons.count() == 0:
                return
            buttons.first.click()
            self.page.wait_for_load_state("networkidle")
        raise AssertionError(f"{selector} still visible after {limit} clicks")
