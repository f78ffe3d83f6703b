"""`sma dataset --archive DIR --out DIR [--account] [--from --until] [--pseudonymised | --original]`."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from archive.layout import ArchiveDir
from sma.exitcodes import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    dataset = subparsers.add_parser(
        "dataset", help="posts and comments as research data (JSON Lines, CSV, README, datapackage.json)",
        description="One row per post and per comment (id, parent id, author, text, time, counts, media, platform, "
        "the WARC record it came from). Pseudonymised (the access copy) unless --original is given, which holds "
        "citizens' personal data: for archivists only, and recorded in the audit log.")
    dataset.add_argument("--archive", required=True, help="archive directory")
    dataset.add_argument("--out", required=True, help="output folder (new or empty)")
    dataset.add_argument("--account", help="only this account (its id in the archive)")
    dataset.add_argument("--from", dest="since", metavar="YYYY-MM-DD", help="published on or after")
    dataset.add_argument("--until", metavar="YYYY-MM-DD", help="published on or before")
    which = dataset.add_mutually_exclusive_group()
    which.add_argument("--pseudonymised", action="store_true", help="the pseudonymised access copy (the default)")
    which.add_argument("--original", action="store_true",
                       help="the ORIGINAL copy, with names and personal data (archivist role)")
    dataset.add_argument("--by", default=None, help="who asks (audit log; default: the OS user)")
    dataset.set_defaults(func=_dataset)


def _error(message: str, code: int = ExitCode.FAILED) -> int:
    print(f"sma: error: {message}", file=sys.stderr)
    return code


def _dataset(args: argparse.Namespace) -> int:
    from search.copies import SearchError
    from search.dataset import DatasetOptions, write_dataset

    archive = Path(args.archive)
    if not ArchiveDir(archive).has_copy():
        return _error(f"not an archive (no warcs/ folder): {args.archive}", ExitCode.BAD_INPUT)
    options = DatasetOptions(copy="original" if args.original else "access", account=args.account,
                             since=args.since, until=args.until)
    try:
        result = write_dataset(archive, Path(args.out), options)
    except SearchError as exc:
        return _error(str(exc), ExitCode.BAD_INPUT)
    except OSError as exc:
        return _error(f"cannot write the dataset: {exc}")
    from replay.audit import AuditLog

    AuditLog(archive).append(args.by or getpass.getuser(), "cli", "dataset", options.copy,
                             {"account": options.account, "from": options.since, "until": options.until,
                              "rows": result.rows, "out": str(Path(args.out).resolve())})
    label = "ORIGINAL (with personal data)" if args.original else "pseudonymised"
    print(f"sma: dataset ({label}): {result.posts} posts, {result.comments} comments -> {result.folder}")
    return ExitCode.OK
