"""`sma destroy list|approve|run`: destruction with accountability (docs/records.md)."""

from __future__ import annotations

import argparse
import getpass
from datetime import date
from pathlib import Path

from sma.commands.appraisal import add_context_arguments, appraise, error
from sma.exitcodes import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    destroy = subparsers.add_parser("destroy", help="propose, approve and run destruction lists")
    sub = destroy.add_subparsers(dest="destroy_cmd", required=True)
    lst = sub.add_parser("list", help="propose a vernietigingslijst of posts whose term ended by --due")
    add_context_arguments(lst)
    lst.add_argument("--due", required=True, metavar="YYYY-MM-DD|today|end-of-year|YYYY",
                     help="terms ended on or before this day; 'end-of-year' (31 December this year) or a year "
                     "(its 31 December) for the yearly destruction round, e.g. from cron on 1 December")
    lst.add_argument("--by", default=None)
    lst.set_defaults(func=_list)
    approve = sub.add_parser("approve", help="an archivist approves a list (audited)")
    approve.add_argument("list", help="list id or file")
    approve.add_argument("--archive", required=True)
    approve.add_argument("--by", required=True, help="the approving archivist")
    approve.set_defaults(func=_approve)
    run = sub.add_parser("run", help="destroy an approved list's posts in every WARC, index, ledger, history")
    run.add_argument("list", help="list id or file")
    run.add_argument("--archive", required=True)
    run.add_argument("--by", default=None)
    run.add_argument("--organisation", default=None, help="whose key opens the PII ledgers (default: default)")
    run.set_defaults(func=_run)


def due_date(value: str, today: date) -> date:
    """The --due day: a date, `today`, `end-of-year` (31 December of this year) or a year."""
    if value == "today":
        return today
    if value == "end-of-year":
        return date(today.year, 12, 31)
    if value.isdigit() and len(value) == 4:
        return date(int(value), 12, 31)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--due {value!r} is not a date (YYYY-MM-DD), 'today', 'end-of-year' or a year") from None


def _list(args: argparse.Namespace) -> int:
    from records.appraisal import post_texts
    from records.destroy import propose

    try:
        due = due_date(args.due, date.today())
        archive, _, objects = appraise(args)
    except ValueError as exc:
        return error(str(exc))
    path = propose(archive, objects, post_texts(archive), due, args.by or getpass.getuser())
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    for item in data["items"]:
        print(f"{item['url']}  {item['category_code']}  term ended {item['term_end']}")
    for item in data["held"]:
        print(f"held, not proposed: {item['id'][5:]}  ({', '.join(item['holds'])})")
    print(f"{data['id']}: {len(data['items'])} posts proposed, {len(data['held'])} held; {path}")
    return ExitCode.OK


def _approve(args: argparse.Namespace) -> int:
    from records.destroy import DestroyError, approve

    try:
        data = approve(Path(args.archive), args.list, args.by)
    except DestroyError as exc:
        return error(str(exc))
    print(f"{data['id']}: approved by {args.by} ({len(data['items'])} posts)")
    return ExitCode.OK


def _run(args: argparse.Namespace) -> int:
    from crawler.privacy.keys import DEFAULT_ORGANISATION, KeyProblem, load_keys
    from records.appraisal import post_texts
    from records.destroy import DestroyError, Run

    archive = Path(args.archive)
    try:
        fernet = load_keys(args.organisation or DEFAULT_ORGANISATION, archive_dir=archive).fernet()
    except KeyProblem as exc:
        return error(f"cannot open the PII ledgers, nothing destroyed: {exc}")
    try:
        statement = Run(archive, args.list, args.by or getpass.getuser(), fernet, post_texts(archive)).run()
    except DestroyError as exc:
        return error(str(exc))
    print(f"destroyed {len(statement['destroyed'])} posts, {statement['records_removed']} records in "
          f"{len(statement['files'])} files; verklaring: {archive / statement['file']}")
    return ExitCode.OK
