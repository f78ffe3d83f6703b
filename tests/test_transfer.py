"""`sma transfer`: an MDTO SIP of the session's mastodon crawl (a copy), checked as the Nationaal
Archief's intake would: every MDTO file against the official XSD, every checksum and size against its
file, the pakbon against its schema and counts, the per-post WARCs with `warcio check` (docs/transfer.md)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xmlschema

from tests.conftest import run_sma

XSD = Path(__file__).resolve().parent.parent / "records" / "data" / "mdto" / "MDTO-XML1.0.1.xsd"
OFFICIAL = Path(__file__).resolve().parents[2] / "shared" / "standards" / "mdto" / "MDTO-XML1.0.1.xsd"
NS = "{https://www.nationaalarchief.nl/mdto}"


@pytest.fixture(scope="module")
def context(mastodon_crawl, tmp_path_factory):
    root = tmp_path_factory.mktemp("transfer")
    archive = root / "archive"
    shutil.copytree(mastodon_crawl.archive, archive, ignore=shutil.ignore_patterns(".pywb", "*.lock"))
    (state,) = archive.glob("accounts/*/state.json")
    url = json.loads(state.read_text())["url"]
    registry = root / "registry.yaml"
    registry.write_text(f"""\
organisation: {{id: ministerie-demo, name: Ministerie van Demo}}
accounts:
  - {{id: mastodon-main, platform: mastodon, url: "{url}", type: corporate, comments: true,
     process: webcare, schedule: daily}}
