"""The shared frontier on a real redis-server: `sma run --redis` queues accounts, `sma worker`s capture
them together; every truth comment once, revisits across workers, and a worker killed with SIGKILL
mid-page loses nothing (its page is captured by the other worker, once)."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis
from archive_checks import norm, warcio_check
from async_run import run_async
from conftest import ROOT, SMA, Platform, run_sma

from crawler.archive.read import iter_records

SKINS = {"mastodon-main": "mastodon", "facebook-main": "facebook"}  # first posts with comments
LEASE_S = "12"  # a dead worker's page is back in the queue after this many seconds (a loaded CI machine)


def registry(platform: Platform, folder: Path) -> Path:
    lines = ["organisation:", "  id: test-frontier", "  name: Ministerie van Test", "accounts:"]
    for account, skin in SKINS.items():
        lines += [f"  - id: {account}", f"    platform: {skin}", f"    url: {platform.truth(skin)['profile_url']}",
                  "    type: corporate", "    comments: true", "    process: publieksvoorlichting",
                  "    schedule: daily"]
    path = folder / "registry.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def worker(url: str, namespace: str, archive: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen([*SMA, "worker", "--redis", url, "--namespace", namespace, "--archive", str(archive),
                             "--name", name, "--exit-when-idle", "--poll", "0.3"], cwd=ROOT,
                            env={**os.environ, "SMA_LEASE_S": LEASE_S}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def queue(reg: Path, archive: Path, url: str, namespace: str, *accounts: str, extra: tuple[str, ...] = ()
          ) -> dict[str, str]:
    args = [a for account in accounts for a in ("--account", account)]
    proc = run_sma("run", "--registry", str(reg), "--archive", str(archive), "--all", "--max-posts", "1",
                   "--redis", url, "--namespace", namespace, *args, *extra, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {line.split(":")[0]: line.split("crawl ")[1].split()[0]
            for line in proc.stdout.splitlines() if "queued as crawl" in line}


def finish(*procs: subprocess.Popen, timeout: float = 900) -> str:
    out = ""
    for proc in procs:
        text, _ = proc.communicate(timeout=timeout)
        out += text
        assert proc.returncode == 0, text
    return out


def crawl_records(archive: Path, crawl_id: str) -> list:
    return [r for r in iter_records(archive) if f"-{crawl_id}-" in r.path.name]


def kill_when_mid_post(doomed: subprocess.Popen, server: redis.Redis, namespace: str, crawls: list[str]) -> str:
    """SIGKILL the worker while it captures a post page (its crawl's profile page is done); returns the URL."""
    try:
        deadline = time.monotonic() + 600
        while True:
            assert doomed.poll() is None, doomed.communicate()[0]
            assert time.monotonic() < deadline, "the worker never took a post page"
            for crawl_id in crawls:
                key = f"{namespace}:crawl:{crawl_id}"
                if not server.llen(f"{key}:obs"):
                    continue
                for token, owner in server.hgetall(f"{key}:lease:owner").items():
                    payload = server.hget(f"{key}:lease:data", token)
                    if owner == b"wK" and payload and pickle.loads(payload)["callback"] == "parse_post":
                        return pickle.loads(payload)["url"]
            time.sleep(0.1)
    finally:
        os.killpg(doomed.pid, signal.SIGKILL)  # the worker, its crawl process and Chromium at once
        doomed.wait()


@pytest.fixture(scope="module")
def together(platform: Platform, redis_server, tmp_path_factory) -> dict:  # noqa: ANN001
    """Two accounts (profile + one post each) queued by `sma run --redis`; workers wA and wK capture them
    together, wK is killed with SIGKILL in the middle of a post page, wA carries on alone."""
    folder = tmp_path_factory.mktemp("frontier")
    archive, reg = folder / "archive", registry(platform, folder)
    crawls = queue(reg, archive, redis_server.url, "together", *SKINS)
    assert set(crawls) == set(SKINS)
    survivor = worker(redis_server.url, "together", archive, "wA")
    try:
        killed = kill_when_mid_post(worker(redis_server.url, "together", archive, "wK"),
                                    redis.Redis.from_url(redis_server.url), "together", list(crawls.values()))
        output = finish(survivor)
    finally:
        if survivor.poll() is None:  # a failed wait: no worker outlives the test
            os.killpg(survivor.pid, signal.SIGKILL)
            survivor.wait()
    return {"archive": archive, "crawls": crawls, "killed_page": killed, "output": output}


def test_two_workers_capture_two_accounts_every_comment_once(together, platform, redis_server) -> None:  # noqa: ANN001
    archive = together["archive"]
    results = redis.Redis.from_url(redis_server.url)
    for account, crawl_id in together["crawls"].items():
        state = results.hgetall(f"together:crawl:{crawl_id}")
        assert state[b"state"] == b"finished" and state[b"exit_code"] == b"0", (state, together["output"])
        truth = {p["url"]: p for p in platform.truth(SKINS[account])["posts"]}
        texts = [r for r in crawl_records(archive, crawl_id) if r.uri.startswith("urn:text:")
                 and r.uri[len("urn:text:"):] in truth]
        assert len(texts) == 1, "one post page per account, captured once"
        post = truth[texts[0].uri[len("urn:text:"):]]
        page_text = norm(texts[0].payload.decode("utf-8"))
        assert post["comments"] and [c["id"] for c in post["comments"] if norm(c["text"]) not in page_text] == []
        assert (archive / "crawls" / crawl_id / "completeness.json").exists()
        assert any(f"-{crawl_id}-" in p.name for p in (archive / "access" / "warcs").iterdir()), "its access copy"
        runs = (archive / "accounts" / account / "runs.jsonl").read_text().splitlines()
        assert len(runs) == 1 and crawl_id in runs[0]
    names = {p.name.split("-")[0] for p in (archive / "warcs").glob("*.warc.gz")}
    assert names == {"wA", "wK"}, "each worker writes its own WARC files"
    assert not list((archive / "warcs").glob("*.open*")), "the killed worker's open WARC is repaired"
    assert warcio_check(archive) == []


def test_killed_worker_page_is_captured_by_the_other_once(together) -> None:  # noqa: ANN001
    archive, killed = together["archive"], together["killed_page"]
    records = list(iter_records(archive))
    document = [r for r in records if r.uri == killed and r.type in ("response", "revisit")]
    text = [r for r in records if r.uri == f"urn:text:{killed}"]
    assert len(document) == 1 and len(text) == 1, "the killed worker's page, captured once"
    assert text[0].path.name.startswith("wA-")
    # Dedup across workers: wA's copies of payloads wK wrote first (the profile page's) are revisits.
    firsts = {(r.uri, r.warc_headers.get_header("WARC-Date")): r.path.name.split("-")[0]
              for r in records if r.type in ("response", "resource")}
    origins = {firsts.get((r.warc_headers.get_header("WARC-Refers-To-Target-URI"),
                           r.warc_headers.get_header("WARC-Refers-To-Date")))
               for r in records if r.type == "revisit" and r.path.name.startswith("wA-")}
    assert "wK" in origins, origins


# -- the frontier's parts, without a browser -----------------------------------------------------------

def test_a_page_is_leased_to_one_worker_and_back_in_the_queue_when_its_lease_expires(redis_server) -> None:  # noqa: ANN001
    from crawler.distributed.frontier import Frontier, connect

    frontier = Frontier(connect(redis_server.url), "leases", lease_s=0.5)
    frontier.add_crawl("c1", {"url": "http://127.0.0.1:1/@a", "account": "a"}, b"profile-page", 10)
    token, payload = frontier.claim("c1", "w1")
    assert payload == b"profile-page" and frontier.claim("c1", "w2") is None, "claimed by one worker at a time"
    assert frontier.leases("c1") == {token: "w1"} and frontier.work() == []
    time.sleep(0.7)  # w1 died: no heartbeat renewed its lease
    assert frontier.work() == ["c1"] and frontier.leases("c1") == {}
    token2, payload2 = frontier.claim("c1", "w2")
    assert payload2 == b"profile-page"
    assert frontier.done("c1", token, {"errors": ["late"]}) == -1, "the dead worker's lease is no longer its own"
    frontier.renew("c1", [token2])
    assert frontier.done("c1", token2, {"posts": [{"url": "p"}]}) == 0 and frontier.finishable() == ["c1"]
    assert frontier.observations("c1") == [{"posts": [{"url": "p"}]}]
    assert frontier.claim_finish("c1", "w2", 60) and not frontier.claim_finish("c1", "w1", 60)


def test_the_digest_index_is_shared_and_the_first_copy_wins(redis_server) -> None:  # noqa: ANN001
    from crawler.distributed.digests import RedisSeen
    from crawler.distributed.frontier import connect

    one, other = RedisSeen(connect(redis_server.url), "digests"), RedisSeen(connect(redis_server.url), "digests")
    key = ("http://127.0.0.1:1/app.css", "sha256:AAAA")
    assert other.get(key) is None
    assert one.setdefault(key, (key[0], "2026-01-01T00:00:00Z")) == (key[0], "2026-01-01T00:00:00Z")
    assert other.setdefault(key, (key[0], "2026-02-02T00:00:00Z")) == (key[0], "2026-01-01T00:00:00Z")
    assert other.get(key) == (key[0], "2026-01-01T00:00:00Z") and key in other


def test_pages_of_one_host_wait_for_the_shared_slot_and_delay(redis_server) -> None:  # noqa: ANN001
    import asyncio

    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from crawler.distributed.politeness import SharedHostPoliteness

    settings = {"SMA_REDIS_URL": redis_server.url, "SMA_REDIS_NAMESPACE": "polite", "SMA_HOST_CONCURRENCY": 1,
                "SMA_HOST_DELAY_S": 0.3, "SMA_LEASE_S": 5}
    first, second = (SharedHostPoliteness.from_crawler(get_crawler(settings_dict=settings)) for _ in range(2))

    async def scenario() -> list[float]:
        started = time.monotonic()
        await first.process_request(Request("http://host.test/a", meta={"sma_lease": "t1"}))
        waiting = asyncio.ensure_future(second.process_request(Request("http://host.test/b", meta={"sma_lease": "t2"})))
        await asyncio.sleep(0.6)
        held = waiting.done()  # the one slot is the first worker's: the second waits
        first.page_done("t1")
        await waiting
        return [held, time.monotonic() - started]

    held, seconds = run_async(scenario())
    assert held is False and seconds >= 0.6
    first.hold_host("host.test", 0.5)
    second.page_done("t2")
    started = time.monotonic()
    run_async(first.process_request(Request("http://host.test/c", meta={"sma_lease": "t3"})))
    assert time.monotonic() - started >= 0.4, "a hold (Retry-After) keeps every worker off the host"
