"""`sma crawl` as a function: runs one capture in this process and records the run in the account's
history. `sma run` and `sma capture-post` start it as a child process per account, because Scrapy's
reactor cannot be started twice in one process."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.archive.history import AccountHistory, account_key
from crawler.archive.model import utc_now
from sma.exitcodes import ExitCode


def load_session(name: str):  # noqa: ANN201 - crawler.run.Session, imported lazily
    from crawler.run import Session
    from sma.sessions import load_session as load_state
    from sma.sessions import session_path, session_secrets

    state = load_state(name)
    names = [c.get("name", "") for c in state.get("cookies", []) if c.get("name")]
    return Session(name, session_path(name), session_secrets(name), names)


def run_crawl(args: argparse.Namespace) -> int:
    from crawler.run import CrawlError, crawl_spec, print_summary
    from crawler.spec import CrawlSpec
    from sma.sessions import SessionError

    archive = Path(args.archive)
    if args.posts and not (args.reason or "").strip():
        print("sma: error: --post needs --reason (why these posts are captured is part of the record)",
              file=sys.stderr)
        return ExitCode.BAD_INPUT
    started = utc_now()
    try:
        session = load_session(args.session) if args.session else None
        spec = CrawlSpec(
            url=args.url, archive=archive, profile=args.profile, max_posts=args.max_posts, account=args.account or "",
            comments=not args.no_comments, revisit_days=args.revisit_days, full=args.full,
            posts=tuple(args.posts or ()), reason=args.reason, session=session.name if session else None,
        )
        outcome = crawl_spec(spec, session, settings_overrides=_settings(args) or None)
    except (CrawlError, SessionError) as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    print_summary(outcome)
    _record_run(archive, args, outcome, started)
    _update_search_index(archive)
    if outcome.exit_code:
        failed = outcome.exit_code == ExitCode.FAILED
        print(f"sma: {'error: ' if failed else ''}{outcome.message}", file=sys.stderr)
    return outcome.exit_code


def _settings(args: argparse.Namespace) -> dict[str, object]:
    settings: dict[str, object] = dict(getattr(args, "set_settings", None) or {})  # -s NAME=VALUE
    if args.organisation:
        settings["SMA_ORGANISATION"] = args.organisation
    if getattr(args, "public_accounts", None):  # the privacy pipeline adds those of SMA_PUBLIC_ACCOUNTS
        settings["SMA_PUBLIC_ACCOUNTS"] = list(args.public_accounts)
    return settings


def _record_run(archive: Path, args: argparse.Namespace, outcome, started) -> None:  # noqa: ANN001
    """Appends the run to the account's history; a full disk costs the log line, not the outcome."""
    summary = outcome.summary
    if not summary.get("crawl_id"):
        return
    history = AccountHistory(archive, args.account or account_key(args.url))
    try:
        history.record_run({
            "crawl_id": summary["crawl_id"], "started": started.isoformat(), "ended": utc_now().isoformat(),
            "exit_code": outcome.exit_code, "message": outcome.message, "pages": summary.get("pages"),
            "bytes": summary.get("bytes"), "visits": summary.get("visits"), "changes": summary.get("changes"),
            "selected_posts": args.posts or None, "reason": args.reason,
        })
        if outcome.exit_code != ExitCode.PAUSED and history.paused:
            history.paused = None  # logged in again: the account runs normally from now on
            history.save()
    except OSError as exc:
        print(f"sma: warning: could not record the run in {history.dir}: {exc.strerror or exc}", file=sys.stderr)


def _update_search_index(archive: Path) -> None:
    """The new WARCs' posts and comments into each copy's search index (search/, docs/search.md);
    a failure here costs the index, which `sma index` rebuilds, never the capture."""
    from search.index import build_all

    try:
        build_all(archive)
    except Exception as exc:  # noqa: BLE001 - the capture is done and must stay reported as it went
        print(f"sma: warning: search index not updated ({exc}); run `sma index --archive {archive}`", file=sys.stderr)
