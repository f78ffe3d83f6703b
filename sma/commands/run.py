"""`sma run` (scheduled captures of a registry), `sma capture-post` (one post on request) and
`sma timeline` (an account's captures and changes over time)."""

from __future__ import annotations

import argparse
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from crawler.archive.history import AccountHistory, parse_time
from crawler.archive.model import utc_now
from sma.exitcodes import ExitCode
from sma.registry import Account, Registry, RegistryError, load_registry

# Worst first: the exit code of a run over several accounts is that of its worst account.
SEVERITY = (ExitCode.FAILED, ExitCode.PAUSED, ExitCode.INCOMPLETE, ExitCode.OK)
WATCH_POLL_S = 30.0


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="capture every account of a registry that is due (cron-friendly)")
    run.add_argument("--registry", required=True, help="registry YAML file")
    run.add_argument("--archive", required=True, help="archive directory")
    run.add_argument("--all", action="store_true", help="ignore schedules: capture every automatic account now")
    run.add_argument("--account", action="append", dest="accounts", metavar="ID", help="only these accounts")
    run.add_argument("--full", action="store_true", help="revisit every post, not only new and young ones")
    run.add_argument("--watch", action="store_true", help="keep running, capturing accounts as they fall due")
    run.add_argument("--max-posts", type=int, default=None, help=argparse.SUPPRESS)
    run.add_argument("--redis", default=None, metavar="URL",
                     help="queue the due accounts in this Redis for `sma worker`s instead of capturing them "
                          "here (docs/scale-out.md)")
    run.add_argument("--namespace", default="sma", help="key prefix in Redis with --redis (one per archive)")
    run.set_defaults(func=_run)

    post = sub.add_parser("capture-post", help="capture one selected post on request (any scenario, also C)")
    post.add_argument("url", help="the post's URL")
    post.add_argument("--account", required=True, help="registry id of the account the post belongs to")
    post.add_argument("--reason", required=True, help="why this post is archived (recorded in the archive)")
    post.add_argument("--registry", required=True)
    post.add_argument("--archive", required=True)
    post.set_defaults(func=_capture_post)

    timeline = sub.add_parser("timeline", help="an account's captures and changes over time")
    timeline.add_argument("account", help="registry id (or the key `sma crawl` derived from the URL)")
    timeline.add_argument("--archive", required=True)
    timeline.set_defaults(func=_timeline)


def _error(message: str, code: int = ExitCode.BAD_INPUT) -> int:
    print(f"sma: error: {message}", file=sys.stderr)
    return code


def crawl_command(registry: Registry, account: Account, archive: Path, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "sma.cli", "crawl", account.url, "--archive", str(archive),
               "--account", account.id, "--profile", account.platform,
               "--organisation", registry.organisation.id,
               "--revisit-days", str(account.revisit_days), *extra]
    for other in registry.accounts:  # the organisation's own accounts answer each other: no third parties
        command += ["--public-account", other.url]
    if registry.organisation.name:
        command += ["--public-account", registry.organisation.name]
    if not account.comments:
        command.append("--no-comments")
    if account.session:
        command += ["--session", account.session]
    return command


def crawl_env(registry: Registry) -> dict[str, str]:
    signatures = "|".join(registry.organisation.staff_signatures)
    return {**os.environ, "SMA_STAFF_SIGNATURES": signatures} if signatures else dict(os.environ)


@contextmanager
def archive_lock(archive: Path) -> Iterator[None]:
    """One `sma run` per archive at a time: a cron job that overlaps a slow run waits its turn."""
    lock_dir = archive / ".sma"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / "run.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"sma: another `sma run` is capturing into {archive}; waiting for it", file=sys.stderr)
            fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _load(path: str) -> Registry | None:
    try:
        return load_registry(Path(path))
    except RegistryError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return None


def due_accounts(registry: Registry, archive: Path, now: datetime, run_all: bool,
                 only: list[str] | None) -> list[tuple[Account, str]]:
    """(account, what to do) for every selected account: 'capture', or why it is skipped."""
    plan = []
    for account in registry.accounts:
        if only and account.id not in only:
            continue
        if not account.automatic:
            plan.append((account, f"skipped: scenario C ({account.type}): on request only (sma capture-post)"))
            continue
        history = AccountHistory(archive, account.id)
        if history.paused and not _session_renewed(account, history.paused):
            plan.append((account, f"paused: {history.paused['reason']}"))
            continue
        if run_all or account.schedule.is_due(history.last_run(), now):
            plan.append((account, "capture"))
        elif not account.schedule.automatic:
            plan.append((account, "manual schedule: captured only with --all"))
        else:
            next_due = account.schedule.next_due(history.last_run(), now)
            plan.append((account, f"not due (next {next_due.astimezone():%Y-%m-%d %H:%M})"))
    return plan


def _session_renewed(account: Account, paused: dict[str, str]) -> bool:
    """A paused account runs again once its session file was imported anew."""
    if not account.session:
        return True
    from sma.sessions import SessionError, session_path

    try:
        changed = os.path.getmtime(session_path(account.session))
    except (SessionError, OSError):
        return False
    paused_at = parse_time(paused.get("at"))
    return paused_at is not None and changed > paused_at.timestamp()


