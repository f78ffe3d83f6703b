"""`sma hold add|list|release`: legal holds that stop destruction (docs/records.md)."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from archive.layout import ArchiveDir
from sma.commands.appraisal import error
from sma.exitcodes import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    hold = subparsers.add_parser("hold", help="legal holds: held information is never destroyed")
    sub = hold.add_subparsers(dest="hold_cmd", required=True)
    add = sub.add_parser("add", help="hold an account, a post or what matches query terms")
    add.add_argument("--archive", required=True)
    what = add.add_mutually_exclusive_group(required=True)
    what.add_argument("--account", help="registry account id")
    what.add_argument("--post", help="post URL")
    what.add_argument("--query", help="terms; a post is held when it has every one")
    add.add_argument("--reason", required=True, help="dispute, Woo request, inspection, ...")
    add.add_argument("--by", default=None, help="who (default: the OS user)")
    add.set_defaults(func=_add)
    lst = sub.add_parser("list", help="active holds")
    lst.add_argument("--archive", required=True)
    lst.add_argument("--all", action="store_true", help="also released holds (the whole history)")
    lst.set_defaults(func=_list)
    release = sub.add_parser("release", help="release a hold")
    release.add_argument("id")
    release.add_argument("--archive", required=True)
    release.add_argument("--reason", required=True)
    release.add_argument("--by", default=None)
    release.set_defaults(func=_release)


def _holds(archive: str):  # noqa: ANN202
    from records.holds import Holds

    if not ArchiveDir(archive).has_copy():
        raise ValueError(f"{archive} is not an SMA archive (no warcs/ folder)")
    return Holds(Path(archive))


def _add(args: argparse.Namespace) -> int:
    from records.holds import HoldError

    kind, value = next((k, v) for k, v in (("account", args.account), ("post", args.post),
                                            ("query", args.query)) if v)
    try:
        hold = _holds(args.archive).add(kind, value, args.reason, args.by or getpass.getuser())
    except (ValueError, HoldError) as exc:
        return error(str(exc))
    print(hold.id)
    return ExitCode.OK


def _list(args: argparse.Namespace) -> int:
    try:
        holds = _holds(args.archive)
    except ValueError as exc:
        return error(str(exc))
    if args.all:
        for row in holds.history():
            print(" ".join(f"{k}={v}" for k, v in row.items()))
        return ExitCode.OK
    for hold in holds.active():
        print(f"{hold.id}  {hold.kind}={hold.value}  {hold.at} by {hold.by}: {hold.reason}")
    return ExitCode.OK


def _release(args: argparse.Namespace) -> int:
    from records.holds import HoldError

    try:
        hold = _holds(args.archive).release(args.id, args.reason, args.by or getpass.getuser())
    except (ValueError, HoldError) as exc:
        return error(str(exc))
    print(f"released {hold.id}")
    return ExitCode.OK
