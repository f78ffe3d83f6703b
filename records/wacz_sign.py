"""Signed WACZ (Webrecorder "WACZ Signing and Verification" 0.1.0, anonymous form) and its check.

`datapackage-digest.json` gets a `signedData` with the SHA-256 `hash` of `datapackage.json`, the
package's `created` time, `software`, `version`, an ECDSA P-256/SHA-256 `signature` of the hash
string (raw r||s, base64, as ArchiveWeb.page writes it) and the `publicKey` (DER SubjectPublicKeyInfo,
base64). The private key is the organisation's, kept beside its pseudonymisation key, never in an
archive: `$SMA_KEYS_DIR/<organisation>.signing.pem` (PKCS#8, 0600 in a 0700 folder), made on first use.
The public key is written next to it (`.signing.pub.pem`) to hand out of band to whoever verifies.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import stat
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

SOFTWARE = "SMA records.wacz_sign"
SPEC_VERSION = "0.1.0"
DIGEST_FILE = "datapackage-digest.json"
CHUNK = 1 << 20


class SigningError(Exception):
    """A key that cannot be used, or a WACZ that cannot be signed: one line for the user."""


def signing_key_path(organisation: str) -> Path:
    from crawler.privacy.keys import check_organisation, keys_dir

    return keys_dir() / f"{check_organisation(organisation)}.signing.pem"


def load_signing_key(organisation: str, archive_dir: Path | None = None,
                     create: bool = True) -> ec.EllipticCurvePrivateKey:
    path = signing_key_path(organisation)
    if archive_dir is not None:
        archive = Path(archive_dir).resolve()
        if archive == path.resolve() or archive in path.resolve().parents:
            raise SigningError(f"signing key {path} is inside the archive directory {archive_dir}; keep keys apart")
    if not path.exists():
        if not create:
            raise SigningError(f"no signing key for organisation {organisation!r} (looked for {path})")
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        os.replace(path.with_suffix(".tmp"), path)
        path.with_name(path.name.replace(".pem", ".pub.pem")).write_bytes(key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        return key
    if stat.S_IMODE(path.stat().st_mode) & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningError(f"signing key {path} is readable by others; chmod 600 it")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as exc:
        raise SigningError(f"{path} is not a PEM private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SigningError(f"{path} is not an ECDSA P-256 key")
    return key


def public_key_b64(key: ec.EllipticCurvePublicKey) -> str:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def key_fingerprint(public_b64: str) -> str:
    return "sha256:" + hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:32]


def _sha256(fh) -> str:  # noqa: ANN001 - a binary stream
    h = hashlib.sha256()
    for chunk in iter(lambda: fh.read(CHUNK), b""):
        h.update(chunk)
    return "sha256:" + h.hexdigest()


def sign_hash(key: ec.EllipticCurvePrivateKey, digest: str) -> str:
    der = key.sign(digest.encode("ascii"), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode("ascii")


def signature_valid(public_b64: str, digest: str, signature_b64: str) -> bool:
    try:
        key = serialization.load_der_public_key(base64.b64decode(public_b64))
        raw = base64.b64decode(signature_b64)
        if not isinstance(key, ec.EllipticCurvePublicKey) or len(raw) != 64:
            return False
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        key.verify(der, digest.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def sign_wacz(path: Path, key: ec.EllipticCurvePrivateKey, extra: Callable[[str], dict] | None = None) -> dict:
    """Rewrites `path` with a signed `datapackage-digest.json` (every other entry copied as it was).
    `extra(signature)` adds fields to `signedData` before anything is written (records/timestamp.py)."""
    path = Path(path)
    with zipfile.ZipFile(path) as zin:
        names = zin.namelist()
        if "datapackage.json" not in names:
            raise SigningError(f"{path} has no datapackage.json")
        raw = zin.read("datapackage.json")
        created = json.loads(raw).get("created")
        if not created:
            raise SigningError(f"{path}: datapackage.json has no 'created' time to sign")
        digest = "sha256:" + hashlib.sha256(raw).hexdigest()
        signed = {"hash": digest, "created": created, "software": SOFTWARE, "version": SPEC_VERSION,
                  "signature": sign_hash(key, digest), "publicKey": public_key_b64(key.public_key())}
        if extra is not None:
            signed.update(extra(signed["signature"]))
        body = json.dumps({"path": "datapackage.json", "hash": digest, "signedData": signed}, indent=2)
        tmp = path.with_name(path.name + ".signing")
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as zout:
            for info in zin.infolist():
                if info.filename == DIGEST_FILE:
                    continue
                with zin.open(info) as src, zout.open(info, "w", force_zip64=info.file_size > 2**31) as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
            digest_info = zipfile.ZipInfo(DIGEST_FILE, date_time=zin.getinfo("datapackage.json").date_time)
            digest_info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(digest_info, body)
    os.replace(tmp, path)
    return signed


def wacz_tool() -> list[str]:
    """py-wacz's command line: the `wacz` beside this Python, else `python -m wacz`."""
    tool = Path(sys.executable).with_name("wacz")
    return [str(tool)] if tool.exists() else [sys.executable, "-m", "wacz"]