def run_once(registry: Registry, archive: Path, args: argparse.Namespace) -> int:
    if getattr(args, "redis", None):
        from sma.commands.worker import enqueue_due

        return enqueue_due(registry, archive, args, due_accounts(registry, archive, utc_now(), args.all,
                                                                 args.accounts))
    codes = []
    with archive_lock(archive):
        for account, action in due_accounts(registry, archive, utc_now(), args.all, args.accounts):
            if action != "capture":
                print(f"{account.id}: {action}", flush=True)
                continue
            print(f"{account.id}: capturing {account.url} (scenario {account.scenario})", flush=True)
            extra = ["--full"] if args.full else []
            if args.max_posts:
                extra += ["--max-posts", str(args.max_posts)]
            code = subprocess.call(crawl_command(registry, account, archive, *extra), env=crawl_env(registry))
            print(f"{account.id}: {_outcome(code)}", flush=True)
            codes.append(code)
    return next((c for c in SEVERITY if c in codes), ExitCode.OK) if codes else ExitCode.OK


def _outcome(code: int) -> str:
    return {ExitCode.OK: "complete", ExitCode.INCOMPLETE: "captured, INCOMPLETE (see report)",
            ExitCode.PAUSED: "PAUSED: log in again",
            ExitCode.INTERRUPTED: "interrupted"}.get(code, f"FAILED (exit {code})")


def _run(args: argparse.Namespace) -> int:
    registry = _load(args.registry)
    if registry is None:
        return ExitCode.BAD_INPUT
    archive = Path(args.archive)
    if args.accounts:
        for account_id in args.accounts:
            try:
                registry.account(account_id)
            except RegistryError as exc:
                return _error(str(exc))
    if not args.watch:
        return run_once(registry, archive, args)
    print(f"sma: watching {len(registry.accounts)} accounts of {registry.organisation.name}; Ctrl-C stops",
          file=sys.stderr)
    while True:
        run_once(registry, archive, args)
        args.all = False  # --all --watch: everything once, then by schedule
        time.sleep(WATCH_POLL_S)


def _capture_post(args: argparse.Namespace) -> int:
    registry = _load(args.registry)
    if registry is None:
        return ExitCode.BAD_INPUT
    try:
        account = registry.account(args.account)
    except RegistryError as exc:
        return _error(str(exc))
    if not args.reason.strip():
        return _error("--reason must say why this post is archived")
    from crawler.profiles import resolve

    profile, _ = resolve(account.url, account.platform)
    if profile.classify(args.url) != "post":
        return _error(f"{args.url} is not a {profile.title} post URL (account {account.id})")
    if profile.urls.get("post") and args.url.split("/")[2] != account.url.split("/")[2]:
        return _error(f"{args.url} is not on the host of account {account.id} ({account.url})")
    archive = Path(args.archive)
    with archive_lock(archive):
        command = crawl_command(registry, account, archive, "--post", args.url, "--reason", args.reason)
        return subprocess.call(command, env=crawl_env(registry))


def _timeline(args: argparse.Namespace) -> int:
    archive = Path(args.archive)
    history = AccountHistory(archive, args.account)
    runs, changes = history.runs(), history.changes()
    if not runs and not history.posts:
        known = sorted(p.name for p in (archive / "accounts").glob("*")) if (archive / "accounts").is_dir() else []
        return _error(f"no captures of account {args.account!r} in {archive} (known: {', '.join(known) or 'none'})")
    by_crawl: dict[str, list[dict]] = {}
    for change in changes:
        by_crawl.setdefault(change["crawl_id"], []).append(change)
    print(f"{args.account}: {len(runs)} captures, {len(history.live_posts())} posts live, "
          f"{sum(1 for p in history.posts.values() if p.deleted_at)} deleted")
    for run in runs:
        when = parse_time(run.get("started"))
        stamp = when.astimezone().strftime("%Y-%m-%d %H:%M") if when else "?"
        counts = ", ".join(f"{n} {what}" for what, n in (run.get("changes") or {}).items()) or "no changes"
        kind = f"on request: {run['reason']}" if run.get("reason") else _outcome(run.get("exit_code", 1))
        print(f"{stamp}  {run['crawl_id']}  {kind}  pages {run.get('pages', 0)}  {counts}")
        for change in by_crawl.get(run["crawl_id"], []):
            if run is runs[0] and change["change"] == "new":
                continue  # everything of the first capture is "new": the count says it
            what = f"{change['change']} {change['kind']}"
            target = change["url"] if change["kind"] == "post" else f"{change['url']} comment {change['id']}"
            since = f" (last copy {change['previous_capture']})" if change.get("previous_capture") else ""
            evidence = f" [{change['evidence']}]" if change.get("evidence") else ""
            print(f"    {what:<16} {target}{evidence}{since}")
    return ExitCode.OK
