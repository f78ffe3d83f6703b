"""Signed checkpoints of the fixity manifest: what makes it tamper-evident (docs/fixity.md).

The manifest (`<root>/.sma/fixity.jsonl`) only grows. A checkpoint records how long it was and the
SHA-256 of exactly those bytes, signed (ECDSA P-256, the organisation's WACZ signing key, which lives
outside every archive) and appended to `<root>/.sma/fixity-checkpoints.jsonl`:

    {"manifest": ".sma/fixity.jsonl", "size": 81234, "sha256": "sha256:…", "at": "…",
     "signature": "<base64 r||s>", "publicKey": "<base64 DER SubjectPublicKeyInfo>"}

Someone who can write the archive can change a WARC and its manifest line together, but not the prefix a
checkpoint signed without the private key: `verify` re-hashes each checkpointed prefix and checks the
signature (and, given the organisation's public key, that it is that key's). Lines appended after the
last checkpoint are covered by the next one.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .fixity import COPIES, MANIFEST, Problem, now_iso, sha256_file
from .wacz_sign import public_key_b64, sign_hash, signature_valid

CHECKPOINTS = Path(".sma") / "fixity-checkpoints.jsonl"


def _message(rel: str, size: int, digest: str, at: str) -> str:
    """What is signed: every field a checkpoint vouches for, so none can be swapped."""
    return hashlib.sha256(json.dumps([rel, size, digest, at]).encode("utf-8")).hexdigest()


def write_checkpoints(archive_dir: Path, key) -> list[dict]:  # noqa: ANN001 - ec.EllipticCurvePrivateKey
    """One signed checkpoint per copy's manifest (original, access, public) that exists."""
    archive_dir = Path(archive_dir)
    written = []
    for copy in COPIES:
        root = archive_dir / copy
        manifest = root / MANIFEST
        if not manifest.is_file():
            continue
        size = manifest.stat().st_size
        digest = "sha256:" + sha256_file(manifest, size)
        at = now_iso()
        entry = {"manifest": str(MANIFEST), "size": size, "sha256": digest, "at": at,
                 "signature": sign_hash(key, _message(str(MANIFEST), size, digest, at)),
                 "publicKey": public_key_b64(key.public_key())}
        line = (json.dumps(entry, sort_keys=True) + "\n").encode("utf-8")
        fd = os.open(root / CHECKPOINTS, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            if os.write(fd, line) != len(line):
                raise OSError(f"{root / CHECKPOINTS}: short write")
        finally:
            os.close(fd)
        written.append({**entry, "copy": copy or "original"})
    return written


def check_checkpoints(archive_dir: Path, public_b64: str | None = None) -> tuple[list[Problem], int]:
    """Problems with any checkpoint (a changed manifest prefix, a bad or foreign signature), and how many
    checkpoints were checked."""
    archive_dir = Path(archive_dir)
    problems: list[Problem] = []
    checked = 0
    for copy in COPIES:
        root = archive_dir / copy
        path = root / CHECKPOINTS
        if not path.is_file():
            continue
        rel = str(path.relative_to(archive_dir))
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            try:
                entry = json.loads(line)
                size, digest, at, key = int(entry["size"]), entry["sha256"], entry["at"], entry["publicKey"]
                manifest_rel = entry["manifest"]
                signature = entry["signature"]
            except (ValueError, KeyError, TypeError):
                problems.append(Problem(rel, f"checkpoint line {number} unreadable"))
                continue
            checked += 1
            where = f"{rel}:{number} ({at})"
            if not signature_valid(key, _message(manifest_rel, size, digest, at), signature):
                problems.append(Problem(rel, f"checkpoint line {number}: signature does not verify"))
                continue
            if public_b64 and key != public_b64:
                problems.append(Problem(rel, f"checkpoint line {number}: signed by another key"))
            manifest = root / manifest_rel
            manifest_name = str(manifest.relative_to(archive_dir))
            if not manifest.is_file() or manifest.stat().st_size < size:
                problems.append(Problem(manifest_name, f"shorter than the {size} bytes checkpoint {where} signed"))
            elif "sha256:" + sha256_file(manifest, size) != digest:
                problems.append(Problem(manifest_name, f"the first {size} bytes differ from what checkpoint "
                                                       f"{where} signed: a manifest line was rewritten"))
    return problems, checked
