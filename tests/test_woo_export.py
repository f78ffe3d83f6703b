"""`sma woo export`: the disclosure package of a Woo request -- redacted PDFs (text layer and metadata
read with pypdf), the inventory (CSV and HTML), a WACZ that `wacz validate` accepts, and no PII byte in
any file of the package (the WACZ unzipped, its WARCs decompressed)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import run_sma
from pypdf import PdfReader
from woo_support import WooArchive, byte_forms, pii_hits, pii_values
from woo_support import woo_archive as woo_archive  # noqa: F401 - the session fixture

from replay.gateway_types import GatewayRequest


class _PublicViewNotServed:
    """This test reads the package, not the public replay: approving has no pywb view to refresh."""

    def refresh(self, name: str) -> None:
        self.refreshed = name

    def internal_url(self, name: str) -> str:
        raise AssertionError("the Woo module never needs a view's internal URL here")


def _call(archive: Path, method: str, path: str, form: dict[str, str] | None = None):  # noqa: ANN202
    from replay.woo.app import handle

    audited: list[tuple] = []
    response = handle(GatewayRequest(method=method, path=path, query={}, form=form or {}, user="officer",
                                     role="woo-officer", csrf_token="t", archive_dir=archive,
                                     audit=lambda *entry: audited.append(entry), views=_PublicViewNotServed()))
    assert response.status in (200, 303), response.body[:500]
    return response, audited


def _plain_words(post: dict) -> str:
    for comment in post["comments"]:
        words = comment["text"].split()
        if not comment["pii"] and "@" not in comment["text"] and len(words) >= 6:
            return " ".join(words[1:5])
    raise AssertionError("no plain comment")


@pytest.fixture(scope="module")
def package(woo_archive: WooArchive, tmp_path_factory: pytest.TempPathFactory,  # noqa: F811
            monkeypatch_module: pytest.MonkeyPatch) -> dict:
    archive = woo_archive.archive
    for name, value in woo_archive.env.items():
        monkeypatch_module.setenv(name, value)
    today = datetime.now(UTC).date().isoformat()
    made = run_sma("woo", "request", "create", "--archive", str(archive), "--subject", "Woo export test",
                   "--from", today, "--to", today, "--by", "officer", env=woo_archive.env)
    assert made.returncode == 0, made.stderr
    rid = made.stdout.strip()
    pages = [json.loads(line) for line in (archive / "access" / "pages.jsonl").read_text().splitlines()[1:]]
    by_post = {p["url"].rsplit("/", 1)[1]: p["id"] for p in pages}
    approved, refused = (by_post[post["url"].rsplit("/", 1)[1]] for post in woo_archive.posts)
    base = f"/_sma/woo/requests/{rid}/pages"
    selected = _plain_words(woo_archive.posts[0])
    _call(archive, "POST", f"{base}/{approved}/text", {"text": selected, "ground": "5.1.2a",
                                                         "boxes": "[[100, 200, 80, 16]]"})
    _call(archive, "POST", f"{base}/{approved}/region", {"x": "20", "y": "30", "w": "300", "h": "60",
                                                           "ground": "5.1.2i"})
    _call(archive, "POST", f"{base}/{approved}/acceptrest", {"ground": "5.1.2e"})
    _, audited = _call(archive, "POST", f"{base}/{approved}/approve")
    assert audited[0][0] == "approval"
    _call(archive, "POST", f"{base}/{refused}/acceptrest", {"ground": "5.1.2e"})  # reviewed, never approved

    out = tmp_path_factory.mktemp("woo-package") / "pakket"
    proc = run_sma("woo", "export", rid, "--archive", str(archive), "--out", str(out), "--by", "officer",
                   env=woo_archive.env)
    assert proc.returncode == 0, proc.stderr
    return {"rid": rid, "out": out, "selected": selected, "stdout": proc.stdout, "archive": archive}


@pytest.fixture(scope="module")
def monkeypatch_module():  # noqa: ANN201
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_pdf_per_approved_page_with_grounds_and_clean_metadata(package: dict) -> None:
    pdfs = sorted(package["out"].glob("*.pdf"))
    assert len(pdfs) == 1 and re.fullmatch(rf"{package['rid']}-\d{{3}}\.pdf", pdfs[0].name), pdfs
    reader = PdfReader(str(pdfs[0]))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "[5.1.2e]" in text  # the accepted items' black boxes carry their ground
    assert "5.1.2a" in text and "5.1.2i" in text  # the hand-selected text and the drawn region
    assert package["selected"] not in text
    meta = {k: str(v) for k, v in reader.metadata.items()}
    assert meta["/Title"] == f"Woo-verzoek {package['rid']}, document {pdfs[0].stem}"
    assert meta["/Author"] == "SMA Woo-publicatie" and meta["/Subject"] == f"Woo-verzoek {package['rid']}"
    assert "Burger-" not in json.dumps(meta) and "demo.social" not in json.dumps(meta)  # no page title, no names


def test_inventory_rows_and_judgements(package: dict) -> None:
    with open(package["out"] / "inventaris.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["Beoordeling"] for r in rows) == ["Deels openbaar", "Niet openbaar"]
    public = next(r for r in rows if r["Beoordeling"] == "Deels openbaar")
    assert public["Gronden"].split("; ") == ["5.1.2a", "5.1.2e", "5.1.2i"]
    assert public["Bestand"].endswith(".pdf") and public["Datum"] == datetime.now(UTC).date().isoformat()
    assert public["Documentnummer"].startswith(package["rid"])
    refused = next(r for r in rows if r["Beoordeling"] == "Niet openbaar")
    assert refused["Bestand"] == ""
    page = (package["out"] / "inventaris.html").read_text(encoding="utf-8")
    for row in rows:
        assert f"<td>{row['Documentnummer']}</td>" in page and f"<td>{row['Beoordeling']}</td>" in page


def test_wacz_validates_and_holds_only_the_approved_page(package: dict) -> None:
    wacz = package["out"] / f"{package['rid']}.wacz"
    proc = subprocess.run([str(Path(sys.executable).with_name("wacz")), "validate", "-f", str(wacz)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "succeeded" in proc.stdout, proc.stdout + proc.stderr
    with zipfile.ZipFile(wacz) as z:
        pages = [json.loads(line) for line in z.read("pages/pages.jsonl").decode().splitlines()[1:]]
    assert len(pages) == 1


def test_no_pii_byte_anywhere_in_the_package(package: dict, woo_archive: WooArchive) -> None:  # noqa: F811
    values = pii_values(woo_archive.truth)
    everything = []
    for path in sorted(package["out"].rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        everything.append((path.name, data))
        if path.suffix == ".pdf":
            reader = PdfReader(str(path))
            text = "\n".join(p.extract_text() for p in reader.pages) + json.dumps(
                {k: str(v) for k, v in reader.metadata.items()})
            everything.append((path.name + ":text", text.encode()))
        if path.suffix == ".wacz":
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    member = z.read(name)
                    if name.endswith(".gz"):
                        member = gzip.GzipFile(fileobj=io.BytesIO(member)).read()
                    everything.append((f"{path.name}:{name}", member))
    assert len(everything) >= 8
    for name, data in everything:
        assert not pii_hits(data, values), name
        assert not any(f in data for f in byte_forms(package["selected"])), name


def test_export_is_audited_and_refuses_a_used_folder(package: dict, woo_archive: WooArchive) -> None:  # noqa: F811
    log = (package["archive"] / ".sma" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    exports = [json.loads(line) for line in log if json.loads(line)["action"] == "export"]
    assert exports and exports[-1]["target"] == package["rid"] and exports[-1]["user"] == "officer"
    again = run_sma("woo", "export", package["rid"], "--archive", str(package["archive"]), "--out",
                    str(package["out"]), env=woo_archive.env)
    assert again.returncode == 1 and again.stderr.startswith("sma: error: ") and "Traceback" not in again.stderr
    unknown = run_sma("woo", "export", "woo-20000101-abcdef", "--archive", str(package["archive"]), "--out",
                      str(package["out"]) + "-x", env=woo_archive.env)
    assert unknown.returncode == 1 and unknown.stderr.startswith("sma: error: no Woo request")
