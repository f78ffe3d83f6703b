"""The organisation's pseudonymisation secret: where it lives, and the keys derived from it.

One secret per organisation, never inside an archive directory. From it HKDF derives two
independent keys: one for the HMAC that makes pseudonyms, one (Fernet) that encrypts the PII
ledger. Knowing a pseudonym or a ledger ciphertext reveals nothing of the other key.

Where the secret comes from, first match wins:
  1. `SMA_PSEUDONYM_KEY` (base64 of at least 32 bytes), e.g. from a secrets manager;
  2. the file `$SMA_KEYS_DIR/<organisation>.key` (default `~/.config/sma/keys`): base64, one line,
     the directory 0700 and the file 0600 -- a file readable by group or others is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sma import config

ENV_KEY = "SMA_PSEUDONYM_KEY"
SECRET_BYTES = 32
ORGANISATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DEFAULT_ORGANISATION = "default"


class KeyProblem(Exception):
    """A key that is missing, malformed or unsafely stored: one line for the user."""


@dataclass(frozen=True)
class OrganisationKeys:
    organisation: str
    hmac_key: bytes  # for Pseudonymiser
    fernet_key: bytes  # urlsafe-base64, for cryptography.fernet.Fernet
    fingerprint: str  # names the secret in archives and ledgers without revealing it
    source: str  # "environment" or the key file's path

    def fernet(self) -> Fernet:
        return Fernet(self.fernet_key)


def keys_dir() -> Path:
    return config.KEYS_DIR.path()


def check_organisation(organisation: str) -> str:
    if not ORGANISATION_ID.match(organisation or ""):
        raise KeyProblem(f"not an organisation id: {organisation!r} (letters, digits, '.', '_', '-')")
    return organisation


def key_path(organisation: str) -> Path:
    return keys_dir() / f"{check_organisation(organisation)}.key"


def derive(secret: bytes, organisation: str, source: str) -> OrganisationKeys:
    def hkdf(purpose: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"sma/" + purpose).derive(secret)

    fingerprint = hashlib.sha256(b"sma/fingerprint" + secret).hexdigest()[:16]
    return OrganisationKeys(
        organisation=organisation,
        hmac_key=hkdf(b"pseudonym-hmac"),
        fernet_key=base64.urlsafe_b64encode(hkdf(b"ledger-fernet")),
        fingerprint=fingerprint,
        source=source,
    )


def _decode(text: str, where: str) -> bytes:
    try:
        secret = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyProblem(f"{where} is not base64") from exc
    if len(secret) < SECRET_BYTES:
        raise KeyProblem(f"{where} holds {len(secret)} bytes; a key needs at least {SECRET_BYTES}")
    return secret


def _check_private(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyProblem(f"key file {path} is readable by others (mode {stat.S_IMODE(mode):o}); chmod 600 it")


def _refuse_inside(path: Path, archive_dir: Path | None) -> None:
    if archive_dir is None:
        return
    archive = Path(archive_dir).resolve()
    target = path.resolve()
    if target == archive or archive in target.parents:
        raise KeyProblem(f"key location {path} is inside the archive directory {archive_dir}; keep keys apart")


def init_key(organisation: str, force: bool = False, archive_dir: Path | None = None) -> Path:
    """Creates `<keys dir>/<organisation>.key` (0600, in a 0700 directory); refuses to overwrite."""
    path = key_path(organisation)
    _refuse_inside(path, archive_dir)
    if path.exists() and not force:
        raise KeyProblem(f"key file {path} exists; rotating a key needs --force (see docs/privacy.md)")
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    secret = base64.b64encode(os.urandom(SECRET_BYTES)).decode("ascii")
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret + "\n")
    os.replace(tmp, path)
    return path


def load_keys(
    organisation: str = DEFAULT_ORGANISATION, create: bool = False, archive_dir: Path | None = None
) -> OrganisationKeys:
    """The organisation's keys; with `create`, a missing key file is made (and said on stderr)."""
    check_organisation(organisation)
    env = config.PSEUDONYM_KEY.get()
    if env:
        return derive(_decode(env, ENV_KEY), organisation, "environment")
    path = key_path(organisation)
    _refuse_inside(path, archive_dir)
    if not path.exists():
        if not create:
            raise KeyProblem(f"no key for organisation {organisation!r}: set {ENV_KEY} or run `sma keys init "
                            f"--organisation {organisation}` (looked for {path})")
        init_key(organisation, archive_dir=archive_dir)
        print(f"sma: created pseudonymisation key {path} for organisation {organisation!r}; back it up: "
              "without it pseudonyms cannot be linked again and the PII ledger cannot be read", file=sys.stderr)
    _check_private(path)
    return derive(_decode(path.read_text(encoding="ascii"), str(path)), organisation, str(path))
