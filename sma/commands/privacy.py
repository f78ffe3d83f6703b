"""`sma export`, `sma keys init|show`, `sma ledger show`: the privacy side of an archive."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sma.config import TSA_URL
from sma.exitcodes import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser(
        "export",
        help="write an archive as a WACZ file",
        description="Writes DIR as a WACZ file. With --pseudonymised: the researcher's access copy "
        "(DIR/access, third parties pseudonymised, avatars neutral, screenshots covered). WITHOUT it: the "
        "authentic archive with all personal data of third parties -- for archivists only, never for "
        "publication or researchers.",
    )
    export.add_argument("archive", help="archive directory")
    export.add_argument("--out", required=True, help="output file, ending in .wacz")
    export.add_argument("--pseudonymised", action="store_true",
                        help="export the pseudonymised access copy (without: the authentic original, archivist only)")
    export.add_argument("--tsa-url", default=TSA_URL.get() or None, metavar="URL",
                        help="also get an RFC 3161 timestamp of the signature from this timestamp authority "
                        "(default: $SMA_TSA_URL; docs/fixity.md)")
    export.set_defaults(func=_export)

    keys = subparsers.add_parser("keys", help="the organisation's pseudonymisation key")
    keys_sub = keys.add_subparsers(dest="keys_cmd", required=True)
    init = keys_sub.add_parser("init", help="create the key file $SMA_KEYS_DIR/<organisation>.key (0600)")
    init.add_argument("--organisation", required=True, help="organisation id")
    init.add_argument("--force", action="store_true", help="replace an existing key (rotation; see docs/privacy.md)")
    init.set_defaults(func=_keys_init)
    show = keys_sub.add_parser("show", help="where the key is and its fingerprint (never the key)")
    show.add_argument("--organisation", required=True, help="organisation id")
    show.set_defaults(func=_keys_show)

    ledger = subparsers.add_parser("ledger", help="the encrypted PII ledger of a crawl (Woo review)")
    ledger_sub = ledger.add_subparsers(dest="ledger_cmd", required=True)
    lshow = ledger_sub.add_parser("show", help="decrypt and list a crawl's findings (needs the organisation's key)")
    lshow.add_argument("archive", help="archive directory")
    lshow.add_argument("--crawl", required=True, help="crawl id (a folder in DIR/crawls/)")
    lshow.add_argument("--organisation", help="organisation id (default: the one the crawl used)")
    lshow.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    lshow.set_defaults(func=_ledger_show)


def _error(message: str, code: int = ExitCode.FAILED) -> int:
    print(f"sma: error: {message}", file=sys.stderr)
    return code


def _export(args: argparse.Namespace) -> int:
    from crawler.privacy.export import ExportError, export_wacz, validate_wacz

    try:
        out = export_wacz(Path(args.archive), Path(args.out), args.pseudonymised,
                          tsa_url=getattr(args, "tsa_url", None))
    except ExportError as exc:
        return _error(str(exc))
    ok, detail = validate_wacz(out)
    if not ok:
        return _error(f"{out} does not validate: {detail.splitlines()[-1] if detail else 'wacz validate failed'}")
    what = "pseudonymised access copy" if args.pseudonymised else "AUTHENTIC archive (archivist only)"
    stamped = ", RFC 3161 timestamp from " + args.tsa_url if getattr(args, "tsa_url", None) else ""
    print(f"{out}: {what}, {out.stat().st_size / 1e6:.1f} MB, wacz validate: ok{stamped}")
    return ExitCode.OK


def _keys_init(args: argparse.Namespace) -> int:
    from crawler.privacy.keys import KeyProblem, init_key, load_keys

    try:
        path = init_key(args.organisation, force=args.force)
        keys = load_keys(args.organisation)
    except KeyProblem as exc:
        return _error(str(exc), ExitCode.BAD_INPUT)
    print(f"{path}: key for organisation {args.organisation!r}, fingerprint {keys.fingerprint}; back it up")
    return ExitCode.OK


def _keys_show(args: argparse.Namespace) -> int:
    from crawler.privacy.keys import KeyProblem, load_keys

    try:
        keys = load_keys(args.organisation)
    except KeyProblem as exc:
        return _error(str(exc), ExitCode.BAD_INPUT)
    print(f"organisation {args.organisation!r}: key from {keys.source}, fingerprint {keys.fingerprint}")
    return ExitCode.OK


def _ledger_show(args: argparse.Namespace) -> int:
    from crawler.privacy.keys import KeyProblem, load_keys
    from crawler.privacy.ledger import LEDGER_NAME, LedgerError, read_entries

    crawl_dir = Path(args.archive) / "crawls" / args.crawl
    if not crawl_dir.is_dir():
        return _error(f"no crawl {args.crawl!r} in {args.archive}", ExitCode.BAD_INPUT)
    organisation = args.organisation
    summary_file = crawl_dir / "privacy.json"
    summary = json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.exists() else {}
    organisation = organisation or summary.get("organisation") or "default"
    try:
        keys = load_keys(organisation)
        if summary.get("key_fingerprint") and summary["key_fingerprint"] != keys.fingerprint:
            return _error(f"crawl {args.crawl} was pseudonymised with key {summary['key_fingerprint']}; "
                          f"this key is {keys.fingerprint} (a rotated key? see docs/privacy.md)")
        entries = read_entries(crawl_dir / LEDGER_NAME, keys.fernet())
    except (KeyProblem, LedgerError) as exc:
        return _error(str(exc))
    if args.json:
        for entry in entries:
            print(json.dumps(entry, ensure_ascii=False))
        return ExitCode.OK
    for e in entries:
        where = ",".join(f"{k}={v}" for k, v in e["location"].items())
        print(f"{e['type']:<10} {e['pseudonym'][:40]:<40} {e['value'][:40]!r:<42} {where:<24} {e['target_uri']}")
    print(f"{len(entries)} findings", file=sys.stderr)
    return ExitCode.OK