""")
    return {"archive": archive, "registry": registry, "root": root}


def transfer(context, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_sma("transfer", "--archive", str(context["archive"]), "--registry", str(context["registry"]),
                   "--out", str(out), *extra, timeout=900)


@pytest.fixture(scope="module")
def authentic(context) -> Path:
    out = context["root"] / "sip-authentic"
    proc = transfer(context, out, "--contact", "archief@example.org")
    assert proc.returncode == 0, proc.stderr
    (sip,) = out.iterdir()
    return sip


def test_the_shipped_xsd_is_the_official_one_unchanged():
    if OFFICIAL.exists():  # the shared standards folder is beside the checkout in this workspace
        assert XSD.read_bytes() == OFFICIAL.read_bytes()
    assert "nationaalarchief.nl/mdto" in XSD.read_text() and (XSD.parent / "SOURCE.md").exists()


def test_every_mdto_file_validates_and_every_file_has_a_sidecar_whose_checksum_matches(authentic):
    schema = xmlschema.XMLSchema(str(XSD))
    sidecars = sorted(authentic.rglob("*.MDTO.xml"))
    assert len(sidecars) > 10
    for sidecar in sidecars:
        schema.validate(str(sidecar))  # raises on any invalid file
    content = [p for p in authentic.rglob("*") if p.is_file() and not p.name.endswith(".MDTO.xml")
               and p.parent != authentic]
    assert {p.suffix for p in content} >= {".warc", ".png", ".json", ".wacz"}
    for path in content:
        bestand = path.with_name(path.name + ".bestand.MDTO.xml")
        doc = schema.to_dict(str(bestand))["bestand"]
        assert doc["omvang"] == path.stat().st_size
        assert doc["checksum"][0]["checksumWaarde"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert doc["bestandsformaat"]["begripCode"] == {".warc": "fmt/1281", ".png": "fmt/11",
                                                          ".json": "fmt/817", ".wacz": "fmt/1840"}[path.suffix]
        record = schema.to_dict(str(path.parent / f"{path.parent.name}.MDTO.xml"))["informatieobject"]
        owner = doc["isRepresentatieVan"]["verwijzingIdentificatie"]["identificatieKenmerk"]
        assert owner == record["identificatie"][0]["identificatieKenmerk"]


def test_series_and_records_carry_appraisal_restriction_and_hierarchy(authentic, context):
    schema = xmlschema.XMLSchema(str(XSD))
    (account_dir,) = [p for p in authentic.iterdir() if p.is_dir()]
    series = schema.to_dict(str(account_dir / f"{account_dir.name}.MDTO.xml"))["informatieobject"]
    assert series["aggregatieniveau"]["begripLabel"] == "Serie"
    assert series["archiefvormer"][0]["verwijzingNaam"] == "Ministerie van Demo"
    posts = [p for p in account_dir.iterdir() if p.is_dir()]
    assert len(series["bevatOnderdeel"]) == len(posts) > 0
    restricted = 0
    for folder in posts:
        record = schema.to_dict(str(folder / f"{folder.name}.MDTO.xml"))["informatieobject"]
        meta = json.loads((folder / f"{folder.name}.json").read_text())
        assert record["aggregatieniveau"]["begripLabel"] == "Archiefstuk"
        assert record["waardering"]["begripCode"] == "B" and record["informatiecategorie"]["begripCode"]
        assert record["isOnderdeelVan"][0]["verwijzingIdentificatie"]["identificatieKenmerk"] == "account:mastodon-main"
        assert record["dekkingInTijd"][0]["dekkingInTijdBegindatum"] == meta["published"]
        limit = record["beperkingGebruik"][0]
        if meta["comments"]:
            restricted += 1
            assert limit["beperkingGebruikType"]["begripLabel"] == "Openbaarheid beperkt"
            assert "Woo" in limit["beperkingGebruikNadereBeschrijving"]
            term = limit["beperkingGebruikTermijn"]
            assert (term["termijnLooptijd"], term["termijnStartdatumLooptijd"]) == ("P75Y", meta["published"])
            year, rest = meta["published"].split("-", 1)
            assert term["termijnEinddatum"] == f"{int(year) + 75}-{rest}"
        else:
            assert "beperkingGebruikTermijn" not in limit
    assert restricted > 0
    assert series["beperkingGebruik"][0]["beperkingGebruikTermijn"]["termijnLooptijd"] == "P75Y"


def test_each_series_is_also_one_signed_wacz_that_validates(authentic):
    from crawler.privacy.export import validate_wacz

    (account_dir,) = [p for p in authentic.iterdir() if p.is_dir()]
    wacz = account_dir / f"{account_dir.name}.wacz"
    ok, output = validate_wacz(wacz)
    assert ok, output
    verified = run_sma("verify", str(wacz))
    assert verified.returncode == 0 and "signature" in verified.stdout.lower(), verified.stdout + verified.stderr
    schema = xmlschema.XMLSchema(str(XSD))
    series = schema.to_dict(str(account_dir / f"{account_dir.name}.MDTO.xml"))["informatieobject"]
    assert wacz.name in [r["verwijzingNaam"] for r in series["heeftRepresentatie"]]
    import zipfile

    with zipfile.ZipFile(wacz) as zf:
        archived = [n for n in zf.namelist() if n.startswith("archive/")]
    assert len(archived) == len(list(account_dir.glob("*/*.warc")))  # every post WARC, nothing else


def test_post_warcs_hold_the_original_records_and_pass_warcio_check(authentic, context):
    warcs = sorted(authentic.rglob("*.warc"))
    checked = subprocess.run([str(Path(sys.executable).with_name("warcio")), "check", *map(str, warcs[:5])],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    original_ids = set()
    for warc in (context["archive"] / "warcs").glob("*.warc.gz"):
        import gzip
        original_ids |= set(re.findall(rb"WARC-Record-ID: (<[^>]+>)", gzip.decompress(warc.read_bytes())))
    ids = set(re.findall(rb"WARC-Record-ID: (<[^>]+>)", warcs[0].read_bytes()))
    assert len(ids & original_ids) == len(ids) - 1  # all but the package's own warcinfo


def test_pakbon_is_valid_and_counts_and_hash_match(authentic):
    schema = xmlschema.XMLSchema(str(XSD.parent.parent / "pakbon.xsd"))
    slip = schema.to_dict(str(authentic / "pakbon.xml"))
    content = [p for p in authentic.rglob("*") if p.is_file() and not p.name.endswith(".MDTO.xml")
               and p.parent != authentic]
    assert slip["kopie"] == "authentiek" and slip["contactpersoon"] == "archief@example.org"
    assert slip["aantalBestandenNietMDTO"] == len(content)
    assert slip["omvangBytes"] == sum(p.stat().st_size for p in content)
    assert slip["aantalInformatieobjecten"] == len(list(authentic.rglob("*.MDTO.xml"))) - len(content)
    manifest = (authentic / "manifest-sha256.txt").read_text()
    assert slip["hashcodeSIP"] == "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    for line in manifest.splitlines():
        digest, rel = line.split("  ", 1)
        assert hashlib.sha256((authentic / rel).read_bytes()).hexdigest() == digest, rel


def test_pseudonymised_copy_is_transferred_and_says_so(context):
    out = context["root"] / "sip-pseudo"
    proc = transfer(context, out, "--pseudonymised")
    assert proc.returncode == 0, proc.stderr
    (sip,) = out.iterdir()
    assert "<kopie>gepseudonimiseerd</kopie>" in (sip / "pakbon.xml").read_text()
    schema = xmlschema.XMLSchema(str(XSD))
    records = [p for p in sip.rglob("post-*.MDTO.xml") if ".bestand." not in p.name]
    assert records and all(schema.is_valid(str(p)) for p in records)
    access = set()
    for warc in (context["archive"] / "access" / "warcs").glob("*.warc.gz"):
        import gzip
        access |= set(re.findall(rb"WARC-Record-ID: (<[^>]+>)", gzip.decompress(warc.read_bytes())))
    some = next(sip.rglob("*.warc")).read_bytes()
    ids = set(re.findall(rb"WARC-Record-ID: (<[^>]+>)", some))
    assert len(ids & access) == len(ids) - 1, "the pseudonymised package holds the access copy's records"


def test_nothing_to_transfer_is_one_line_and_writes_nothing(context):
    out = context["root"] / "sip-none"
    proc = transfer(context, out, "--until", "2000-01-01")
    assert proc.returncode == 2 and proc.stderr.startswith("sma: error:") and len(proc.stderr.splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())


def test_an_invalid_mdto_file_refuses_the_whole_package(context, tmp_path):
    from records.objects import information_objects
    from records.selection import RIJK_EXAMPLE, load_selection_list
    from records.transfer.mdto import InvalidMDTO
    from records.transfer.package import TransferOptions, build_sip
    from sma.registry import load_registry

    objects = information_objects(context["archive"], load_registry(context["registry"]),
                                  load_selection_list(RIJK_EXAMPLE), [])
    broken = [dataclasses.replace(o, waardering="V", bewaartermijn="vijf jaar") if o.kind == "post" else o
              for o in objects]
    with pytest.raises(InvalidMDTO):
        build_sip(context["archive"], broken, tmp_path / "out",
                  TransferOptions("ministerie-demo", "Ministerie van Demo", include_temporary=True))
    assert list((tmp_path / "out").iterdir()) == []


def test_a_restriction_term_that_is_no_duration_is_one_line_and_writes_nothing(tmp_path):
    proc = run_sma("transfer", "--archive", str(tmp_path / "a"), "--registry", str(tmp_path / "r.yaml"),
                   "--out", str(tmp_path / "out"), "--restriction-term", "75 jaar")
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0 and "ISO 8601" in proc.stderr
    assert not (tmp_path / "out").exists()
