"""Hostile pages (issue 16, docs/limits.md): one small crawl of the demo platform's traps with tight
bounds. Each trap is bounded by a setting and named as a shortfall with its reason, the crawl goes
on to the next page, rate limits are waited out, and no error page or whole gigabyte is archived."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import ROOT, Platform

MAX_BYTES = 1_000_000
SETTINGS = {
    "SMA_MAX_PAGES": 9,  # the profile, six posts, timeline pages 2 and 3; page 4 is one too many
    "SMA_PAGE_TIMEOUT": 60,  # a safety net: on a loaded machine the profile page alone takes ~20 s
    "CONCURRENT_REQUESTS": 8,  # every post is requested (and counted) before timeline page 3; still 3 tabs
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "SMA_NETWORK_IDLE_TIMEOUT": 2,
    "SMA_DOWNLOAD_MAXSIZE": MAX_BYTES,
    "SMA_READER_MAX_SECONDS": 3,
    "SMA_ACTION_MAX_SECONDS": 3,
    "SMA_RATELIMIT_RETRIES": 2,
    "SMA_RATELIMIT_BACKOFF": 0.2,
    "SMA_RATELIMIT_JITTER": 0,  # the exact backoff (jitter: tests/test_limits_units.py)
    "SMA_PRIVACY": False,
    "SMA_PROGRESS_INTERVAL": 0,
}
CRAWL = """
import json, sys
from pathlib import Path
from crawler.run import crawl
out = crawl(sys.argv[1], Path(sys.argv[2]), profile="generic", max_posts=6, settings_overrides=json.loads(sys.argv[3]))
print(json.dumps({"exit": out.exit_code, "completeness": out.completeness, "summary": out.summary}))
"""


@pytest.fixture(scope="module")
def hostile(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    run = f"t{uuid.uuid4().hex[:8]}"
    archive = tmp_path_factory.mktemp("hostile-archive")
    base = f"{platform.base}/traps/{run}"
    proc = subprocess.run([sys.executable, "-c", CRAWL, base + "/", str(archive), json.dumps(SETTINGS)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.stdout.strip(), proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    records = []
    for path in sorted((archive / "warcs").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit"):
                    head = record.rec_headers
                    records.append((head.get_header("WARC-Target-URI"), record.http_headers.get_statuscode(),
                                    head.get_header("WARC-Truncated"), len(record.content_stream().read())))
    pages = [json.loads(line) for line in (archive / "pages.jsonl").read_text().splitlines()[1:]]
    return {"base": base, "archive": archive, "result": result, "records": records,
            "pages": [p["url"] for p in pages], "stderr": proc.stderr}


def limits(hostile: dict[str, Any], where: str) -> dict[str, str]:
    return {s["name"]: s["note"] for s in hostile["result"]["completeness"]["shortfalls"]
            if s["what"] == "limit" and s["where"] == hostile["base"] + where}


def test_the_crawl_goes_on_and_is_never_complete(hostile: dict[str, Any]) -> None:
    result = hostile["result"]
    assert result["exit"] == 3, hostile["stderr"][-2000:]  # captured, but incomplete: never "complete"
    assert result["summary"]["complete"] is False and result["completeness"]["complete"] is False
    # The good pages after the traps are captured: the profile and post 5 (after two 503s).
    assert hostile["base"] + "/" in hostile["pages"] and hostile["base"] + "/post/5" in hostile["pages"]
    report = (Path(result["summary"]["report"])).read_text()
    assert "SMA_DOWNLOAD_MAXSIZE" in report and "NOT COMPLETE" in report


def test_endless_timeline_is_bounded_by_reader_time_and_pages(hostile: dict[str, Any]) -> None:
    shortfalls = hostile["result"]["completeness"]["shortfalls"]
    profile = [s for s in shortfalls if s["what"] == "reader" and s["where"] == hostile["base"] + "/"]
    assert profile and "stopped after max_" in profile[0]["note"]
    assert "SMA_MAX_PAGES" in limits(hostile, "/?page=4&busy=0")
    assert hostile["base"] + "/?page=4&busy=0" not in hostile["pages"]


def test_never_idle_page_is_bounded_in_time(hostile: dict[str, Any]) -> None:
    found = limits(hostile, "/post/1")
    assert {"SMA_NETWORK_IDLE_TIMEOUT", "SMA_PAGE_TIMEOUT"} & set(found), found


def test_gigabyte_response_is_kept_truncated_and_the_warcs_check(hostile: dict[str, Any]) -> None:
    assert "truncated to 1000000 bytes" in limits(hostile, "/post/3")["SMA_DOWNLOAD_MAXSIZE"]
    huge = [r for r in hostile["records"] if r[0] == hostile["base"] + "/huge.bin"]
    assert huge and all(r[2] == "length" and r[3] == MAX_BYTES for r in huge), huge
    warcs = sorted((hostile["archive"] / "warcs").glob("*.warc.gz"))
    check = subprocess.run([str(Path(sys.executable).with_name("warcio")), "check", *map(str, warcs)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_popups_are_closed_and_navigating_away_is_blocked(hostile: dict[str, Any]) -> None:
    found = limits(hostile, "/post/2")
    assert "SMA_CLOSE_POPUPS" in found and "SMA_BLOCK_NAVIGATION" in found
    assert hostile["base"] + "/post/2" in hostile["pages"]  # the post itself, not where it went
    assert not any("/elsewhere" in url or "/popup" in url for url in hostile["pages"])


def test_redirect_loop_is_an_error_with_its_reason(hostile: dict[str, Any]) -> None:
    errors = [s["note"] for s in hostile["result"]["completeness"]["shortfalls"] if s["what"] == "error"]
    assert any(e.startswith(hostile["base"] + "/post/4") and "REDIRECT" in e.upper() for e in errors), errors


def test_rate_limits_are_waited_out_and_never_archived(hostile: dict[str, Any]) -> None:
    waits = hostile["result"]["completeness"]["rate_limits"]
    timeline = [w for w in waits if w["url"] == hostile["base"] + "/"]
    assert timeline[0]["status"] == 429 and timeline[0]["why"] == "Retry-After: 1"
    assert timeline[0]["waited_s"] >= 1.0  # the wait really happened before the retry
    flaky = [w for w in waits if w["url"] == hostile["base"] + "/post/5"]
    assert [w["wait_s"] for w in flaky] == [0.2, 0.4]  # no Retry-After: exponential backoff
    # What is archived is the good page; no 429/503 response was ever written.
    statuses = {url: status for url, status, _, _ in hostile["records"]}
    assert statuses[hostile["base"] + "/"] == "200" and statuses[hostile["base"] + "/post/5"] == "200"
    assert not [r for r in hostile["records"] if r[1] in ("429", "503")]
    # A host that stays down: retries bounded, reported, nothing archived.
    assert "after 2 retries" in limits(hostile, "/post/6")["SMA_RATELIMIT_RETRIES"]
    assert hostile["base"] + "/post/6" not in statuses
