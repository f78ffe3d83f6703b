"""The audit log's keys, kept OUTSIDE the archive (like the pseudonymisation secret, see
crawler/privacy/keys.py): whoever can write the archive must not be able to re-seal its log.

    $SMA_KEYS_DIR/audit-<log id>.hmac      32 random bytes (base64): the HMAC key of the chain
    $SMA_KEYS_DIR/audit-<log id>.ed25519   the Ed25519 private key that signs checkpoints (PEM)

The log id is random, written once into DIR/.sma/audit-id (not a secret: it only names the keys).
Folder 0700, files 0600; a key file readable by others is refused.
"""

from __future__ import annotations

import base64
import os
import secrets
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crawler.privacy.keys import keys_dir

ID_FILE = Path(".sma") / "audit-id"


class AuditKeyError(RuntimeError):
    """A missing or unsafe audit key: one line for the user."""


def log_id(archive_dir: Path, create: bool = False) -> str | None:
    path = Path(archive_dir) / ID_FILE
    try:
        value = path.read_text(encoding="ascii").strip()
        return value if value.isalnum() else None
    except FileNotFoundError:
        if not create:
            return None
    except (OSError, UnicodeDecodeError):
        return None
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_hex(16)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return log_id(archive_dir)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    return value


def _key_file(archive_dir: Path, suffix: str, create: bool) -> Path | None:
    ident = log_id(archive_dir, create=create)
    if ident is None:
        return None
    folder = keys_dir()
    archive = Path(archive_dir).resolve()
    if folder.resolve() == archive or archive in folder.resolve().parents:
        raise AuditKeyError(f"the keys folder {folder} is inside the archive {archive}; keep keys apart")
    return folder / f"audit-{ident}.{suffix}"


def _read_private(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AuditKeyError(f"key file {path} is readable by others (mode {stat.S_IMODE(mode):o}); chmod 600 it")
    return path.read_bytes()


def _create(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first: theirs is the key
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def hmac_key(archive_dir: Path, create: bool = False) -> bytes | None:
    """The chain's HMAC key; made on first use when `create` (the first append)."""
    path = _key_file(archive_dir, "hmac", create)
    if path is None:
        return None
    if not path.exists():
        if not create:
            return None
        _create(path, base64.b64encode(secrets.token_bytes(32)) + b"\n")
    return base64.b64decode(_read_private(path).strip())


def signing_key(archive_dir: Path, create: bool = False) -> Ed25519PrivateKey | None:
    path = _key_file(archive_dir, "ed25519", create)
    if path is None:
        return None
    if not path.exists():
        if not create:
            return None
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        _create(path, pem)
    key = serialization.load_pem_private_key(_read_private(path), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditKeyError(f"{path} is not an Ed25519 key")
    return key


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")
