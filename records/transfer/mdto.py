"""MDTO 1.0.1 sidecars: an information object (account = Serie, post = Archiefstuk) or a file (bestand).

Element order follows the official XSD (records/data/mdto/MDTO-XML1.0.1.xsd); every document is
validated against it with xmlschema before it is written (`validate`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

NS = "https://www.nationaalarchief.nl/mdto"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD_PATH = Path(__file__).resolve().parent.parent / "data" / "mdto" / "MDTO-XML1.0.1.xsd"
WAARDERINGEN = {"B": "Blijvend te bewaren", "V": "Tijdelijk te bewaren", "N": "Nader te bepalen"}
SMA_LIST = "SMA begrippenlijst sociale media"


class InvalidMDTO(Exception):
    """A sidecar the official schema rejects: the package is not written."""


@cache
def schema():  # noqa: ANN201 - xmlschema.XMLSchema, imported lazily
    import xmlschema

    return xmlschema.XMLSchema(str(XSD_PATH))


def validate(path: Path) -> None:
    errors = list(schema().iter_errors(str(path)))
    if errors:
        raise InvalidMDTO(f"{path.name}: {errors[0].reason or errors[0].message}")


def _el(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        child.text = text
    return child


def _verwijzing(parent: ET.Element, name: str, naam: str, kenmerk: str | None = None, bron: str | None = None) -> None:
    ref = _el(parent, name)
    _el(ref, "verwijzingNaam", naam)
    if kenmerk:
        ident = _el(ref, "verwijzingIdentificatie")
        _el(ident, "identificatieKenmerk", kenmerk)
        _el(ident, "identificatieBron", bron or "")


def _begrip(parent: ET.Element, name: str, label: str, lijst: str, code: str | None = None) -> ET.Element:
    concept = _el(parent, name)
    _el(concept, "begripLabel", label)
    if code:
        _el(concept, "begripCode", code)
    _verwijzing(concept, "begripBegrippenlijst", lijst)
    return concept


def _document(kind: str) -> tuple[ET.Element, ET.Element]:
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(f"{{{NS}}}MDTO", {f"{{{XSI}}}schemaLocation": f"{NS} {NS}/MDTO-XML1.0.1.xsd"})
    return root, _el(root, kind)


@dataclass(frozen=True)
class Ref:
    naam: str
    kenmerk: str
    bron: str


@dataclass(frozen=True)
class ObjectSidecar:
    identificatie: Ref  # naam = title
    aggregatieniveau: str  # "Serie" | "Archiefstuk"
    omschrijving: str
    begin: date | None
    end: date | None
    waardering: str
    bewaartermijn: str | None
    term_start: date | None
    term_end: date | None
    trigger: str
    category_code: str
    category_title: str
    category_list: str
    archiefvormer: Ref
    restricted: bool
    restriction_text: str
    onderdeel_van: Ref | None = None
    onderdelen: tuple[Ref, ...] = ()
    representaties: tuple[Ref, ...] = ()
    url: str = ""
    restriction_term: str | None = None  # ISO 8601 looptijd of the restriction (beperkingGebruikTermijn)
    restriction_start: date | None = None
    restriction_end: date | None = None
    restriction_trigger: str = ""


def object_xml(o: ObjectSidecar) -> bytes:
    root, io_ = _document("informatieobject")
    ident = _el(io_, "identificatie")
    _el(ident, "identificatieKenmerk", o.identificatie.kenmerk)
    _el(ident, "identificatieBron", o.identificatie.bron)
    _el(io_, "naam", o.identificatie.naam or o.identificatie.kenmerk)
    _begrip(io_, "aggregatieniveau", o.aggregatieniveau, "Begrippenlijst Aggregatieniveaus MDTO")
    if o.omschrijving:
        _el(io_, "omschrijving", o.omschrijving)
    if o.url:
        location = _el(io_, "raadpleeglocatie")
        _el(location, "raadpleeglocatieOnline", o.url)
    if o.begin:
        coverage = _el(io_, "dekkingInTijd")
        _begrip(coverage, "dekkingInTijdType", "Publicatieperiode" if o.end and o.end != o.begin else "Publicatiedatum",
                SMA_LIST)
        _el(coverage, "dekkingInTijdBegindatum", o.begin.isoformat())
        if o.end:
            _el(coverage, "dekkingInTijdEinddatum", o.end.isoformat())
    _el(io_, "taal", "nl")
    _begrip(io_, "waardering", WAARDERINGEN[o.waardering], "Begrippenlijst Waarderingen MDTO", o.waardering)
    if o.waardering == "V" and o.bewaartermijn:
        term = _el(io_, "bewaartermijn")
        _begrip(term, "termijnTriggerStartLooptijd", o.trigger, SMA_LIST)
        if o.term_start:
            _el(term, "termijnStartdatumLooptijd", o.term_start.isoformat())
        _el(term, "termijnLooptijd", o.bewaartermijn)
        if o.term_end:
            _el(term, "termijnEinddatum", o.term_end.isoformat())
    _begrip(io_, "informatiecategorie", o.category_title or o.category_code, o.category_list or "selectielijst",
            o.category_code)
    if o.onderdeel_van:
        _verwijzing(io_, "isOnderdeelVan", o.onderdeel_van.naam, o.onderdeel_van.kenmerk, o.onderdeel_van.bron)
    for part in o.onderdelen:
        _verwijzing(io_, "bevatOnderdeel", part.naam, part.kenmerk, part.bron)
    for rep in o.representaties:
        _verwijzing(io_, "heeftRepresentatie", rep.naam, rep.kenmerk, rep.bron)
    _verwijzing(io_, "archiefvormer", o.archiefvormer.naam, o.archiefvormer.kenmerk, o.archiefvormer.bron)
    limit = _el(io_, "beperkingGebruik")
    _begrip(limit, "beperkingGebruikType", "Openbaarheid beperkt" if o.restricted else "Geen beperking",
            "Begrippenlijst Beperkingen MDTO")
    if o.restriction_text:
        _el(limit, "beperkingGebruikNadereBeschrijving", o.restriction_text)
    if o.restricted and o.restriction_term:
        term = _el(limit, "beperkingGebruikTermijn")
        _begrip(term, "termijnTriggerStartLooptijd", o.restriction_trigger or "Publicatie bericht", SMA_LIST)
        if o.restriction_start:
            _el(term, "termijnStartdatumLooptijd", o.restriction_start.isoformat())
        _el(term, "termijnLooptijd", o.restriction_term)
        if o.restriction_end:
            _el(term, "termijnEinddatum", o.restriction_end.isoformat())
    return _serialise(root)


@dataclass(frozen=True)
class FileSidecar:
    identificatie: Ref  # naam = file name
    omvang: int
    pronom: str
    format_label: str
    sha256: str
    checksum_time: str  # xsd:dateTime, e.g. 2026-12-01T22:50:00
    representatie_van: Ref


def file_xml(f: FileSidecar) -> bytes:
    root, bestand = _document("bestand")
    ident = _el(bestand, "identificatie")
    _el(ident, "identificatieKenmerk", f.identificatie.kenmerk)
    _el(ident, "identificatieBron", f.identificatie.bron)
    _el(bestand, "naam", f.identificatie.naam)
    _el(bestand, "omvang", str(f.omvang))
    _begrip(bestand, "bestandsformaat", f.format_label, "PRONOM-register", f.pronom)
    checksum = _el(bestand, "checksum")
    _begrip(checksum, "checksumAlgoritme", "SHA-256", "Begrippenlijst ChecksumAlgoritme MDTO")
    _el(checksum, "checksumWaarde", f.sha256)
    _el(checksum, "checksumDatum", f.checksum_time)
    _verwijzing(bestand, "isRepresentatieVan", f.representatie_van.naam, f.representatie_van.kenmerk,
                f.representatie_van.bron)
    return _serialise(root)


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space="\t")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"
