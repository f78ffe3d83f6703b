"""RFC 3161 timestamp of a signed WACZ: `sma export --tsa-url URL` stores the TSA's token over the signature
in `signedData.timeSignature`; `sma verify FILE.wacz` checks it and prints the TSA's time; a tampered digest or
token fails naming the timestamp; a TSA that cannot be reached or refuses fails the export with one line and
leaves no WACZ. A tiny archive (one WARC record) and a local test TSA (tests/tsa_server.py): no crawl."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import socket
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import run_sma
from tests.tsa_server import TimestampAuthority


@pytest.fixture(scope="module")
def tsa():
    with TimestampAuthority() as server:
        yield server


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("tsa-keys") / "keys"


def env(keys: Path) -> dict:
    return {**os.environ, "SMA_KEYS_DIR": str(keys), "SMA_ORGANISATION": "ministerie-demo", "SMA_TSA_URL": ""}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from archive.pages import append_page

    root = tmp_path_factory.mktemp("tsa-archive")
    (root / "warcs").mkdir()
    url = "https://social.example.nl/@gemeente/1"
    with open(root / "warcs" / "tiny.warc.gz", "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        body = b"<html><title>Bericht</title><p>Afvalkalender 2027 staat online.</p></html>"
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                      http_headers=headers))
    append_page(root, {"id": "p1", "url": url, "ts": "2026-12-01T10:00:00Z", "title": "Bericht"})
    return root


@pytest.fixture(scope="module")
def stamped(archive, keys, tsa, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tsa-wacz") / "stamped.wacz"
    proc = run_sma("export", str(archive), "--out", str(out), "--tsa-url", tsa.url, env=env(keys), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "wacz validate: ok" in proc.stdout and "RFC 3161 timestamp" in proc.stdout, proc.stdout
    return out


def verify(path: Path, keys: Path, *extra: str):  # noqa: ANN201 - CompletedProcess
    return run_sma("verify", str(path), *extra, env=env(keys), timeout=300)


def digest_doc(path: Path) -> dict:
    return json.loads(zipfile.ZipFile(path).read("datapackage-digest.json"))


def with_digest_doc(src: Path, dst: Path, doc: dict) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = json.dumps(doc).encode() if info.filename == "datapackage-digest.json" else zin.read(info)
            zout.writestr(info, data)
    return dst


def flip_hex(text: str, at: int) -> str:
    return text[:at] + ("0" if text[at] != "0" else "1") + text[at + 1:]


def test_export_with_a_tsa_url_is_timestamped_and_verify_shows_the_tsa_time(stamped, keys, tsa, tmp_path):
    signed = digest_doc(stamped)["signedData"]
    token = base64.b64decode(signed["timeSignature"])
    assert hashlib.sha256(signed["signature"].encode()).digest() in token  # the imprint: the signature
    assert signed["timestampCert"].encode().strip() == tsa.cert_pem.strip()
    cert = tmp_path / "tsa.pem"
    cert.write_bytes(tsa.cert_pem)
    result = verify(stamped, keys, "--tsa-cert", str(cert))
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(x for x in result.stdout.splitlines() if "RFC 3161 timestamp valid" in x)
    assert "by TSA CN=SMA test TSA (trusted certificate)" in line, line
    when = datetime.fromisoformat(line.split("signed at ")[1].split(" ")[0])
    assert abs(datetime.now(UTC) - when) < timedelta(minutes=10), line


def test_a_flipped_byte_of_the_datapackage_digest_fails_naming_the_timestamp(stamped, keys, tmp_path):
    doc = digest_doc(stamped)
    forged_hash = flip_hex(doc["hash"], 20)
    doc["hash"] = doc["signedData"]["hash"] = forged_hash
    result = verify(with_digest_doc(stamped, tmp_path / "digest.wacz", doc), keys)
    assert result.returncode == 1, result.stdout
    assert "FAIL digest.wacz: timeSignature: the timestamped signature does not sign" in result.stdout, result.stdout
    assert "RFC 3161 timestamp valid" not in result.stdout


@pytest.mark.parametrize("where", ["imprint", "signature"])
def test_a_flipped_byte_of_the_token_fails_naming_the_timestamp(stamped, keys, tmp_path, where):
    doc = digest_doc(stamped)
    token = bytearray(base64.b64decode(doc["signedData"]["timeSignature"]))
    if where == "imprint":
        at = bytes(token).index(hashlib.sha256(doc["signedData"]["signature"].encode()).digest()) + 7
    else:
        at = len(token) - 1  # the last byte of the ECDSA signature (no unsigned attributes follow)
    token[at] ^= 0x01
    doc["signedData"]["timeSignature"] = base64.b64encode(bytes(token)).decode()
    result = verify(with_digest_doc(stamped, tmp_path / f"token-{where}.wacz", doc), keys)
    assert result.returncode == 1, result.stdout
    expected = {"imprint": "timeSignature: the token's message imprint does not match",
                "signature": "timeSignature: the token's signature does not verify"}[where]
    assert expected in result.stdout, result.stdout


def test_a_timestamp_by_another_tsa_than_the_trusted_one_is_refused(stamped, keys, tmp_path):
    other = tmp_path / "other-tsa.pem"
    other.write_bytes(TimestampAuthority("Another TSA").cert_pem)
    result = verify(stamped, keys, "--tsa-cert", str(other))
    assert result.returncode == 1, result.stdout
    assert "is not the trusted one (CN=Another TSA)" in result.stdout, result.stdout


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_tsa_that_cannot_be_reached_fails_the_export_with_one_line_and_no_wacz(archive, keys, tmp_path):
    out = tmp_path / "never.wacz"
    url = f"http://127.0.0.1:{closed_port()}/tsa"
    proc = run_sma("export", str(archive), "--out", str(out), "--tsa-url", url, env=env(keys), timeout=300)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sma: error: signing never.wacz failed: timestamp authority "
                                                   f"{url} cannot be reached"), proc.stderr
    assert not out.exists() and not list(tmp_path.glob("never.wacz*"))


def test_a_tsa_that_refuses_is_named_with_its_status(tsa):
    from records.timestamp import TimestampError, request_token

    refusing = tsa.url.replace("/tsa", "/refuse")
    with pytest.raises(TimestampError) as caught:
        request_token(refusing, b"signature")
    assert str(caught.value) == f"timestamp authority {refusing} refused: rejection (policy refused; unaccepted_policy)"
