"""RFC 3161 trusted timestamp of a signed WACZ (`sma export --tsa-url URL`, `sma verify FILE.wacz`).

The WACZ auth spec 0.1.0 has `timeSignature` ("base64-encoded RFC 3161 timestamp of the signature") and
`timestampCert` (the TSA's certificate, PEM) in `signedData`; we add both to the anonymous form. The message
imprint is the SHA-256 of the `signature` string's ASCII bytes, so the TSA's time is bound to the signature,
the signature to the datapackage digest, the digest to every resource. The token is the DER
TimeStampToken (CMS SignedData over a TSTInfo), base64.

The request is built and the answer checked here with asn1crypto + cryptography: the token's imprint and
nonce, the CMS signed attributes (content type, message digest of the TSTInfo), the signature with the
certificate in the token, that certificate's timeStamping key usage, and, given a trusted TSA certificate
(`--tsa-cert`), that the signer is that certificate or was issued by it. Revocation (CRL/OCSP) is not checked.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from records.wacz_sign import DIGEST_FILE, SigningError, signature_valid

TIMEOUT = 30.0
MAX_REPLY = 1 << 20
HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class TimeStampResp(core.Sequence):
    """RFC 3161's TimeStampResp, with the token OPTIONAL as the RFC has it (asn1crypto's requires it, but a
    TSA that refuses sends only the status)."""

    _fields = [("status", tsp.PKIStatusInfo), ("time_stamp_token", cms.ContentInfo, {"optional": True})]


class TimestampError(SigningError):
    """The TSA cannot be reached, refuses, or answers something that does not check: one line for the user."""


def _digest(name: str, data: bytes) -> bytes:
    return hashlib.new(name, data).digest()


def build_request(data: bytes, nonce: int) -> bytes:
    return tsp.TimeStampReq({
        "version": 1,
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": _digest("sha256", data)},
        "nonce": nonce,
        "cert_req": True,
    }).dump()


def request_token(tsa_url: str, data: bytes, timeout: float = TIMEOUT) -> bytes:
    """POSTs a timestamp query for `data` to `tsa_url`; the checked TimeStampToken (DER)."""
    if not tsa_url.startswith(("http://", "https://")):
        raise TimestampError(f"TSA URL must be http:// or https://: {tsa_url}")
    nonce = secrets.randbits(63)
    request = urllib.request.Request(tsa_url, data=build_request(data, nonce), method="POST", headers={
        "Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - the user's TSA URL
            body = reply.read(MAX_REPLY + 1)
    except urllib.error.HTTPError as exc:
        raise TimestampError(f"timestamp authority {tsa_url} answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TimestampError(f"timestamp authority {tsa_url} cannot be reached: {reason}") from None
    if len(body) > MAX_REPLY:
        raise TimestampError(f"timestamp authority {tsa_url} answered more than {MAX_REPLY} bytes")
    try:
        response = TimeStampResp.load(body)
        status = response["status"]["status"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(f"timestamp authority {tsa_url} did not answer an RFC 3161 response ({exc})") from None
    if status not in ("granted", "granted_with_mods"):
        text = response["status"]["status_string"].native or []
        info = response["status"]["fail_info"].native
        detail = "; ".join([*text, *(sorted(info) if info else [])])
        raise TimestampError(f"timestamp authority {tsa_url} refused: {status}" + (f" ({detail})" if detail else ""))
    token = response["time_stamp_token"].dump()
    check = check_token(token, data)
    if check.problems:
        raise TimestampError(f"timestamp authority {tsa_url} answered a token that does not check: "
                             f"{check.problems[0]}")
    if check.nonce != nonce:
        raise TimestampError(f"timestamp authority {tsa_url} answered a token for another request (nonce differs)")
    return token


def wacz_timestamper(tsa_url: str, timeout: float = TIMEOUT) -> Callable[[str], dict]:
    """For `sign_wacz(..., extra=)`: the `timeSignature` and `timestampCert` fields for a signature string."""

    def fields(signature: str) -> dict:
        token = request_token(tsa_url, signature.encode("ascii"), timeout)
        cert = _signer_certificate(cms.ContentInfo.load(token)["content"])
        pem = x509.load_der_x509_certificate(cert.dump()).public_bytes(serialization.Encoding.PEM)
        return {"timeSignature": base64.b64encode(token).decode("ascii"), "timestampCert": pem.decode("ascii")}

    return fields


@dataclass
class TimestampCheck:
    problems: list[str] = field(default_factory=list)
    time: datetime | None = None
    tsa: str = ""  # the signer certificate's subject
    nonce: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _signer_certificate(signed: cms.SignedData) -> cms.Certificate:
    signer = signed["signer_infos"][0]
    sid = signer["sid"]
    for choice in signed["certificates"] or []:
        cert = choice.chosen
        if not isinstance(cert, cms.Certificate):
            continue
        if sid.name == "issuer_and_serial_number":
            if (cert.issuer == sid.chosen["issuer"] and cert.serial_number == sid.chosen["serial_number"].native):
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    raise ValueError("the token holds no certificate of its signer (was it requested with certReq?)")


def _verify_signature(cert: x509.Certificate, signature: bytes, data: bytes, digest: str) -> bool:
    key = cert.public_key()
    algorithm = HASHES[digest]()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
        else:
            return False
        return True
    except InvalidSignature:
        return False


def check_token(token: bytes, data: bytes, trusted_cert: x509.Certificate | None = None) -> TimestampCheck:
    """Everything about one TimeStampToken that can be checked without revocation data."""
    check = TimestampCheck()
    problems = check.problems
    try:
        info = cms.ContentInfo.load(token)
        if info["content_type"].native != "signed_data":
            problems.append("the token is not CMS SignedData")
            return check
        signed = info["content"]
        content = signed["encap_content_info"]
        if content["content_type"].native != "tst_info":
            problems.append("the token does not hold a TSTInfo")
            return check
        tst_der = content["content"].parsed.dump()
        tst = tsp.TSTInfo.load(tst_der)
        check.time = tst["gen_time"].native
        check.nonce = tst["nonce"].native
        imprint = tst["message_imprint"]
        digest = imprint["hash_algorithm"]["algorithm"].native
        if digest not in HASHES:
            problems.append(f"the token's imprint uses {digest}, not SHA-2")
            return check
        if imprint["hashed_message"].native != _digest(digest, data):
            problems.append("the token's message imprint does not match the signature it should timestamp")
        signer = signed["signer_infos"][0]
        cert_asn1 = _signer_certificate(signed)
        cert = x509.load_der_x509_certificate(cert_asn1.dump())
        check.tsa = cert.subject.rfc4514_string()
        signer_digest = signer["digest_algorithm"]["algorithm"].native
        if signer_digest not in HASHES:
            problems.append(f"the token is signed with {signer_digest}, not SHA-2")
            return check
        attrs = signer["signed_attrs"]
        values = {attr["type"].native: attr["values"][0].native for attr in attrs}
        if values.get("content_type") != "tst_info":
            problems.append("the token's signed content type is not TSTInfo")
        if values.get("message_digest") != _digest(signer_digest, tst_der):
            problems.append("the token's signed message digest does not match its TSTInfo (the time was altered?)")
        signed_bytes = b"\x31" + attrs.dump()[1:]  # signed over as SET OF, not as the [0] IMPLICIT field
        if not _verify_signature(cert, signer["signature"].native, signed_bytes, signer_digest):
            problems.append(f"the token's signature does not verify with the TSA certificate ({check.tsa})")
        try:
            usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            if ExtendedKeyUsageOID.TIME_STAMPING not in usage:
                problems.append(f"the TSA certificate ({check.tsa}) is not for timestamping")
        except x509.ExtensionNotFound:
            problems.append(f"the TSA certificate ({check.tsa}) has no timeStamping extended key usage")
        if trusted_cert is not None and cert != trusted_cert:
            try:
                cert.verify_directly_issued_by(trusted_cert)
            except (ValueError, TypeError, InvalidSignature):
                problems.append(f"the TSA certificate ({check.tsa}) is not the trusted one "
                                f"({trusted_cert.subject.rfc4514_string()}) nor issued by it")
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        problems.append(f"not a readable RFC 3161 token ({type(exc).__name__}: {exc})")
    return check


def check_wacz_timestamp(signed_data: dict, package_hash: str,
                         trusted_cert: x509.Certificate | None = None) -> TimestampCheck | None:
    """None when `signedData` has no `timeSignature`; problems start with 'timeSignature:'."""
    encoded = signed_data.get("timeSignature")
    if not encoded:
        return None
    try:
        token = base64.b64decode(encoded, validate=True)
    except (ValueError, TypeError):
        return TimestampCheck(problems=["timeSignature: not base64"])
    signature = signed_data.get("signature") or ""
    check = check_token(token, signature.encode("ascii", "replace"), trusted_cert)
    check.problems = [f"timeSignature: {p}" for p in check.problems]
    claimed = signed_data.get("hash") or ""
    if claimed != package_hash or not signature_valid(signed_data.get("publicKey") or "", claimed, signature):
        check.problems.append("timeSignature: the timestamped signature does not sign this datapackage.json's "
                              "digest (signedData altered), so the TSA time proves nothing about this WACZ")
    return check


def load_trusted_cert(path: str) -> x509.Certificate:
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        return x509.load_pem_x509_certificate(raw) if b"-----BEGIN" in raw else x509.load_der_x509_certificate(raw)
    except ValueError as exc:
        raise TimestampError(f"{path} is not an X.509 certificate ({exc})") from None


def read_signed_data(zin, name: str = DIGEST_FILE) -> dict:  # noqa: ANN001 - an open ZipFile
    import json

    return json.loads(zin.read(name)).get("signedData") or {}


__all__ = ["TimestampError", "TimestampCheck", "build_request", "request_token", "wacz_timestamper",
           "check_token", "check_wacz_timestamp", "load_trusted_cert", "read_signed_data"]
