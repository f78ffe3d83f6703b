"""`sma woo request create|list`, `sma woo export REQUEST --archive DIR --out DIR`."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sma.cli_common import add_archive, archive_dir, command, reported
from sma.exitcodes import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    woo = subparsers.add_parser("woo", help="Woo requests: review in `sma replay` (woo-officer), export the package")
    woo_sub = woo.add_subparsers(dest="woo_cmd", required=True)

    request = woo_sub.add_parser("request", help="create or list Woo requests")
    request_sub = request.add_subparsers(dest="woo_request_cmd", required=True)
    create = request_sub.add_parser("create", help="create a Woo request (subject, period)")
    add_archive(create)
    create.add_argument("--subject", required=True, help="what the request is about; its words are the search terms")
    create.add_argument("--from", dest="period_from", required=True, metavar="YYYY-MM-DD", help="period start")
    create.add_argument("--to", dest="period_to", required=True, metavar="YYYY-MM-DD", help="period end (inclusive)")
    create.add_argument("--by", default=None, help="who creates it (default: the OS user)")
    create.set_defaults(func=_create)
    lst = request_sub.add_parser("list", help="list the archive's Woo requests")
    add_archive(lst)
    lst.set_defaults(func=_list)

    export = woo_sub.add_parser(
        "export", help="write the disclosure package of a request: redacted PDFs, inventory, redacted WACZ",
        description="Per approved page a redacted PDF, the inventory (inventaris.csv, inventaris.html) and a "
        "redacted WACZ of the public records, into an empty folder. The package is searched for every PII value "
        "of the pages' ledgers before it is kept; needs the organisation's key.")
    export.add_argument("request", help="Woo request id (woo-YYYYMMDD-xxxxxx)")
    add_archive(export)
    export.add_argument("--out", required=True, help="output folder (new or empty)")
    export.add_argument("--by", default=None, help="who exports (audit log; default: the OS user)")
    export.set_defaults(func=_export)


def _audit(archive: Path, user: str, action: str, target: str, detail: object) -> None:
    from replay.audit import AuditLog

    AuditLog(archive).append(user, "cli", action, target, detail)


@command
def _create(args: argparse.Namespace) -> int:
    from replay.woo.model import WooError, WooStore, new_request

    archive = archive_dir(args.archive)
    user = args.by or getpass.getuser()
    with reported(WooError, code=ExitCode.BAD_INPUT):
        woo = WooStore(archive).create(new_request(args.subject, args.period_from, args.period_to, user))
    _audit(archive, user, "woo-request", woo.id, {"subject": woo.subject, "from": woo.period_from,
                                                   "to": woo.period_to})
    from replay.records_views import hold_woo_pages  # a running Woo request stops destruction (as in the UI)

    holds = hold_woo_pages(archive, woo, user)
    print(woo.id)
    print(f"{woo.id}: legal hold on {len(holds)} post page(s) (sma hold list --archive {archive})", file=sys.stderr)
    return ExitCode.OK


@command
def _list(args: argparse.Namespace) -> int:
    from replay.woo.model import WooStore

    archive = archive_dir(args.archive)
    for woo in WooStore(archive).all():
        approved = sum(p.status == "approved" for p in woo.pages.values())
        print(f"{woo.id}  {woo.period_from}..{woo.period_to}  {woo.status:<8} {approved} approved  {woo.subject}")
    return ExitCode.OK


@command
def _export(args: argparse.Namespace) -> int:
    from crawler.privacy.keys import KeyProblem
    from crawler.privacy.ledger import LedgerError
    from replay.woo.export import export
    from replay.woo.model import WooError

    archive = archive_dir(args.archive)
    user = args.by or getpass.getuser()
    with reported(WooError, KeyProblem, LedgerError):
        try:
            result = export(archive, args.request, Path(args.out))
        except WooError as exc:
            _audit(archive, user, "export-failed", args.request, {"reason": str(exc)})
            raise
    _audit(archive, user, "export", args.request, {
        "out": str(result.out_dir), "documents": [(r.document, r.judgement, r.grounds) for r in result.rows],
        "files": [p.name for p in result.files], "checked_values": result.checked_values})
    for row in result.rows:
        print(f"{row.document}  {row.judgement:<15} {', '.join(row.grounds) or '-':<20} {row.file}")
    print(f"{result.out_dir}: {len(result.files)} files; no PII value found ({result.checked_values} values checked)")
    return ExitCode.OK
