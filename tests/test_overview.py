"""The gateway's home page overview and search page, called as a WSGI app (no server, no pywb): the
numbers of the last capture per account, "onbekend" where SMA could not count, the chart, and each
role's search reading only that role's copy."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import CrawlRun, Platform

from replay.auth import UserStore
from replay.gateway import Gateway
from replay.overview import UNKNOWN, chart, load, ratio
from replay.views import ViewSet

USERS = {"anna": ("archivist", "archivist-secret-1"), "rob": ("researcher", "researcher-secret-1")}


@pytest.fixture(scope="module")
def gateway(mastodon_crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    archive = tmp_path_factory.mktemp("overview-archive") / "archive"
    shutil.copytree(mastodon_crawl.archive, archive, ignore=shutil.ignore_patterns(".sma", ".pywb"))
    users = UserStore(archive)
    for name, (role, password) in USERS.items():
        users.add(name, role, password)
    return Gateway(archive, ViewSet(archive))  # views never started: nothing here is replayed


def get(gateway: Gateway, target: str, user: str | None = None) -> tuple[int, bytes]:
    path, _, query = target.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": "127.0.0.1:8080",
               "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(b""), "HTTP_ACCEPT": "text/html"}
    if user:
        secret = base64.b64encode(f"{user}:{USERS[user][1]}".encode()).decode()
        environ["HTTP_AUTHORIZATION"] = f"Basic {secret}"
    status: list[str] = []
    body = b"".join(gateway(environ, lambda s, h, *a: status.append(s)))
    return int(status[0].split()[0]), body


def test_overview_shows_the_numbers_of_the_last_capture(gateway: Gateway) -> None:
    status, body = get(gateway, "/", "anna")
    assert status == 200
    html = body.decode()
    account = next((gateway.archive_dir / "accounts").iterdir()).name
    runs = [json.loads(line) for line in (gateway.archive_dir / "accounts" / account / "runs.jsonl").open()]
    crawl = gateway.archive_dir / "crawls" / runs[-1]["crawl_id"]
    completeness = json.loads((crawl / "completeness.json").read_text())
    row = re.search(rf'<tr class="sma-account" data-account="{re.escape(account)}">(.*?)</tr>', html, re.S)
    assert row, "one row per account"
    comments = completeness["comments"]
    posts = completeness["profile"]
    assert f"{comments['captured']} / {comments['displayed']}" in row.group(1)
    assert f"{posts['posts_found']} / {posts['posts_displayed']}" in row.group(1)
    assert runs[-1]["ended"][:16].replace("T", " ") in row.group(1)
    new_posts = sum(1 for line in (gateway.archive_dir / "accounts" / account / "changes.jsonl").open()
                    if json.loads(line)["crawl_id"] == runs[-1]["crawl_id"] and json.loads(line)["kind"] == "post")
    assert f"{new_posts} new post" in row.group(1)
    assert "<svg" in row.group(1) and "http" not in row.group(1).split("<svg", 1)[1].replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # drawn here: no external resource
    assert 'class="sma-page"' in html, "the list of pages stays"


def test_unknown_is_said_not_guessed(tmp_path: Path) -> None:
    assert ratio(12, None) == f"12 / {UNKNOWN}"
    assert ratio(None, None) == UNKNOWN
    assert ratio(12, 13) == "12 / 13 (92%)"
    account = tmp_path / "accounts" / "a"
    account.mkdir(parents=True)
    (account / "runs.jsonl").write_text(json.dumps({"crawl_id": "c1", "ended": "2026-01-01T10:00:00"}) + "\n{torn")
    (tmp_path / "crawls" / "c1").mkdir(parents=True)
    (tmp_path / "crawls" / "c1" / "completeness.json").write_text(json.dumps(
        {"complete": False, "profile": {"posts_displayed": None, "posts_found": 7}, "comments": {"displayed": None,
                                                                                               "captured": 3}}))
    [overview] = load(tmp_path)
    assert ratio(overview.last.posts_found, overview.last.posts_displayed) == f"7 / {UNKNOWN}"
    svg = chart(overview.runs)
    assert "sma-bar" in svg and "<circle" not in svg  # no completeness point where it is unknown


def test_each_roles_search_page_reads_its_own_copy(gateway: Gateway, platform: Platform) -> None:
    truth = platform.truth("mastodon")
    comment = next(c for p in truth["posts"] for c in p["comments"] if len(c["author"]["name"].split()) >= 2)
    name = comment["author"]["name"]
    status, body = get(gateway, f"/_sma/search?q=%22{name.replace(' ', '+')}%22", "anna")
    assert status == 200 and name.encode() in body and b'data-copy="original"' in body
    status, body = get(gateway, f"/_sma/search?q=%22{name.replace(' ', '+')}%22", "rob")
    assert status == 200 and b'data-copy="access"' in body and b'data-total="0"' in body
    results = body.split(b'id="sma-total"', 1)[1]  # what the archive answered (the form echoes the query)
    assert name.encode() not in results
    status, body = get(gateway, "/_sma/search?q=een", None)  # anonymous: the public role
    assert status == 200 and b'data-copy="public"' in body and b'data-total="0"' in body  # nothing approved
    status, body = get(gateway, "/_sma/dataset", None)
    assert status == 403
    status, body = get(gateway, "/_sma/dataset?copy=original", "rob")
    assert status == 403
    status, body = get(gateway, "/_sma/dataset", "rob")
    assert status == 200 and body[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        rows = archive.read("sma-dataset/items.jsonl").decode()
        assert comment["id"] in rows and name not in rows
        assert {"items.csv", "README.md", "datapackage.json"} <= {Path(n).name for n in archive.namelist()}
