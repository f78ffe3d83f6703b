"""Login sessions: Playwright storage states kept outside any archive, readable by their owner only.

`sma session import NAME FILE` stores a storage state (cookies and localStorage, as written by
Playwright's `context.storage_state(path=...)`) as NAME.json, mode 0600, in a 0700 folder
($SMA_SESSIONS_DIR, default ~/.config/sma/sessions). Crawls of accounts that name the session use
it; session_secrets() lists what the crawler must scrub so no session secret reaches the archive.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sma.config import SESSIONS_DIR

SESSION_NAME = re.compile(r"[A-Za-z0-9_-]+")
# Shorter values (flags like "1", "true") would scrub ordinary page text; they are no secret.
MIN_SECRET_LENGTH = 4


class SessionError(Exception):
    """A session that is missing, misnamed or not a storage state."""


@dataclass(frozen=True)
class SessionInfo:
    """What `sma session list` shows: never a value."""

    name: str
    path: Path
    mode: int
    cookie_count: int
    domains: tuple[str, ...]
    origins: tuple[str, ...]
    expires: float | None  # earliest expiry of a persistent cookie (Unix time), None if none expire
    problem: str | None = None  # set when the stored file is no longer a readable storage state


def sessions_dir() -> Path:
    """$SMA_SESSIONS_DIR or ~/.config/sma/sessions, created (and kept) 0700."""
    directory = SESSIONS_DIR.path()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if directory.stat().st_mode & 0o777 != 0o700:
        directory.chmod(0o700)
    return directory


def check_name(name: str) -> str:
    if not isinstance(name, str) or not SESSION_NAME.fullmatch(name):
        raise SessionError(f"bad session name {name!r}: use letters, digits, '_' and '-' only")
    return name


def import_session(name: str, source: Path) -> Path:
    """Validates a storage state file and stores it as NAME.json (0600 from the start, atomic)."""
    check_name(name)
    source = Path(source)
    try:
        raw = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"{source}: cannot read it: {exc}") from None
    state = validate_storage_state(raw, str(source))
    directory = sessions_dir()
    target = directory / f"{name}.json"
    # mkstemp creates the file 0600: the secret is never readable by others, not even for a moment.
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def validate_storage_state(raw: str, where: str) -> dict[str, Any]:
    """The parsed storage state, or SessionError saying what is wrong (never quoting a value)."""
    not_state = f"{where} is not a Playwright storage state"
    try:
        state = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SessionError(f"{not_state}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(state, dict) or not isinstance(state.get("cookies"), list):
        raise SessionError(f"{not_state}: it needs a JSON object with a \"cookies\" list")
    for i, cookie in enumerate(state["cookies"]):
        if not isinstance(cookie, dict) or not all(isinstance(cookie.get(k), str) for k in ("name", "value", "domain")):
            raise SessionError(f"{not_state}: cookie #{i + 1} needs text \"name\", \"value\" and \"domain\"")
    origins = state.get("origins", [])
    if not isinstance(origins, list):
        raise SessionError(f"{not_state}: \"origins\" must be a list")
    for i, origin in enumerate(origins):
        if not isinstance(origin, dict) or not isinstance(origin.get("origin"), str):
            raise SessionError(f"{not_state}: origin #{i + 1} needs an \"origin\"")
        storage = origin.get("localStorage", [])
        if not isinstance(storage, list) or not all(
            isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("value"), str)
            for item in storage
        ):
            raise SessionError(f"{not_state}: origin #{i + 1}: \"localStorage\" must be a list of name/value pairs")
    return state


def session_path(name: str) -> Path:
    """The stored storage state for a session, e.g. for Playwright's new_context(storage_state=...)."""
    path = sessions_dir() / f"{check_name(name)}.json"
    if not path.is_file():
        raise SessionError(f"no session {name!r}; import it with: sma session import {name} FILE")
    return path


def load_session(name: str) -> dict[str, Any]:
    path = session_path(name)
    return validate_storage_state(path.read_text(encoding="utf-8"), str(path))


def session_secrets(name: str) -> list[str]:
    """Every cookie and localStorage value (non-empty, at least MIN_SECRET_LENGTH long) the crawler
    must scrub from records, with its URL-encoded form where that differs; longest first, so a
    value that contains another is replaced whole."""
    state = load_session(name)
    values = [cookie["value"] for cookie in state["cookies"]]
    values += [item["value"] for origin in state.get("origins", []) for item in origin.get("localStorage", [])]
    secrets: set[str] = set()
    for value in values:
        if len(value) >= MIN_SECRET_LENGTH:
            secrets.add(value)
            secrets.add(quote(value, safe=""))
    return sorted(secrets, key=lambda s: (-len(s), s))


def list_sessions() -> list[SessionInfo]:
    infos = []
    for path in sorted(sessions_dir().glob("*.json")):
        problem = None
        try:
            state = validate_storage_state(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError, SessionError):
            state, problem = {"cookies": [], "origins": []}, "unreadable: not a storage state"
        cookies = state["cookies"]
        expiries = [float(c["expires"]) for c in cookies
                    if isinstance(c.get("expires"), int | float) and c["expires"] > 0]
        infos.append(SessionInfo(
            name=path.stem,
            path=path,
            mode=path.stat().st_mode & 0o777,
            cookie_count=len(cookies),
            domains=tuple(sorted({c["domain"] for c in cookies})),
            origins=tuple(sorted({o["origin"] for o in state.get("origins", [])})),
            expires=min(expiries) if expiries else None,
            problem=problem,
        ))
    return infos


def remove_session(name: str) -> Path:
    path = session_path(name)
    path.unlink()
    return path
