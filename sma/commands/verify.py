"""`sma verify FILE.wacz` and `sma verify --archive DIR [--seal]`: signatures and fixity (docs/fixity.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from archive.layout import ArchiveDir
from sma.config import ORGANISATION
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
    verify.add_argument("--public-key", help="PEM file of the key the WACZ (or the archive's manifest "
                        "checkpoints) must be signed with")
    verify.add_argument("--tsa-cert", help="PEM/DER certificate of the trusted timestamp authority: a WACZ's "
                        "RFC 3161 timestamp must be signed by it or by a certificate it issued")
    verify.add_argument("--checkpoint", action="store_true",
                        help="after a clean check, sign a checkpoint of the fixity manifest with the organisation's "
                        "key ($SMA_ORGANISATION), so that a rewritten manifest line is found later")
    verify.set_defaults(func=_verify)


def _error(message: str, code: int = ExitCode.BAD_INPUT) -> int:
    print(f"sma: error: {message}", file=sys.stderr)
    return int(code)


def _verify(args: argparse.Namespace) -> int:
    if bool(args.wacz) == bool(args.archive):
        return _error("give either FILE.wacz or --archive DIR")
    if args.wacz:
        return _verify_wacz(Path(args.wacz), args.public_key, args.tsa_cert)
    return _verify_archive(Path(args.archive), args.seal, args.checkpoint, args.public_key)


def _verify_wacz(path: Path, public_key: str | None, tsa_cert: str | None = None) -> int:
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
    stamp = _timestamp(path, tsa_cert, check.problems)
    if isinstance(stamp, int):
        return stamp
    for problem in check.problems:
        print(f"FAIL {path.name}: {problem}")
    if not check.ok:
        print(f"{path}: NOT verified ({len(check.problems)} problem(s))", file=sys.stderr)
        return int(ExitCode.FAILED)
    print(f"{path}: ok, {check.checked} resources match datapackage.json, datapackage digest ok, "
          f"signature valid (key {check.signed_by})")
    if stamp is not None:
        print(f"{path}: RFC 3161 timestamp valid: signed at {stamp.time.isoformat()} by TSA {stamp.tsa}"
              + (" (trusted certificate)" if tsa_cert else " (certificate in the token; pin it with --tsa-cert)"))
    return ExitCode.OK


def _timestamp(path: Path, tsa_cert: str | None, problems: list[str]):  # noqa: ANN202 - TimestampCheck | None | int
    """The WACZ's RFC 3161 timestamp check (records/timestamp.py), its problems added to `problems`; an
    exit code when --tsa-cert cannot be read."""
    import hashlib
    import zipfile

    from records.timestamp import TimestampError, check_wacz_timestamp, load_trusted_cert, read_signed_data

    trusted = None
    if tsa_cert:
        try:
            trusted = load_trusted_cert(tsa_cert)
        except (OSError, TimestampError) as exc:
            return _error(f"{tsa_cert}: cannot read a TSA certificate ({exc})")
    try:
        with zipfile.ZipFile(path) as zin:
            signed = read_signed_data(zin)
            package_hash = "sha256:" + hashlib.sha256(zin.read("datapackage.json")).hexdigest()
    except (OSError, KeyError, ValueError, AttributeError, zipfile.BadZipFile):
        return None  # verify_wacz already names what is unreadable
    if not isinstance(signed, dict):
        return None
    stamp = check_wacz_timestamp(signed, package_hash, trusted)
    if stamp is not None:
        problems.extend(stamp.problems)
    elif trusted is not None:
        problems.append("timeSignature: no RFC 3161 timestamp, but --tsa-cert asks for one")
    return stamp


def _verify_archive(archive: Path, seal_first: bool, checkpoint: bool = False, public_key: str | None = None) -> int:
    import time

    from records.fixity import seal, verify
    from records.fixity_checkpoint import check_checkpoints

    if not ArchiveDir(archive).has_copy():
        return _error(f"{archive} is not an SMA archive (no warcs/ folder)")
    expected = None
    if public_key:
        from records.wacz_sign import _normalise_public

        try:
            expected = _normalise_public(Path(public_key).read_text(encoding="ascii"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return _error(f"{public_key}: cannot read a public key ({exc})")
    if seal_first:
        added = seal(archive)
        print(f"sealed {len(added)} new or changed file(s) into {archive / '.sma' / 'fixity.jsonl'}")
    started = time.monotonic()
    report = verify(archive)
    signed_problems, checkpoints = check_checkpoints(archive, expected)
    report.problems += signed_problems
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
    print(f"{archive}: ok, {summary}" + (f"; {len(report.unsealed)} unsealed" if report.unsealed else "")
          + (f"; {checkpoints} signed manifest checkpoint(s) hold" if checkpoints else ""))
    if checkpoint:
        return _checkpoint(archive)
    return ExitCode.OK


def _checkpoint(archive: Path) -> int:
    from records.fixity_checkpoint import write_checkpoints
    from records.wacz_sign import SigningError, key_fingerprint, load_signing_key, public_key_b64

    organisation = ORGANISATION.get()
    try:
        key = load_signing_key(organisation, archive_dir=archive)
        written = write_checkpoints(archive, key)
    except (SigningError, OSError) as exc:
        return _error(f"no checkpoint written: {exc}", ExitCode.FAILED)
    for entry in written:
        print(f"checkpoint: {entry['copy']} manifest, {entry['size']} bytes, {entry['sha256']}, signed by key "
              f"{key_fingerprint(public_key_b64(key.public_key()))}")
    return ExitCode.OK
