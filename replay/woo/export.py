"""The disclosure package of a Woo request (`sma woo export`): per approved page a redacted PDF, an
inventory (CSV + HTML) and a redacted WACZ of the public records -- checked before it is handed out.

The PDF is the PUBLIC version of the page (its redacted `urn:dom:` record, resources from the
page's public WARC, no scripts, no network: Chromium gets everything through a route handler),
with the drawn regions as black boxes carrying their ground. PDF metadata is set to values without
personal data. Then every file of the package -- PDF text layer and metadata, CSV, HTML, every member
of the WACZ with its WARCs decompressed -- is searched for every value of the pages' PII ledger
entries and every hand-selected string, in raw, lower-case, URL-encoded and JSON-escaped form.
One hit and the package is deleted and the export fails.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
import io
import json
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

from warcio.archiveiterator import ArchiveIterator

from sma import config

from .access import AccessArchive, Item, Page, open_access, organisation_of
from .frame import render_frame, rewrite_css
from .model import DEFAULT_GROUND, PageReview, WooError, WooRequest, WooStore, now_iso
from .redact import PUBLIC_DIRNAME

EXPORT_ORIGIN = "https://woo-export.invalid"
JUDGEMENTS = ("Openbaar", "Deels openbaar", "Niet openbaar")


@dataclass
class InventoryRow:
    document: str
    title: str
    date: str
    judgement: str
    grounds: list[str]
    file: str = ""


@dataclass
class ExportResult:
    out_dir: Path
    rows: list[InventoryRow]
    files: list[Path] = field(default_factory=list)
    checked_values: int = 0


def _grounds(items: list[Item], review: PageReview) -> list[str]:
    used = set()
    for item in items:
        decision = review.items.get(item.key, {})
        if decision.get("decision") != "reject":
            used.add(decision.get("ground") or DEFAULT_GROUND)
    used |= {t.ground for t in review.texts} | {r.ground for r in review.regions}
    return sorted(used)


def _public_records(archive_dir: Path, review: PageReview) -> dict[str, tuple[str, bytes]]:
    """uri -> (content type, payload) of the page's public WARC."""
    path = Path(archive_dir) / PUBLIC_DIRNAME / "warcs" / review.public_warc
    if not review.public_warc or not path.exists():
        raise WooError(f"page {review.page_id} is approved but its public WARC is missing")
    records: dict[str, tuple[str, bytes]] = {}
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type not in ("response", "resource"):
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI")
            http = record.http_headers if record.rec_type == "response" else None
            kind = (http.get_header("Content-Type") if http else record.rec_headers.get_header("Content-Type")) or ""
            records.setdefault(uri, (kind, record.content_stream().read()))
    return records


def _region_script(review: PageReview) -> str:
    boxes = [(r.box, r.ground) for r in review.regions]
    return """boxes => { for (const [[x, y, w, h], ground] of boxes) {
        const el = document.createElement('div');
        el.textContent = '[' + ground + ']';
        Object.assign(el.style, {position: 'absolute', left: x + 'px', top: y + 'px', width: w + 'px',
          height: h + 'px', background: '#000', color: '#fff', font: 'bold 12px sans-serif', zIndex: 2147483647,
          overflow: 'hidden', boxSizing: 'border-box', padding: '2px'});
        document.body.appendChild(el);
    } }""", boxes


def render_pdf(browser, records: dict[str, tuple[str, bytes]], page_url: str, review: PageReview,  # noqa: ANN001
               out: Path) -> None:
    dom = records.get("urn:dom:" + page_url)
    if dom is None:
        raise WooError(f"page {review.page_id}: its public version has no DOM record to render")
    document = render_frame(dom[1].decode("utf-8", "replace"), page_url)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=True)
    try:
        page = context.new_page()

        def serve(route) -> None:  # noqa: ANN001 - playwright Route
            parts = urlsplit(route.request.url)
            if route.request.url.startswith(EXPORT_ORIGIN + "/doc"):
                target = parse_qs(parts.query).get("u", [""])[0]
                if parts.path == "/doc/":
                    return route.fulfill(status=200, content_type="text/html; charset=utf-8", body=document)
                found = records.get(target)
                if found and not found[0].startswith(("text/html", "image/svg")):
                    kind, body = found
                    if kind.startswith("text/css"):
                        body = rewrite_css(body.decode("utf-8", "replace"), target).encode("utf-8")
                    return route.fulfill(status=200, content_type=kind or "application/octet-stream", body=body)
            return route.fulfill(status=404, body=b"")  # never the network

        page.route("**/*", serve)
        page.goto(EXPORT_ORIGIN + "/doc/", wait_until="load")
        script, boxes = _region_script(review)
        page.evaluate(script, boxes)
        page.emulate_media(media="screen")
        page.pdf(path=str(out), print_background=True, width="1280px", height="1800px",
                 margin={"top": "0", "bottom": "0", "left": "0", "right": "0"})
    finally:
        context.close()


