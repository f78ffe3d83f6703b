"""WACZ export of an archive: the researcher's pseudonymised access copy, or the authentic original.

The WACZ is made by py-wacz (`wacz create`) from the closed WARC files and the pages list: with
`pseudonymised`, `DIR/access/warcs/` and `DIR/access/pages.jsonl` (URLs and titles already
pseudonymised when the access copy was written); without, `DIR/warcs/` and `DIR/pages.jsonl`.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from records.wacz_sign import wacz_tool

from ..archive.pages import HEADER, read_pages
from ..archive.read import warc_files
from .derivative import ACCESS_DIRNAME


class ExportError(Exception):
    """Nothing to export, or py-wacz refused: one line for the user."""


def export_wacz(archive_dir: Path, out: Path, pseudonymised: bool, sign: bool = True,
                tsa_url: str | None = None) -> Path:
    """With `sign`, the WACZ is signed with the organisation's key (records/wacz_sign.py, docs/fixity.md)."""
    archive_dir = Path(archive_dir)
    if not (archive_dir / "warcs").is_dir():
        raise ExportError(f"{archive_dir} is not an SMA archive (no warcs/ folder)")
    source = archive_dir / ACCESS_DIRNAME if pseudonymised else archive_dir
    warcs = warc_files(source)
    if not warcs:
        what = "no pseudonymised access copy (crawl with privacy on)" if pseudonymised else "no WARC files"
        raise ExportError(f"{archive_dir} has {what}")
    pages = list(read_pages(source))
    if not pages:
        raise ExportError(f"{source / 'pages.jsonl'} lists no pages")
    out = Path(out)
    if out.suffix != ".wacz":
        raise ExportError(f"the output file must end in .wacz: {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    title = "SMA access copy (pseudonymised)" if pseudonymised else "SMA archive (authentic, archivist only)"
    with tempfile.TemporaryDirectory(prefix="sma-export-") as tmp:
        pages_file = Path(tmp) / "pages.jsonl"
        with open(pages_file, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({**HEADER, "title": title}) + "\n")
            for row in pages:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        proc = subprocess.run(
            [*wacz_tool(), "create", "-o", str(out), "-p", str(pages_file), "--title", title, *map(str, warcs)],
            capture_output=True, text=True,
        )
    if proc.returncode != 0 or not out.exists():
        last = (proc.stderr or proc.stdout).strip().splitlines()
        raise ExportError(f"wacz create failed: {last[-1] if last else 'exit ' + str(proc.returncode)}")
    if sign:
        _sign(out, archive_dir, tsa_url)
    return out


def _sign(out: Path, archive_dir: Path, tsa_url: str | None = None) -> None:
    """Signed by the organisation's key (and timestamped by `tsa_url`); on failure no unsigned WACZ is
    left where a signed one was asked for (records.wacz_sign.sign_wacz_file fails closed)."""
    from records.wacz_sign import SigningError, sign_wacz_file

    try:
        sign_wacz_file(out, archive_dir, tsa_url)
    except SigningError as exc:
        raise ExportError(str(exc)) from None


def validate_wacz(path: Path) -> tuple[bool, str]:
    proc = subprocess.run([*wacz_tool(), "validate", "-f", str(path)], capture_output=True, text=True)
    return proc.returncode == 0 and "succeeded" in proc.stdout, (proc.stdout + proc.stderr).strip()
