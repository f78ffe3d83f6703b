"""A timeline read in pieces (issue 16 item 5, issue 10 item 3): with a low piece bound a 60-post
Mastodon account is found whole, every truth post once, across a scrolled first page and
server-rendered `?max_id=` pages, and the archive holds each post in exactly one piece."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.history import AccountHistory, PostState
from crawler.spiders.timeline import TimelinePieces
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


class _Spider(TimelinePieces):
    """The planning part of the account spider on its own (no browser): a recapture's pieces."""

    def __init__(self, history: AccountHistory, max_posts: int | None) -> None:
        self.history, self.max_posts, self.revisit_days, self.full = history, max_posts, 7.0, False
        self.completeness = {"profile": {"posts_found": 0}}
        self.plan: dict[str, list[str]] = {}
        self._queued, self._visiting, self._visits = set(), set(), 0
        self._timeline_asked, self._timeline_pending, self._timeline_links = set(), 1, []
        self._timeline_now = datetime(2026, 12, 2, tzinfo=UTC)
        self._recapture = bool(history.posts)  # as start_requests decides it, before any capture
        self.logger = logging.getLogger("test")

    def _request(self, url: str, callback: str, priority: int = 0, thread_of: str | None = None) -> Any:
        return url


def test_recapture_plans_over_the_whole_timeline(tmp_path: Path) -> None:
    """A known post on piece 2 is not 'missing' from piece 1 (visited to confirm a deletion);
    --max-posts counts visits, so a new post on piece 2 is still visited; a post on no piece is."""
    history = AccountHistory(tmp_path, "acct")
    old = "2025-01-01T00:00:00Z"
    for n in [*range(1, 11), 12]:
        history.posts[f"http://h/@a/{n}"] = PostState(first_seen=old, last_captured=old, published=old)
    spider = _Spider(history, max_posts=3)
    piece1 = [f"http://h/@a/{n}" for n in (0, 1, 2, 3, 4, 5)]
    piece2 = [f"http://h/@a/{n}" for n in (6, 7, 8, 9, 10, 11)]
    spider._timeline_pending += 1  # piece 2 asked for
    visits = spider._timeline_done(piece1)
    assert visits == ["http://h/@a/0"]  # not 6..10, which piece 2 lists
    visits += spider._timeline_done(piece2)
    assert visits == ["http://h/@a/0", "http://h/@a/11", "http://h/@a/12"]
    assert spider.plan["missing"] == ["http://h/@a/12"] and spider.completeness["profile"]["posts_found"] == 12


def test_a_first_crawl_selects_what_it_visits_while_its_own_captures_fill_the_history(tmp_path: Path) -> None:
    """A first crawl with --max-posts 2: its own post captures enter the history during the crawl;
    a later piece must not take the crawl for a recapture (which counts every found post selected,
    and so let a report of 2 visited posts out of 12 say complete)."""
    history = AccountHistory(tmp_path, "acct")
    spider = _Spider(history, max_posts=2)
    spider._timeline_pending += 1
    visits = spider._timeline_done([f"http://h/@a/{n}" for n in range(6)])
    now = "2026-12-02T00:00:00Z"
    for url in visits:  # captured meanwhile: item_scraped commits them to the history
        history.posts[url] = PostState(first_seen=now, last_captured=now, published=now)
    spider._timeline_done([f"http://h/@a/{n}" for n in range(6, 12)])
    assert spider.completeness["posts_selected"] == 2 and spider.completeness["profile"]["posts_found"] == 12

