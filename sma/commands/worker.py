"""`sma worker --redis URL --archive DIR`: captures pages of the account crawls queued in Redis (by
`sma run --redis URL`), together with any number of other workers (docs/scale-out.md)."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from sma.config import LEASE_S, REDIS_FINISHED_TTL_S, REDIS_URL
from sma.exitcodes import ExitCode
from sma.settings_option import WORKER_RESERVED, SettingError, add_settings_argument, parse_settings


def register(sub: argparse._SubParsersAction) -> None:
    worker = sub.add_parser("worker", help="capture pages of the crawls queued in Redis (shared frontier)")
    add_redis_arguments(worker, required=True)
    worker.add_argument("--archive", required=True, help="archive directory (shared by all workers, or this "
                                                         "machine's copy that meets the others' in the index)")
    worker.add_argument("--name", default=None, help="this worker's name (its WARC prefix); default host-pid")
    worker.add_argument("--exit-when-idle", action="store_true",
                        help="stop once no crawl is queued or running (batch use; default: keep waiting)")
    worker.add_argument("--poll", type=float, default=1.0, help="seconds between looks at an empty queue")
    worker.add_argument("--child", default=None, help=argparse.SUPPRESS)
    add_settings_argument(worker)
    worker.set_defaults(func=_worker)


def add_redis_arguments(parser: argparse.ArgumentParser, required: bool = False) -> None:
    parser.add_argument("--redis", required=required, metavar="URL",
                        help="Redis URL with password, e.g. redis://:PASSWORD@host:6379/0 (or SMA_REDIS_URL)")
    parser.add_argument("--namespace", default="sma", help="key prefix in Redis: one per archive (default sma)")
    parser.add_argument("--lease", type=float, default=float(LEASE_S.get()),
                        help="seconds a claimed page stays claimed without its worker's heartbeat (default 60)")


def redacted(url: str) -> str:
    parts = urlsplit(url)
    return url.replace(parts.password, "***") if parts.password else url


def open_frontier(url: str | None, namespace: str, lease: float) -> Any:
    """The frontier, or a one-line error (raised as SystemExit's message by the callers)."""
    import redis

    from crawler.distributed.frontier import FINISHED_TTL_S, Frontier, connect

    url = url or REDIS_URL.get()
    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise ValueError(f"not a Redis URL: {redacted(url)!r} (redis://:PASSWORD@host:port/db)")
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", namespace):
        raise ValueError(f"namespace must be letters, digits, '_', '.', '-': {namespace!r}")
    try:
        # A finished crawl's outcome stays this long (its working keys go at once): docs/scale-out.md.
        keep = float(REDIS_FINISHED_TTL_S.get() or FINISHED_TTL_S)
        return Frontier(connect(url), namespace, lease, finished_ttl_s=keep), url
    except redis.AuthenticationError as exc:
        raise ValueError(f"Redis at {redacted(url)} refused the password: {exc}") from exc
    except redis.RedisError as exc:
        raise ValueError(f"cannot use Redis at {redacted(url)}: {exc}") from exc


def _worker(args: argparse.Namespace) -> int:
    archive = Path(args.archive)
    try:
        args.set_settings = parse_settings(args.settings, WORKER_RESERVED)  # -s NAME=VALUE, for every crawl
        frontier, url = open_frontier(args.redis, args.namespace, args.lease)
    except (SettingError, ValueError) as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    name = re.sub(r"[^A-Za-z0-9_.]+", "_", args.name or f"{socket.gethostname()}_{os.getpid()}")
    if args.child:
        return _child(frontier, url, args.child, archive, name, args.set_settings)
    from crawler.distributed.digests import RedisSeen
    from crawler.run import CrawlError, check_archive_dir

    try:
        check_archive_dir(archive)
    except CrawlError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    RedisSeen(frontier.server, frontier.ns).seed(archive)
    print(f"sma: worker {name} on {redacted(url)} (namespace {frontier.ns}), archive {archive}", file=sys.stderr)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(ExitCode.INTERRUPTED))
    try:
        return _loop(frontier, url, archive, name, args)
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED


def _loop(frontier: Any, url: str, archive: Path, name: str, args: argparse.Namespace) -> int:
    from crawler.distributed.frontier import FinishLock

    while True:
        for crawl_id in frontier.finishable():
            lock = FinishLock(frontier, crawl_id, name)
            if lock.acquire():  # a killed finisher's lock expires within the lease time: taken back here
                try:
                    finish_crawl(frontier, url, crawl_id, archive, name, args.set_settings)
                finally:
                    lock.release()
        work = frontier.work()
        if work:
            command = [sys.executable, "-m", "sma.cli", "worker", "--redis", url, "--namespace", frontier.ns,
                       "--lease", str(frontier.lease_s), "--archive", str(archive), "--name", name,
                       "--child", work[0], *(f"--set={pair}" for pair in args.settings)]
            code = subprocess.call(command)
            if code not in (0, ExitCode.FAILED, ExitCode.INTERRUPTED):
                print(f"sma: worker {name}: the capture process of crawl {work[0]} exited {code}", file=sys.stderr)
                time.sleep(args.poll * 5)  # a machine problem (no Chromium, no memory): not a busy loop
            continue
        if args.exit_when_idle and not frontier.crawls():
            return ExitCode.OK
        time.sleep(args.poll)


