"""`sma verify FILE.wacz` and `sma verify --archive DIR [--seal]`: signatures and fixity (docs/fixity.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sma.exitcodes import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    verify = subparsers.add_parser(
        "verify", help="check a signed WACZ, or every digest of an archive against its fixity manifest",
        description="With FILE.wacz: every resource hash, datapackage-digest.json and the signature. With "
        "--archive DIR: every file against DIR/.sma/fixity.jsonl and every WARC record's digests; --seal adds "
        "manifest lines for files not yet in it (indexes, ledgers, WARCs written by other tools).")
    verify.add_argument("wacz", nargs="?", help="a .wacz file to check")
    verify.add_argument("--archive", help="archive directory to check")
    verify.add_argument("--seal", action="store_true", help="first record every new or changed file in the manifest")
    verify.add_argument("--public-key", help="PEM file of the key the WACZ must be signed with")
    verify.set_defaults(func=_verify)


def _error(message: str, code: int = ExitCode.BAD_INPUT) -> int:
    print(f"sma: error: {message}", file=sys.stderr)
    return int(code)


def _verify(args: argparse.Namespace) -> int:
    if bool(args.wacz) == bool(args.archive):
        return _error("give either FILE.wacz or --archive DIR")
    if args.wacz:
        return _verify_wacz(Path(args.wacz), args.public_key)
    return _verify_archive(Path(args.archive), args.seal)


def _verify_wacz(path: Path, public_key: str | None) -> int:
    from records.wacz_sign import verify_wacz

    if not path.is_file():
        return _error(f"{path}: no such file")
    expected = None
    if public_key:
        try:
            expected = Path(public_key).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            return _error(f"{public_key}: cannot read ({exc})")
    check = verify_wacz(path, expected)
    for problem in check.problems:
        print(f"FAIL {path.name}: {problem}")
    if not check.ok:
        print(f"{path}: NOT verified ({len(check.problems)} problem(s))", file=sys.stderr)
        return int(ExitCode.FAILED)
    print(f"{path}: ok, {check.checked} resources match datapackage.json, datapackage digest ok, "
          f"signature valid (key {check.signed_by})")
    return 0


def _verify_archive(archive: Path, seal_first: bool) -> int:
    import time

    from records.fixity import seal, verify

    if not (archive / "warcs").is_dir():
        return _error(f"{archive} is not an SMA archive (no warcs/ folder)")
    if seal_first:
        added = seal(archive)
        print(f"sealed {len(added)} new or changed file(s) into {archive / '.sma' / 'fixity.jsonl'}")
    started = time.monotonic()
    report = verify(archive)
    seconds = max(time.monotonic() - started, 1e-6)
    for problem in report.problems:
        print(f"FAIL {problem.line()}")
    for rel in report.unsealed:
        print(f"unsealed {rel} (not in the manifest; `sma verify --archive DIR --seal` records it)")
    summary = (f"{report.files} files, {report.records} WARC records, {report.bytes / 1e6:.1f} MB in {seconds:.1f} s "
               f"({report.bytes / 1e6 / seconds:.1f} MB/s)")
    if not report.ok:
        print(f"{archive}: FIXITY FAILED, {len(report.problems)} problem(s); {summary}", file=sys.stderr)
        return int(ExitCode.FAILED)
    print(f"{archive}: ok, {summary}" + (f"; {len(report.unsealed)} unsealed" if report.unsealed else ""))
    return 0
