"""A timeline read in pieces (issue 16 item 5, issue 10 item 3): with a low piece bound a 60-post
Mastodon account is found whole, every truth post once, across a scrolled first page and
server-rendered `?max_id=` pages, and the archive holds each post in exactly one piece."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import ROOT

POSTS, PIECE = 60, 15
CRAWL = """
import json, sys
from pathlib import Path
from crawler.run import crawl
out = crawl(sys.argv[1], Path(sys.argv[2]), max_posts=1, comments=False, settings_overrides=json.loads(sys.argv[3]))
print(json.dumps({"exit": out.exit_code, "completeness": out.completeness}))
"""
SETTINGS = {"SMA_TIMELINE_PIECE_POSTS": PIECE, "SMA_PRIVACY": False, "SMA_PROGRESS_INTERVAL": 0}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from demo_platform.server import LARGE_ACCOUNT, make_server

    server = make_server("127.0.0.1", 0, seed=1, large_account=POSTS)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://{}:{}".format(*server.server_address[:2])
    with urllib.request.urlopen(f"{base}/_truth/mastodon/{LARGE_ACCOUNT}.json", timeout=30) as resp:
        truth = json.loads(resp.read())
    archive = tmp_path_factory.mktemp("pieces") / "archive"
    proc = subprocess.run([sys.executable, "-c", CRAWL, f"{base}/@{LARGE_ACCOUNT}", str(archive), json.dumps(SETTINGS)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    server.shutdown()
    server.server_close()
    assert proc.stdout.strip(), proc.stderr[-3000:]
    # Post ids in the archived timeline: the first piece's API pages and the server-rendered pieces.
    held: Counter[str] = Counter()
    for path in sorted((archive / "warcs").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI")
                body = record.content_stream().read().decode("utf-8", "replace")
                if "/statuses?" in uri and "/api/v1/accounts/" in uri:
                    held.update(s["id"] for s in json.loads(body))
                elif "?max_id=" in uri and "/api/" not in uri:
                    held.update(re.findall(r'<article class="status" data-id="(\d+)"', body))
    yield {"truth": [p["url"] for p in truth["posts"]], "result": json.loads(proc.stdout.strip().splitlines()[-1]),
           "held": held, "stderr": proc.stderr}


def test_every_post_is_found_once_in_pieces(crawled: dict[str, Any]) -> None:
    report = crawled["result"]["completeness"]
    profile = report["profile"]
    assert profile["posts_found"] == POSTS, crawled["stderr"][-2000:]
    # The first page stopped at the bound and went on below its last post, in a fresh page.
    timeline = report["observed"]["profile"] if "observed" in report else profile
    assert timeline.get("next_piece") and "?max_id=" in timeline["next_piece"]
    assert "piece bound" in json.dumps(timeline.get("actions"))
    truth_ids = {u.rsplit("/", 1)[1] for u in crawled["truth"]}
    held = crawled["held"]
    assert set(held) == truth_ids
    assert max(held.values()) == 1, [k for k, v in held.items() if v > 1]