def sign_wacz_file(path: Path, archive_dir: Path, tsa_url: str | None = None) -> dict:
    """Signs the WACZ at `path` with the organisation's key (SMA_ORGANISATION), with an RFC 3161
    timestamp of the signature when `tsa_url` is given. Fails closed: on any failure the WACZ is
    removed (no unsigned file where a signed one was asked for) and SigningError says why."""
    from sma.config import ORGANISATION

    try:
        extra = None
        if tsa_url:
            from records.timestamp import wacz_timestamper

            extra = wacz_timestamper(tsa_url)
        return sign_wacz(path, load_signing_key(ORGANISATION.get(), archive_dir=archive_dir), extra)
    except (SigningError, ValueError) as exc:
        Path(path).unlink(missing_ok=True)
        raise SigningError(f"signing {Path(path).name} failed: {exc}") from None


@dataclass
class WaczCheck:
    path: Path
    problems: list[str] = field(default_factory=list)
    checked: int = 0
    signed_by: str = ""  # the public key's fingerprint

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_wacz(path: Path, expected_public_key: str | None = None) -> WaczCheck:
    """Every resource's hash, the datapackage digest and the signature; `expected_public_key` (base64 DER
    or PEM text) pins whose signature it must be."""
    check = WaczCheck(Path(path))
    try:
        zin = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        check.problems.append(f"{path}: not a readable WACZ ({exc})")
        return check
    with zin:
        try:
            raw = zin.read("datapackage.json")
            package = json.loads(raw)
            digest_doc = json.loads(zin.read(DIGEST_FILE))
        except (KeyError, ValueError, zipfile.BadZipFile) as exc:
            check.problems.append(f"{path}: datapackage.json or {DIGEST_FILE} missing or unreadable ({exc})")
            return check
        names = set(zin.namelist())
        for resource in package.get("resources", []):
            name = resource.get("path", "")
            if name not in names:
                check.problems.append(f"{name}: listed in datapackage.json but not in the WACZ")
                continue
            try:
                with zin.open(name) as fh:
                    actual = _sha256(fh)
            except (zipfile.BadZipFile, OSError) as exc:  # a flipped bit in a deflated entry fails its CRC
                check.problems.append(f"{name}: unreadable ({exc})")
                continue
            check.checked += 1
            if actual != resource.get("hash"):
                check.problems.append(f"{name}: SHA-256 {actual} differs from datapackage.json's "
                                      f"{resource.get('hash')}")
        unlisted = names - {r.get("path") for r in package.get("resources", [])} - {"datapackage.json", DIGEST_FILE}
        for name in sorted(n for n in unlisted if not n.endswith("/")):
            check.problems.append(f"{name}: in the WACZ but not listed in datapackage.json")
        package_hash = "sha256:" + hashlib.sha256(raw).hexdigest()
        if digest_doc.get("hash") != package_hash:
            check.problems.append(f"datapackage.json: hash {package_hash} differs from {DIGEST_FILE}'s")
        signed = digest_doc.get("signedData")
        if not signed:
            check.problems.append(f"{DIGEST_FILE}: no signedData (the WACZ is not signed)")
            return check
        if signed.get("hash") != package_hash:
            check.problems.append("signedData: signs another hash than datapackage.json's")
        if signed.get("created") != package.get("created"):
            check.problems.append("signedData: 'created' differs from datapackage.json's")
        public = signed.get("publicKey") or ""
        if not public:
            check.problems.append("signedData: no publicKey (only the anonymous form is verified here)")
            return check
        check.signed_by = key_fingerprint(public)
        if not signature_valid(public, signed.get("hash", ""), signed.get("signature", "")):
            check.problems.append("signedData: the signature does not verify with its publicKey")
        if expected_public_key:
            expected = _normalise_public(expected_public_key)
            if expected != public:
                check.problems.append(f"signedData: signed by {check.signed_by}, not by the expected key "
                                      f"{key_fingerprint(expected)}")
    return check


def _normalise_public(text: str) -> str:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode("ascii"))
        return public_key_b64(key)  # type: ignore[arg-type]
    return text