def _child(frontier: Any, url: str, crawl_id: str, archive: Path, name: str, extra: dict[str, str]) -> int:
    """One Scrapy crawl in this process: the crawl's queued pages until its queue is empty."""
    from crawler.distributed.worker import capture
    from crawler.run import CrawlError
    from sma.capture import load_session
    from sma.sessions import SessionError

    spec = frontier.spec(crawl_id)
    try:
        session = load_session(spec["session"]) if spec.get("session") else None
        capture(frontier, url, crawl_id, archive, name, session=session, extra=extra)
    except (CrawlError, SessionError) as exc:
        # Nothing of this crawl can be captured (bad URL or profile, archive not writable, no session):
        # it ends failed at once instead of being taken up again by every worker.
        message = f"crawl {crawl_id} ({spec['account']}) failed: {exc}"
        print(f"sma: error: {message}", file=sys.stderr)
        frontier.server.delete(frontier.key(crawl_id, "queue"))
        frontier.mark_finished(crawl_id, int(ExitCode.FAILED), message)
        return ExitCode.FAILED
    return ExitCode.OK


def finish_crawl(frontier: Any, url: str, crawl_id: str, archive: Path, name: str,
                 extra: dict[str, str] | None = None) -> int:
    """The account crawl's ending (report, access copy, history, search index), by this worker (which
    holds its finish lock). A finisher killed half-way left part of an access copy: cleared first, so the
    copy is derived once, whole; a run it already recorded is not recorded twice."""
    from crawler.distributed.completion import finish
    from crawler.distributed.worker import scrapy_settings, worker_settings
    from crawler.privacy.unfinished import clear_partial_access
    from crawler.run import print_summary
    from sma.capture import _record_run, _update_search_index

    ended = frontier.result(crawl_id)
    if ended.get("state") == "finished":  # ended by another finisher meanwhile: its outcome stands
        return int(ended.get("exit_code") or 0)
    spec = frontier.spec(crawl_id)
    settings = scrapy_settings(worker_settings(frontier, url, crawl_id, name, spec, extra), archive)
    started = time.time()
    try:
        clear_partial_access(archive, crawl_id)
        outcome = finish(frontier, crawl_id, archive, settings)
    except Exception as exc:  # noqa: BLE001 - said once; the crawl stays unfinished for another try
        print(f"sma: error: crawl {crawl_id} ({spec['account']}) could not be ended: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    print(f"{spec['account']}: crawl {crawl_id} ended by {name}: {outcome.message}", flush=True)
    print_summary(outcome)
    args = SimpleNamespace(account=spec["account"], url=spec["url"], posts=None, reason=None)
    created = float(frontier.result(crawl_id).get("created", started))
    if not already_recorded(archive, spec["account"], crawl_id):
        _record_run(archive, args, outcome, datetime.fromtimestamp(created, UTC))
    _update_search_index(archive)
    frontier.mark_finished(crawl_id, int(outcome.exit_code), outcome.message)
    return int(outcome.exit_code)


def already_recorded(archive: Path, account: str, crawl_id: str) -> bool:
    """A finisher killed after the account's history line but before the crawl was marked finished."""
    from crawler.archive.history import AccountHistory

    return any(run.get("crawl_id") == crawl_id for run in AccountHistory(archive, account).runs())


def enqueue_due(registry: Any, archive: Path, args: argparse.Namespace, plan: list[tuple[Any, str]]) -> int:
    """`sma run --redis URL`: the due accounts become crawls in Redis; workers capture them."""
    from crawler.distributed.worker import enqueue_account
    from crawler.privacy.keys import KeyProblem, load_keys

    try:
        frontier, _ = open_frontier(args.redis, args.namespace, float(LEASE_S.get()))
        # The key exists before any worker needs it: two workers must never each create one.
        load_keys(registry.organisation.id, create=True, archive_dir=archive)
    except (ValueError, KeyProblem) as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    running = frontier.active_accounts()
    for account, action in plan:
        if action != "capture":
            print(f"{account.id}: {action}", flush=True)
        elif account.id in running:
            print(f"{account.id}: already queued or being captured (crawl in Redis not finished)", flush=True)
        else:
            spec = {"url": account.url, "account": account.id, "profile": account.platform,
                    "max_posts": args.max_posts, "comments": account.comments,
                    "revisit_days": account.revisit_days, "full": bool(args.full),
                    "organisation": registry.organisation.id, "session": account.session,
                    "staff_signatures": list(registry.organisation.staff_signatures)}
            crawl_id = enqueue_account(frontier, spec)
            print(f"{account.id}: queued as crawl {crawl_id} (scenario {account.scenario})", flush=True)
    return ExitCode.OK
