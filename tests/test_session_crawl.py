"""Crawling the organisation's own account with its login session: comments that logged-out visitors
do not see are archived, no session secret reaches any byte of the archive, and a session that has
expired pauses the account instead of archiving a login wall."""

from __future__ import annotations

import gzip
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from conftest import Platform, run_sma

from crawler.archive.history import AccountHistory
from crawler.archive.read import warc_files

MAX_POSTS = 5


@pytest.fixture(scope="module")
def walled() -> Iterator[Platform]:
    """A demo platform that shows comments to logged-in visitors only."""
    from demo_platform.server import make_server

    server = make_server("127.0.0.1", 0, seed=1, login_required=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Platform("http://{}:{}".format(*server.server_address[:2]))
    server.shutdown()
    server.server_close()


def post(platform: Platform, path: str) -> bytes:
    request = urllib.request.Request(platform.base + path, method="POST")
    with urllib.request.urlopen(request, timeout=10) as resp:
        return resp.read()


class SessionStory:
    def __init__(self, walled: Platform, root: Path) -> None:
        self.env = {"SMA_SESSIONS_DIR": str(root / "sessions")}
        self.state = json.loads(post(walled, "/_auth/login?account=ministerie-demo"))
        state_file = root / "storage_state.json"
        state_file.write_text(json.dumps(self.state))
        self.imported = run_sma("session", "import", "demo-login", str(state_file), env=self.env)
        self.registry = root / "registry.yaml"
        self.registry.write_text(f"""organisation: {{id: ministerie-demo, name: Ministerie van Demo}}
accounts:
  - id: mastodon-main
    platform: mastodon
    url: {walled.base}/@ministerie-demo
    type: corporate
    comments: true
    process: dialoog overheid-burgers
    schedule: daily
    session: demo-login
""")
        self.archive = root / "archive"
        self.logged_in = self.run()
        self.files_logged_in = warc_files(self.archive)
        post(walled, "/_auth/expire")
        self.expired = self.run()
        self.again = self.run()

    def run(self):  # noqa: ANN201
        return run_sma("run", "--registry", str(self.registry), "--archive", str(self.archive), "--all",
                       "--max-posts", str(MAX_POSTS), env=self.env)

    def secrets(self) -> list[str]:
        values = [c["value"] for c in self.state["cookies"]]
        values += [item["value"] for origin in self.state.get("origins", []) for item in origin["localStorage"]]
        return values


@pytest.fixture(scope="module")
def story(walled: Platform, tmp_path_factory: pytest.TempPathFactory) -> SessionStory:
    return SessionStory(walled, tmp_path_factory.mktemp("session"))


def test_logged_in_crawl_archives_the_comments(story: SessionStory) -> None:
    assert story.imported.returncode == 0, story.imported.stderr
    assert story.logged_in.returncode == 0, story.logged_in.stdout + story.logged_in.stderr
    first_crawl = sorted(story.archive.glob("crawls/*/summary.json"))[0]  # crawl ids start with their time
    summary = json.loads(first_crawl.read_text())
    assert summary["comments"]["captured"] > 0
    assert summary["comments"]["captured"] == summary["comments"]["displayed"]


def test_no_session_secret_in_any_byte_of_the_archive(story: SessionStory) -> None:
    secrets = story.secrets()
    assert len(secrets) >= 3 and all(len(s) >= 8 for s in secrets)
    forms = {f for s in secrets for f in (s, quote(s, safe=""), quote_plus(s), json.dumps(s)[1:-1])}
    checked = 0
    for path in story.archive.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.name.endswith(".warc.gz"):
            data = gzip.decompress(data)  # every record is its own gzip member; this reads them all
        for form in forms:
            assert form.encode() not in data, f"{form[:6]}... found in {path}"
        checked += len(data)
    assert checked > 1_000_000
    # The headers are there, their values are not: the archive says a session was used.
    raw = b"".join(gzip.decompress(p.read_bytes()) for p in story.files_logged_in)
    assert b"Cookie: _session_id=[redacted-by-sma]" in raw
    assert b"Set-Cookie: _session_id=[redacted-by-sma]" in raw


def test_expired_session_pauses_the_account_without_archiving_the_wall(story: SessionStory) -> None:
    assert story.expired.returncode == 4, story.expired.stdout + story.expired.stderr
    assert "mastodon-main: PAUSED" in story.expired.stdout
    assert warc_files(story.archive) == story.files_logged_in or all(
        b"data-login-required" not in gzip.decompress(p.read_bytes())
        for p in warc_files(story.archive) if p not in story.files_logged_in)
    assert AccountHistory(story.archive, "mastodon-main").paused is not None


def test_paused_account_waits_for_a_new_session(story: SessionStory) -> None:
    assert story.again.returncode == 0
    assert "mastodon-main: paused:" in story.again.stdout
