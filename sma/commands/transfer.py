"""`sma transfer`: an MDTO transfer package (SIP) of what is kept permanently (docs/transfer.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from archive.layout import ArchiveDir
from sma.exitcodes import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    from sma.commands.appraisal import add_context_arguments

    transfer = subparsers.add_parser(
        "transfer", help="write an MDTO SIP (sidecar layout, pakbon) of the posts to be transferred",
        description="Writes OUT/<sip>/ as the Nationaal Archief's MDTO-SIP-specificatie asks: per account a series, "
        "per post a record with its own WARC, screenshot and JSON, each with an MDTO sidecar validated against the "
        "official XSD, and a pakbon. Only waardering B (blijvend te bewaren) unless --include-temporary.")
    add_context_arguments(transfer)
    transfer.add_argument("--out", required=True, help="folder to write the SIP into")
    transfer.add_argument("--account", help="only this registry account")
    transfer.add_argument("--until", help="only posts published on or before this date (YYYY-MM-DD)")
    transfer.add_argument("--pseudonymised", action="store_true",
                          help="transfer the pseudonymised access copy (default: the authentic original)")
    transfer.add_argument("--collection", default="", help="where the receiving archive places it (pakbon)")
    transfer.add_argument("--contact", default="", help="contact person / e-mail for the pakbon")
    transfer.add_argument("--include-temporary", action="store_true", help="also V and N objects")
    transfer.add_argument("--no-wacz", action="store_true",
                          help="no signed WACZ per series (default: each account also as one WACZ of its posts)")
    transfer.add_argument("--restriction-term", default="P75Y", metavar="DURATION",
                          help="beperkingGebruikTermijn of restricted objects, ISO 8601 (default P75Y: Archiefwet "
                          "1995 art. 15 lid 3's maximum)")
    transfer.set_defaults(func=_transfer)


def _error(message: str, code: int = ExitCode.BAD_INPUT) -> int:
    print(f"sma: error: {message}", file=sys.stderr)
    return int(code)


def _transfer(args: argparse.Namespace) -> int:
    from records.transfer.mdto import InvalidMDTO
    from records.transfer.package import TransferError, TransferOptions, build_sip
    from sma.commands.appraisal import appraise

    try:
        until = date.fromisoformat(args.until) if args.until else None
    except ValueError:
        return _error(f"--until {args.until!r} is not a date (YYYY-MM-DD)")
    from records.selection import SelectionListError, add_duration

    try:
        add_duration(date(2000, 1, 1), args.restriction_term)
    except SelectionListError:
        return _error(f"--restriction-term {args.restriction_term!r} is not an ISO 8601 duration (e.g. P75Y)")
    try:
        archive, registry, objects = appraise(args)
    except ValueError as exc:
        return _error(str(exc))
    if args.account and not any(o.account_id == args.account for o in objects):
        return _error(f"no account {args.account!r} in {archive}")
    if args.pseudonymised and not ArchiveDir(archive).has_copy("access"):
        return _error(f"{archive} has no pseudonymised access copy (crawl with privacy on)")
    options = TransferOptions(
        organisation_id=registry.organisation.id, organisation_name=registry.organisation.name,
        pseudonymised=args.pseudonymised, account=args.account, until=until, collection=args.collection,
        contact=args.contact, include_temporary=args.include_temporary, wacz=not args.no_wacz,
        restriction_term=args.restriction_term)
    try:
        sip = build_sip(archive, objects, Path(args.out), options)
    except TransferError as exc:
        return _error(str(exc))
    except InvalidMDTO as exc:
        return _error(f"refused: {exc} does not validate against MDTO 1.0.1; nothing was written", ExitCode.FAILED)
    sidecars = len(list(sip.rglob("*.MDTO.xml")))
    copy = "pseudonymised" if args.pseudonymised else "AUTHENTIC (restricted: third parties' personal data)"
    print(f"{sip}: MDTO SIP, {copy} copy, {sidecars} MDTO files valid against the XSD, pakbon.xml")
    return ExitCode.OK
