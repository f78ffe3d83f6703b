"""The end of an account crawl on the shared frontier, through faults, on a real redis-server: a finisher
killed with SIGKILL gives its finish lock back within seconds (not half an hour), the next finisher
clears the half-written access copy and ends the crawl once, and a finished crawl leaves only its
outcome in Redis."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

from crawler.archive.pages import HEADER
from crawler.distributed.frontier import WORKING_PARTS, FinishLock, Frontier, connect


def test_a_dead_finishers_lock_is_taken_back_within_seconds(redis_server) -> None:  # noqa: ANN001
    """While its holder lives the lock outlasts its own time (the heartbeat renews it); once the holder
    is gone (SIGKILL: no heartbeat, no release) it expires within that time. bench/faults.py --moments
    access kills real finishers."""
    frontier = Frontier(connect(redis_server.url), "finishkill", lease_s=1.0)
    doomed = FinishLock(frontier, "c1", "doomed")
    assert doomed.acquire()
    time.sleep(1.6)  # more than the lock's 1 s: only its holder's heartbeat keeps it
    assert frontier.finish_holder("c1") == doomed.holder
    assert not FinishLock(frontier, "c1", "other").acquire(), "a live finisher keeps its crawl"
    doomed._stop.set()  # the holder dies: its heartbeat stops, nothing gives the lock back
    doomed._beat.join()
    died = time.monotonic()
    other = FinishLock(frontier, "c1", "other")
    while not other.acquire():
        assert time.monotonic() - died < 5, "the dead finisher's lock was never given back"
        time.sleep(0.05)
    assert time.monotonic() - died <= 1.5
    assert frontier.release_finish("c1", doomed.holder) is False, "only the holder gives the lock up"
    other.release()
    assert frontier.finish_holder("c1") is None


def test_the_next_finisher_clears_a_half_written_access_copy_and_ends_the_crawl_once(
        redis_server, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from sma.commands.worker import finish_crawl

    # The organisation's key, so the access copy is derived: without one the crawl also ends
    # incomplete, for another reason, and the outcome below would prove less.
    monkeypatch.setenv("SMA_PSEUDONYM_KEY", base64.b64encode(b"k" * 32).decode())

    frontier = Frontier(connect(redis_server.url), "finishredo", lease_s=5.0, finished_ttl_s=3600)
    crawl_id = "20261202000000-abc123"
    frontier.add_crawl(crawl_id, {"url": "http://127.0.0.1:9/@ministerie", "account": "ministerie",
                                  "profile": "mastodon"}, b"profile-page", 10)
    token, _ = frontier.claim(crawl_id, "w1")
    assert frontier.done(crawl_id, token, {"errors": ["the profile page failed"]}) == 0
    # What a finisher killed while writing the access copy left behind.
    archive = tmp_path / "archive"
    access = archive / "access"
    (access / "warcs").mkdir(parents=True)
    torn = access / "warcs" / f"sma-access-20261202000001-{crawl_id}-00000.warc.gz.open"
    torn.write_bytes(b"\x1f\x8b half a record")
    rows = [HEADER, {"id": f"{crawl_id}-3", "url": "http://127.0.0.1:9/@ministerie"},
            {"id": "20261201000000-fff000-2", "url": "http://127.0.0.1:9/@ministerie/1"}]
    (access / "pages.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    lock = FinishLock(frontier, crawl_id, "w2")
    assert frontier.finishable() == [crawl_id] and lock.acquire()
    try:
        assert finish_crawl(frontier, redis_server.url, crawl_id, archive, "w2") == 3  # the profile page failed
        # Ended meanwhile: a second finisher (whose lock lapsed while it was slow) changes nothing. It
        # once derived the ending again from the pruned keys and marked the crawl complete (exit 0).
        assert finish_crawl(frontier, redis_server.url, crawl_id, archive, "w2") == 3
    finally:
        lock.release()
    assert not torn.exists(), "the torn access WARC is gone"
    ids = [json.loads(line).get("id") for line in (access / "pages.jsonl").read_text().splitlines()]
    assert f"{crawl_id}-3" not in ids and "20261201000000-fff000-2" in ids, "only this crawl's rows cleared"
    runs = (archive / "accounts" / "ministerie" / "runs.jsonl").read_text().splitlines()
    assert len(runs) == 1 and crawl_id in runs[0], "the run is in the account's history once"
    assert (archive / "crawls" / crawl_id / "completeness.json").exists()
    outcome = frontier.result(crawl_id)
    assert outcome["state"] == "finished" and outcome["exit_code"] != "0", outcome
    assert frontier.finishable() == [] and crawl_id not in frontier.crawls()
    # Pruned: only the outcome is left, and it expires.
    server = frontier.server
    assert [p for p in WORKING_PARTS if server.exists(frontier.key(crawl_id, p))] == []
    assert 0 < server.ttl(frontier.key(crawl_id)) <= 3600
