"""The MDTO SIP (Nationaal Archief, MDTO-SIP-specificatie): sidecar layout, bestanden, pakbon (docs/transfer.md).

    OUT/<sip>/pakbon.xml, manifest-sha256.txt
    OUT/<sip>/<account>/<account>.MDTO.xml                   the series (account)
    OUT/<sip>/<account>/<post>/<post>.MDTO.xml                a record (post with its comments)
    OUT/<sip>/<account>/<post>/<post>.warc (+ .warc.bestand.MDTO.xml)   the post's own WARC records
    OUT/<sip>/<account>/<post>/<post>.png, <post>.json (each with its .bestand.MDTO.xml)

A post's WARC holds its records byte for byte as captured (each original gzip member inflated; the
WARC-Record-IDs, headers and digests unchanged), after one warcinfo naming the source files and offsets.
It is written uncompressed so that the declared format (WARC 1.1, fmt/1281) is what DROID/siegfried
identify; a `.warc.gz` would be identified as GZIP (x-fmt/266). The package is built in `<sip>.partial`,
every MDTO file validated against the XSD and every checksum re-read, then renamed: fail closed.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from archive.layout import ArchiveDir

from ..objects import InformationObject, WarcLocation
from ..selection import add_duration
from . import mdto
from .pakbon import write_pakbon

FORMATS = {".warc": ("fmt/1281", "WARC 1.1"), ".png": ("fmt/11", "Portable Network Graphics 1.0"),
           ".json": ("fmt/817", "JSON Data Interchange Format"), ".wacz": ("fmt/1840", "WACZ 1.1.1")}
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
AUTHENTIC, PSEUDONYMISED = "authentiek", "gepseudonimiseerd"


class TransferError(Exception):
    """Nothing to transfer, or a package that would not be valid: one line for the user."""


@dataclass(frozen=True)
class TransferOptions:
    organisation_id: str
    organisation_name: str
    pseudonymised: bool = False
    account: str | None = None
    until: date | None = None
    collection: str = ""
    contact: str = ""
    include_temporary: bool = False  # also V and N objects (default: only what is kept permanently, B)
    wacz: bool = True  # each series also as one signed WACZ of its posts' WARCs (replayable as a whole)
    restriction_term: str = "P75Y"  # beperkingGebruikTermijn of restricted objects (ISO 8601 duration)


def safe_name(text: str, limit: int = 120) -> str:
    name = UNSAFE.sub("_", text).strip("._") or "object"
    return name[:limit]


def _post_name(o: InformationObject) -> str:
    tail = [p for p in o.url.rstrip("/").split("/") if p][-1:] or ["post"]
    return safe_name(f"post-{tail[0]}")


def select(objects: list[InformationObject], options: TransferOptions) -> list[InformationObject]:
    posts = [o for o in objects if o.kind == "post"
             and (options.account is None or o.account_id == options.account)
             and (options.until is None or (o.post_date is not None and o.post_date <= options.until))
             and (options.include_temporary or o.waardering == "B")]
    accounts = {o.account_id for o in posts}
    return [o for o in objects if o.kind == "account" and o.account_id in accounts] + posts


def _member(path: Path, loc: WarcLocation) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(loc.offset)
        raw = fh.read(loc.length)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(raw)
    except zlib.error:
        inflater = None
    if inflater is None or not inflater.eof:
        raise TransferError(f"{loc.file} at offset {loc.offset}: not one whole gzip member (run sma verify --archive)")
    return data


def _access_locations(archive: Path) -> dict[str, tuple[WarcLocation, ...]]:
    """The pseudonymised copy's records of each post (same map as the original's, on access/warcs)."""
    from ..warcmap import records_of, scan

    infos = [i for p in ArchiveDir(archive).closed_warcs("access") for i in scan(p)]
    requests = [i for i in infos if i.type == "request"]
    owners = {i.owner for i in infos if i.owner}
    return {url: tuple(WarcLocation(str(i.file.relative_to(archive)), i.offset, i.length, i.digest)
                       for i in records_of([i for i in infos if i.owner == url] + requests, {url}))
            for url in owners}


def _write_post_warc(archive: Path, locations: tuple[WarcLocation, ...], out: Path,
                     post: InformationObject) -> bytes | None:
    """Writes the post's records; returns the newest screenshot's PNG bytes, if any."""
    screenshot: tuple[str, bytes] | None = None
    with open(out, "wb") as fh:
        writer = WARCWriter(fh, gzip=False, warc_version="1.1")
        sources = "; ".join(f"{loc.file}@{loc.offset}" for loc in locations)
        writer.write_record(writer.create_warcinfo_record(out.name, {
            "software": "SMA sma transfer", "format": "WARC File Format 1.1",
            "description": f"the records of {post.url} as captured, byte for byte (inflated)",
            "source-records": sources}))
        for loc in locations:
            data = _member(archive / loc.file, loc)
            fh.write(data)
            if b"urn:screenshot:" in data[:2048]:
                record = next(iter(ArchiveIterator(io.BytesIO(data))))
                when = record.rec_headers.get_header("WARC-Date") or ""
                if screenshot is None or when > screenshot[0]:
                    screenshot = (when, record.content_stream().read())
    return screenshot[1] if screenshot else None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _Builder:
    def __init__(self, archive: Path, root: Path, options: TransferOptions) -> None:
        self.archive, self.root, self.options = archive, root, options
        self.bron = f"SMA {options.organisation_name}"
        self.now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        self.vormer = mdto.Ref(options.organisation_name, options.organisation_id, "SMA registry")
        self.copy = PSEUDONYMISED if options.pseudonymised else AUTHENTIC
        self.objects = 0
        self.files: list[Path] = []
        from ..holds import Holds

        self.woo_holds = {h.id for h in Holds(archive).active() if h.reason.startswith("Woo-verzoek")}

    def restriction(self, o: InformationObject) -> tuple[bool, str]:
        if self.options.pseudonymised:
            return False, ("Gepseudonimiseerde kopie: persoonsgegevens van derden (reacties, namen, afbeeldingen) "
                           "vervangen door pseudoniemen; de authentieke kopie is afzonderlijk overgebracht.")
        if o.kind == "account" or o.comments:
            return True, ("Authentieke kopie met persoonsgegevens van derden (reacties van burgers): openbaarheid "
                          "beperkt op grond van de eerbiediging van de persoonlijke levenssfeer (Archiefwet 1995 "
                          "art. 15 lid 1 sub b; Woo art. 5.1 lid 2 sub e; AVG art. 6 en 9).")
        return False, "Bericht van de organisatie zonder reacties van derden."

    def sidecar_file(self, path: Path, owner: mdto.Ref) -> mdto.Ref:
        pronom, label = FORMATS[path.suffix]
        ref = mdto.Ref(path.name, f"{owner.kenmerk}#{path.name}", self.bron)
        xml = mdto.file_xml(mdto.FileSidecar(ref, path.stat().st_size, pronom, label, _sha256(path), self.now, owner))
        sidecar = path.with_name(path.name + ".bestand.MDTO.xml")
        sidecar.write_bytes(xml)
        self.files.append(path)
        return ref

    def object_file(self, folder: Path, name: str, sidecar: mdto.ObjectSidecar) -> None:
        (folder / f"{name}.MDTO.xml").write_bytes(mdto.object_xml(sidecar))
        self.objects += 1

    def base(self, o: InformationObject, level: str, naam: str, **extra) -> mdto.ObjectSidecar:  # noqa: ANN003
        restricted, text = self.restriction(o)
        trigger = "Einde gebruik account" if o.term_start and o.post_date != o.term_start else "Publicatie bericht"
        woo = [h for h in o.held_by if h in self.woo_holds]
        if woo:
            text += (" Onderwerp van een lopend Woo-verzoek (legal hold " + ", ".join(woo) + "): een besluit "
                     "over openbaarmaking kan de beperking eerder opheffen.")
        if restricted and self.options.restriction_term:
            # Personal data of third parties: restricted from the newest information in the object on, for
            # the term the options give (P75Y, the Archiefwet 1995 art. 15 lid 3 maximum, by default).
            start = extra.get("end") or o.post_date
            extra.update(restriction_term=self.options.restriction_term, restriction_start=start,
                         restriction_end=add_duration(start, self.options.restriction_term) if start else None,
                         restriction_trigger="Datum laatste bericht of reactie" if level == "Serie"
                         else "Publicatie bericht")
        return mdto.ObjectSidecar(
            identificatie=mdto.Ref(naam, o.id, self.bron), aggregatieniveau=level,
            omschrijving=f"{o.reason} ({self.copy} kopie)", waardering=o.waardering,
            bewaartermijn=o.bewaartermijn, term_start=o.term_start, term_end=o.term_end, trigger=trigger,
            category_code=o.category_code, category_title=o.category_title, category_list=o.category_list,
            archiefvormer=self.vormer, restricted=restricted, restriction_text=text, url=o.url, **extra)


def build_sip(archive: Path, objects: list[InformationObject], out_dir: Path, options: TransferOptions) -> Path:
    archive, out_dir = Path(archive), Path(out_dir)
    chosen = select(objects, options)
    if not any(o.kind == "post" for o in chosen):
        raise TransferError("no information object matches (only waardering B is transferred without "
                            "--include-temporary; check --account and --until)")
    sip_name = safe_name(f"SMA-{options.organisation_id}-{'pseudo' if options.pseudonymised else 'authentiek'}-"
                         f"{datetime.now(UTC):%Y%m%dT%H%M%S}")
    final = out_dir / sip_name
    partial = out_dir / f"{sip_name}.partial"
    if final.exists() or partial.exists():
        raise TransferError(f"{final} exists already")
    partial.mkdir(parents=True, mode=0o700)
    try:
        builder = _Builder(archive, partial, options)
        access = _access_locations(archive) if options.pseudonymised else {}
        collection = mdto.Ref(options.collection or f"Archief {options.organisation_name}", options.organisation_id,
                              "Doelsysteem")
        for account in (o for o in chosen if o.kind == "account"):
            _write_account(builder, account, [o for o in chosen if o.kind == "post" and o.account_id ==
                                              account.account_id], collection, access)
        for sidecar in partial.rglob("*.MDTO.xml"):
            mdto.validate(sidecar)
        for path in builder.files:
            expected = path.with_name(path.name + ".bestand.MDTO.xml").read_text(encoding="utf-8")
            if f"<checksumWaarde>{_sha256(path)}</checksumWaarde>" not in expected:
                raise TransferError(f"{path.name}: checksum changed while the package was written")
        write_pakbon(partial, sip_name, options, builder.objects, builder.copy, builder.now)
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def _write_account(b: _Builder, account: InformationObject, posts: list[InformationObject],
                   collection: mdto.Ref, access: dict[str, tuple[WarcLocation, ...]]) -> None:
    account_name = safe_name(f"account-{account.account_id}")
    folder = b.root / account_name
    folder.mkdir(mode=0o700)
    series_ref = mdto.Ref(account.title or account.account_id, account.id, b.bron)
    used: set[str] = set()
    parts = []
    dates = [p.post_date for p in posts if p.post_date]
    warcs: list[Path] = []
    urls: set[str] = set()
    for post in posts:
        name = _post_name(post)
        while name in used:
            name += "_"
        used.add(name)
        record_folder = folder / name
        record_folder.mkdir(mode=0o700)
        post_ref = mdto.Ref(post.title or post.url, post.id, b.bron)
        reps = []
        locations = access.get(post.url, ()) if b.options.pseudonymised else post.locations
        if locations:
            warc = record_folder / f"{name}.warc"
            png = _write_post_warc(b.archive, locations, warc, post)
            reps.append(b.sidecar_file(warc, post_ref))
            warcs.append(warc)
            urls.add(post.url)
            if png:
                (record_folder / f"{name}.png").write_bytes(png)
                reps.append(b.sidecar_file(record_folder / f"{name}.png", post_ref))
        meta = record_folder / f"{name}.json"
        meta.write_text(json.dumps({
            "url": post.url, "title": post.title, "published": post.post_date.isoformat() if post.post_date else None,
            "account": post.account_id, "platform": post.platform, "comments": post.comments, "copy": b.copy,
            "category": post.category_code, "waardering": post.waardering, "hotspot": post.hotspot,
            "reason": post.reason, "held_by": list(post.held_by),
            "source_records": [loc.__dict__ for loc in locations],
        }, ensure_ascii=False, indent=2), encoding="utf-8")
        reps.append(b.sidecar_file(meta, post_ref))
        b.object_file(record_folder, name, b.base(
            post, "Archiefstuk", post.title or post.url, begin=post.post_date, end=post.post_date,
            onderdeel_van=series_ref, representaties=tuple(reps)))
        parts.append(post_ref)
    series_reps = ()
    if b.options.wacz and warcs:
        wacz = folder / f"{account_name}.wacz"
        _write_wacz(b.archive, warcs, urls, wacz, b.options.pseudonymised)
        series_reps = (b.sidecar_file(wacz, series_ref),)
    b.object_file(folder, account_name, b.base(
        account, "Serie", account.title or account.account_id, begin=min(dates, default=None),
        end=max(dates, default=None), onderdeel_van=collection, onderdelen=tuple(parts),
        representaties=series_reps))


def _write_wacz(archive: Path, warcs: list[Path], urls: set[str], out: Path, pseudonymised: bool) -> None:
    """The series' posts as one WACZ (py-wacz, as `sma export` makes it), signed with the organisation's
    key (records/wacz_sign.py): a replayable whole whose signature the receiving archive can check."""
    import subprocess
    import tempfile

    from archive.pages import HEADER, read_pages

    from ..wacz_sign import SigningError, sign_wacz_file, wacz_tool

    source = ArchiveDir(archive).copy("access" if pseudonymised else "original")
    rows = [row for row in read_pages(source) if row.get("url") in urls]
    with tempfile.TemporaryDirectory(prefix="sma-transfer-") as tmp:
        pages = Path(tmp) / "pages.jsonl"
        pages.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [{**HEADER, "title": out.stem},
                                                                                   *rows]), encoding="utf-8")
        proc = subprocess.run([*wacz_tool(), "create", "-o", str(out), "-p", str(pages), "--title", out.stem,
                               *map(str, warcs)], capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        last = (proc.stderr or proc.stdout).strip().splitlines()
        raise TransferError(f"{out.name}: wacz create failed: {last[-1] if last else proc.returncode}")
    try:
        sign_wacz_file(out, archive)
    except SigningError as exc:
        raise TransferError(str(exc)) from None


def new_id() -> str:
    return str(uuid.uuid4())
