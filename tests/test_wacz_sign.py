"""Signed WACZ (WACZ Signing and Verification 0.1.0, anonymous form): `sma export` signs, `wacz validate`
still passes, `sma verify FILE.wacz` checks every digest and the signature and catches one flipped byte."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_sma


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("signing-keys") / "keys"
    return path


@pytest.fixture(scope="module")
def signed(mastodon_crawl, keys, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("signed") / "archive.wacz"
    proc = run_sma("export", str(mastodon_crawl.archive), "--out", str(out), env=env(keys), timeout=900)
    assert proc.returncode == 0, proc.stderr
    return out


def env(keys: Path) -> dict:
    return {**os.environ, "SMA_KEYS_DIR": str(keys), "SMA_ORGANISATION": "ministerie-demo"}


def verify(path: Path, keys: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_sma("verify", str(path), *extra, env=env(keys), timeout=600)


def copy_with(src: Path, dst: Path, change) -> Path:  # noqa: ANN001 - change(name, bytes) -> bytes
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, change(info.filename, zin.read(info)))
    return dst


def test_export_is_signed_valid_and_verifies(signed, keys):
    proc = subprocess.run([str(Path(sys.executable).with_name("wacz")), "validate", "-f", str(signed)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "Validation succeeded" in proc.stdout, proc.stdout + proc.stderr
    digest = json.loads(zipfile.ZipFile(signed).read("datapackage-digest.json"))
    signed_data = digest["signedData"]
    assert set(signed_data) >= {"hash", "created", "software", "signature", "publicKey"}
    assert signed_data["hash"] == digest["hash"]
    key_file = keys / "ministerie-demo.signing.pem"
    assert key_file.stat().st_mode & 0o077 == 0 and keys.stat().st_mode & 0o077 == 0
    result = verify(signed, keys, "--public-key", str(keys / "ministerie-demo.signing.pub.pem"))
    assert result.returncode == 0 and "signature valid" in result.stdout, result.stdout + result.stderr


def test_one_flipped_byte_in_a_warc_inside_the_wacz_is_caught(signed, keys, tmp_path):
    tampered = tmp_path / "tampered.wacz"
    tampered.write_bytes(signed.read_bytes())
    with zipfile.ZipFile(tampered) as zin:
        info = next(i for i in zin.infolist() if i.filename.startswith("archive/"))
        assert info.compress_type == zipfile.ZIP_STORED
        with open(tampered, "rb") as fh:
            fh.seek(info.header_offset + 26)
            name_len, extra_len = int.from_bytes(fh.read(2), "little"), int.from_bytes(fh.read(2), "little")
        at = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
    data = bytearray(tampered.read_bytes())
    data[at] ^= 0x01
    tampered.write_bytes(data)
    result = verify(tampered, keys)
    assert result.returncode == 1
    assert info.filename in result.stdout, result.stdout


def test_a_rewritten_datapackage_with_a_matching_digest_fails_the_signature(signed, keys, tmp_path):
    def change(name: str, data: bytes) -> bytes:
        return data.replace(b"SMA archive", b"SMA archivf", 1) if name == "datapackage.json" else data

    forged = copy_with(signed, tmp_path / "forged.wacz", change)
    with zipfile.ZipFile(forged) as z:
        raw = z.read("datapackage.json")
        digest = json.loads(z.read("datapackage-digest.json"))
    new_hash = "sha256:" + hashlib.sha256(raw).hexdigest()
    digest["hash"] = digest["signedData"]["hash"] = new_hash  # the forger cannot redo the signature
    refit = copy_with(forged, tmp_path / "refit.wacz", lambda n, d: json.dumps(digest).encode()
                      if n == "datapackage-digest.json" else d)
    result = verify(refit, keys)
    assert result.returncode == 1 and "signature does not verify" in result.stdout, result.stdout


def test_a_wacz_signed_by_another_key_is_refused_when_the_key_is_pinned(signed, keys, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ec

    from records.wacz_sign import sign_wacz

    copy = tmp_path / "copy.wacz"
    copy.write_bytes(signed.read_bytes())
    sign_wacz(copy, ec.generate_private_key(ec.SECP256R1()))
    assert verify(copy, keys).returncode == 0  # valid, but anonymous: signed by some key
    pinned = verify(copy, keys, "--public-key", str(keys / "ministerie-demo.signing.pub.pem"))
    assert pinned.returncode == 1 and "not by the expected key" in pinned.stdout, pinned.stdout