def set_pdf_metadata(path: Path, title: str, subject: str) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(path)))
    writer.metadata = None
    writer.add_metadata({"/Title": title, "/Author": "SMA Woo-publicatie", "/Subject": subject,
                         "/Creator": "SMA", "/Producer": "SMA"})
    with open(path, "wb") as fh:
        writer.write(fh)


def write_inventory(out_dir: Path, woo: WooRequest, rows: list[InventoryRow]) -> None:
    header = ["Documentnummer", "Titel", "Datum", "Beoordeling", "Gronden", "Bestand"]
    with open(out_dir / "inventaris.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for r in rows:
            writer.writerow([r.document, r.title, r.date, r.judgement, "; ".join(r.grounds), r.file])
    cells = "".join(
        f"<tr><td>{html.escape(r.document)}</td><td>{html.escape(r.title)}</td><td>{html.escape(r.date)}</td>"
        f"<td>{html.escape(r.judgement)}</td><td>{html.escape(', '.join(r.grounds))}</td>"
        f"<td>{f'<a href={html.escape(r.file)!r}>{html.escape(r.file)}</a>' if r.file else ''}</td></tr>"
        for r in rows)
    (out_dir / "inventaris.html").write_text(
        f"<!doctype html><html lang=nl><head><meta charset=utf-8><title>Inventarislijst {html.escape(woo.id)}"
        f"</title></head><body><h1>Inventarislijst Woo-verzoek {html.escape(woo.id)}</h1>"
        f"<p>Onderwerp: {html.escape(woo.subject)} · periode {woo.period_from} – {woo.period_to}</p>"
        f"<table border=1><thead><tr>{''.join(f'<th>{h}</th>' for h in header)}</tr></thead>"
        f"<tbody>{cells}</tbody></table></body></html>", encoding="utf-8")


def write_wacz(out: Path, archive_dir: Path, woo: WooRequest, warcs: list[Path], rows: list[dict]) -> None:
    import subprocess
    import tempfile

    from crawler.archive.pages import HEADER
    from crawler.privacy.export import validate_wacz
    from records.wacz_sign import wacz_tool

    title = f"Woo-verzoek {woo.id}: openbaar gemaakte pagina's (gelakt)"
    with tempfile.TemporaryDirectory(prefix="sma-woo-") as tmp:
        pages = Path(tmp) / "pages.jsonl"
        pages.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [{**HEADER, "title": title}, *rows]),
                         encoding="utf-8")
        proc = subprocess.run([*wacz_tool(), "create", "-o", str(out), "-p", str(pages), "--title", title,
                               *map(str, warcs)], capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        raise WooError(f"wacz create failed: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
    ok, detail = validate_wacz(out)
    if not ok:
        raise WooError(f"the WACZ does not validate: {detail.splitlines()[-1] if detail else 'wacz validate failed'}")


def _value_forms(value: str) -> set[bytes]:
    forms = {value, value.lower(), quote(value), quote_plus(value), json.dumps(value)[1:-1],
             json.dumps(value, ensure_ascii=False)[1:-1], html.escape(value)}
    return {f.encode("utf-8") for f in forms if f}


def package_texts(out_dir: Path) -> dict[str, bytes]:
    """Every byte a reader of the package can get at: PDF text layers and metadata, WACZ members
    (WARCs decompressed), and the other files as they are."""
    from pypdf import PdfReader

    texts: dict[str, bytes] = {}
    for path in sorted(out_dir.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        texts[path.name] = data
        if path.suffix == ".pdf":
            reader = PdfReader(str(path))
            meta = json.dumps({k: str(v) for k, v in (reader.metadata or {}).items()}, ensure_ascii=False)
            texts[path.name + ":text"] = ("\n".join(p.extract_text() or "" for p in reader.pages) + meta).encode()
        if path.suffix == ".wacz":
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    member = z.read(name)
                    if name.endswith(".gz"):
                        member = gzip.GzipFile(fileobj=io.BytesIO(member)).read()
                    texts[f"{path.name}:{name}"] = member
    return texts


def secret_values(archive_dir: Path, access: AccessArchive, pages: list[Page], hand: list[str]) -> dict[str, str]:
    """value -> its type: the plaintext of every ledger entry of the pages' crawls and the hand-selected
    strings. Replaced avatar payloads are left out: their value is the image URL, and their redaction
    is the neutral image. Avatar boxes on screenshots are checked (their value, a third party's image
    URL, must be in no byte); the organisation's own avatar has no box since the capture drops it. A
    ledger written before that (no `visible` key) still has the own avatar's box, whose URL rightly
    stays in every copy: there avatar boxes are left out, as they were then."""
    from crawler.privacy.keys import load_keys
    from crawler.privacy.ledger import LEDGER_NAME, read_entries

    values = {h: "selection" for h in hand if len(h) >= 4}
    for crawl in sorted({p.crawl_id for p in pages}):
        path = Path(archive_dir) / "crawls" / crawl / LEDGER_NAME
        if path.exists():
            for e in read_entries(path, load_keys(organisation_of(archive_dir, crawl)).fernet()):
                old_ledger = "visible" not in e
                if len(e.get("value") or "") >= 4 and "payload" not in e["location"] \
                        and not (old_ledger and e["type"] == "avatar" and "box" in e["location"]):
                    values.setdefault(e["value"], e["type"])
    return values


def check_package(out_dir: Path, values: dict[str, str]) -> list[str]:
    """'file: type' for every file (or member) holding any form of a value; [] when clean. Never the value."""
    forms = {v: _value_forms(v) for v in values}
    hits = []
    for name, data in package_texts(out_dir).items():
        lowered = data.lower()
        found = sorted({values[v] for v, fs in forms.items() if any(f in data or f.lower() in lowered for f in fs)})
        if found:
            hits.append(f"{name}: {', '.join(found)}")
    return hits


def export(archive_dir: Path, request_id: str, out_dir: Path) -> ExportResult:
    from playwright.sync_api import sync_playwright

    from crawler.privacy.keys import load_keys

    archive_dir = Path(archive_dir)
    woo = WooStore(archive_dir).get(request_id)
    approved = [r for r in woo.pages.values() if r.status == "approved"]
    if not approved:
        raise WooError(f"Woo request {request_id} has no approved page to export")
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise WooError(f"{out_dir} is not empty; export into a new folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    access = open_access(archive_dir)
    rows: list[InventoryRow] = []
    wacz_rows: list[dict] = []
    warcs: list[Path] = []
    hand: list[str] = []
    pages: list[Page] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu",
                                                                            "--disable-dev-shm-usage"])
            try:
                for number, review in enumerate(sorted(woo.pages.values(), key=lambda r: r.page_id), 1):
                    page = access.page(review.page_id)
                    if page is None:
                        continue
                    pages.append(page)
                    items = access.items(page)
                    document = f"{woo.id}-{number:03d}"
                    grounds = _grounds(items, review)
                    if review.status != "approved":
                        rows.append(InventoryRow(document, f"pagina {review.page_id}", page.ts[:10], "Niet openbaar",
                                                 grounds))
                        continue
                    fernet = load_keys(organisation_of(archive_dir, page.crawl_id)).fernet()
                    hand += [fernet.decrypt(t.token.encode()).decode("utf-8") for t in review.texts]
                    records = _public_records(archive_dir, review)
                    public_row = _public_row(archive_dir, review.page_id)
                    pdf = out_dir / f"{document}.pdf"
                    render_pdf(browser, records, public_row["url"], review, pdf)
                    set_pdf_metadata(pdf, f"Woo-verzoek {woo.id}, document {document}", f"Woo-verzoek {woo.id}")
                    redacted = bool(items or review.texts or review.regions) and bool(grounds)
                    rows.append(InventoryRow(document, public_row.get("title", ""), page.ts[:10],
                                             "Deels openbaar" if redacted else "Openbaar",
                                             grounds if redacted else [], pdf.name))
                    warcs.append(Path(archive_dir) / PUBLIC_DIRNAME / "warcs" / review.public_warc)
                    wacz_rows.append(public_row)
            finally:
                browser.close()
        write_inventory(out_dir, woo, rows)
        write_wacz(out_dir / f"{woo.id}.wacz", archive_dir, woo, warcs, wacz_rows)
        values = secret_values(archive_dir, access, pages, hand)
        hits = check_package(out_dir, values)
        if hits:
            raise WooError(f"personal data found in the package ({', '.join(hits[:5])}); nothing was exported")
        manifest = {"request": woo.id, "subject": woo.subject, "exported_at": now_iso(),
                    "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out_dir.iterdir())},
                    "checked_values": len(values)}
        (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    except BaseException:
        shutil.rmtree(out_dir, ignore_errors=True)
        raise
    return ExportResult(out_dir, rows, sorted(out_dir.iterdir()), len(values))


def _public_row(archive_dir: Path, page_id: str) -> dict:
    from crawler.archive.pages import read_pages

    row = next((r for r in read_pages(Path(archive_dir) / PUBLIC_DIRNAME) if r.get("id") == page_id), None)
    if row is None:
        raise WooError(f"page {page_id} is approved but not in public/pages.jsonl")
    return row


def _chromium() -> str:
    return config.CHROMIUM.get()
