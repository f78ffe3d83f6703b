"""A throw-away RFC 3161 timestamp authority for the tests: 127.0.0.1 only, a free port, a fresh ECDSA P-256
key and self-signed certificate (critical timeStamping key usage). It answers a TimeStampReq with a real
TimeStampToken (TSTInfo in CMS SignedData, ESS signing-certificate-v2), or, on the path /refuse, with a
`rejection` status as a TSA that refuses would."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

POLICY = "1.3.6.1.4.1.99999.3161.1"  # a made-up policy OID: this TSA vouches for nothing outside the tests


class TimestampAuthority:
    def __init__(self, name: str = "SMA test TSA") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.now(UTC)
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
                     .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.cert_der = self.cert.public_bytes(serialization.Encoding.DER)
        self.serial = 0
        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/tsa"

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def __enter__(self) -> TimestampAuthority:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def token(self, request: tsp.TimeStampReq) -> cms.ContentInfo:
        self.serial += 1
        tst = tsp.TSTInfo({
            "version": 1, "policy": POLICY, "message_imprint": request["message_imprint"],
            "serial_number": self.serial, "gen_time": datetime.now(UTC).replace(microsecond=0),
            "nonce": request["nonce"].native, "tsa": asn1_x509.GeneralName(
                {"directory_name": asn1_x509.Certificate.load(self.cert_der).subject}),
        })
        tst_der = tst.dump()
        cert = asn1_x509.Certificate.load(self.cert_der)
        attrs = cms.CMSAttributes([
            cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
            cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": datetime.now(UTC)})]}),
            cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]}),
            cms.CMSAttribute({"type": "signing_certificate_v2", "values": [tsp.SigningCertificateV2({
                "certs": [{"cert_hash": hashlib.sha256(self.cert_der).digest()}]})]}),
        ])
        signature = self.key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))  # the SET OF encoding is signed
        signer = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
                {"issuer": cert.issuer, "serial_number": cert.serial_number})}),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signed_attrs": attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": signature,
        })
        signed = cms.SignedData({
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {"content_type": "tst_info",
                                   "content": core.ParsableOctetString(tst_der)},
            "certificates": [cert] if request["cert_req"].native else [],
            "signer_infos": [signer],
        })
        return cms.ContentInfo({"content_type": "signed_data", "content": signed})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                tsa.requests += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415, "expected application/timestamp-query")
                    return
                if self.path == "/refuse":
                    status = tsp.PKIStatusInfo({"status": "rejection", "status_string": ["policy refused"],
                                                "fail_info": tsp.PKIFailureInfo({"unaccepted_policy"})}).dump()
                    data = _der_sequence(status)  # no timeStampToken (asn1crypto will not leave it out)
                else:
                    token = tsa.token(tsp.TimeStampReq.load(body))
                    data = tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def _der_sequence(content: bytes) -> bytes:
    n, width = len(content), (len(content).bit_length() + 7) // 8
    length = bytes([n]) if n < 0x80 else bytes([0x80 | width]) + n.to_bytes(width, "big")
    return b"\x30" + length + content
