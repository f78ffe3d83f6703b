"""`sma session import|list|remove`: login sessions (Playwright storage states) outside the archive."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sma.exitcodes import ExitCode
from sma.sessions import SessionError, import_session, list_sessions, remove_session, sessions_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    session = subparsers.add_parser("session", help="login sessions for accounts that need one")
    sub = session.add_subparsers(dest="session_cmd", required=True)

    imp = sub.add_parser("import", help="store a Playwright storage_state.json as a named session (0600)")
    imp.add_argument("name", help="session name (letters, digits, '_' and '-')")
    imp.add_argument("file", help="storage state JSON (Playwright context.storage_state())")
    imp.set_defaults(func=_import)

    listing = sub.add_parser("list", help="stored sessions: names, cookie domains, file mode (never values)")
    listing.set_defaults(func=_list)

    remove = sub.add_parser("remove", help="delete a stored session")
    remove.add_argument("name")
    remove.set_defaults(func=_remove)


def _fail(exc: Exception) -> int:
    print(f"sma: error: {exc}", file=sys.stderr)
    return ExitCode.BAD_INPUT


def _import(args: argparse.Namespace) -> int:
    try:
        path = import_session(args.name, Path(args.file))
    except (SessionError, OSError) as exc:
        return _fail(exc)
    print(f"session {args.name!r} stored in {path} (mode 0600)")
    return ExitCode.OK


def _list(args: argparse.Namespace) -> int:
    try:
        sessions = list_sessions()
    except OSError as exc:
        return _fail(exc)
    if not sessions:
        print(f"no sessions in {sessions_dir()}")
        return ExitCode.OK
    for info in sessions:
        if info.problem:
            detail = info.problem
        else:
            expires = (time.strftime("%Y-%m-%d", time.gmtime(info.expires)) if info.expires else "end of session")
            domains = ", ".join(info.domains) or "-"
            detail = f"{info.cookie_count} cookies ({domains}), {len(info.origins)} origins, first expiry {expires}"
        print(f"{info.name}  mode {info.mode:04o}  {detail}")
    return ExitCode.OK


def _remove(args: argparse.Namespace) -> int:
    try:
        path = remove_session(args.name)
    except (SessionError, OSError) as exc:
        return _fail(exc)
    print(f"session {args.name!r} removed ({path})")
    return ExitCode.OK
