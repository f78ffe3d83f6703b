"""The pakbon (packing slip) of a SIP: what the MDTO-SIP-specificatie (pakbon.md) asks, as XML.

Its form is agreed with the receiving archive; SMA's is `records/data/pakbon.xsd`. The SIP's hash is
the SHA-256 of `manifest-sha256.txt` (one `<sha256>  <path>` line per file of the SIP, sorted), which
the receiver can recompute with `sha256sum -c`.
"""

from __future__ import annotations

import hashlib
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

PAKBON_XSD = Path(__file__).resolve().parent.parent / "data" / "pakbon.xsd"
NS = "https://sma.example/pakbon/1"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_pakbon(root: Path, name: str, options: Any, objects: int, copy: str, created: str) -> Path:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    manifest = "".join(f"{_sha256(p)}  {p.relative_to(root)}\n" for p in files)
    (root / "manifest-sha256.txt").write_text(manifest, encoding="utf-8")
    content = [p for p in files if not p.name.lower().endswith(".mdto.xml")]
    ET.register_namespace("", NS)
    slip = ET.Element(f"{{{NS}}}pakbon")

    def add(tag: str, text: str) -> None:
        ET.SubElement(slip, f"{{{NS}}}{tag}").text = text

    add("identificatie", str(uuid.uuid4()))
    add("naam", name)
    add("locatieDoelsysteem", options.collection or f"Archief {options.organisation_name}")
    add("hashcodeSIP", "sha256:" + hashlib.sha256(manifest.encode("utf-8")).hexdigest())
    add("hashcodeSpecificatie", "SHA-256 van manifest-sha256.txt")
    add("tijdstempelCreatie", created)
    add("archiefvormer", options.organisation_name)
    add("contactpersoon", options.contact or "onbekend")
    add("aantalInformatieobjecten", str(objects))
    add("aantalBestanden", str(len(content)))
    add("aantalBestandenNietMDTO", str(len(content)))
    add("omvangBytes", str(sum(p.stat().st_size for p in content)))
    add("kopie", copy)
    add("bijzonderheden", "Sociale-media-archief: per bericht een WARC 1.1 (fmt/1281, ongecomprimeerd) met de "
        "records zoals vastgelegd, een schermafbeelding (PNG, fmt/11) en metagegevens (JSON, fmt/817). "
        f"Kopie: {copy}.")
    ET.indent(slip, space="\t")
    path = root / "pakbon.xml"
    path.write_bytes(ET.tostring(slip, encoding="UTF-8", xml_declaration=True) + b"\n")
    validate_pakbon(path)
    return path


def validate_pakbon(path: Path) -> None:
    import xmlschema

    errors = list(xmlschema.XMLSchema(str(PAKBON_XSD)).iter_errors(str(path)))
    if errors:
        from .mdto import InvalidMDTO

        raise InvalidMDTO(f"{path.name}: {errors[0].reason or errors[0].message}")
