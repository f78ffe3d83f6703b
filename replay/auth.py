"""Users, sessions and password verification for the replay gateway (the throttling of sign-ins,
and the tarpit for a flood of them, are in replay/signin_flood.py).

Users live in DIR/.sma/users.json (folder 0700, file 0600), beside the archive they give access to:
an archive copied to another machine keeps its access rules, and nothing in DIR/.sma is ever served
(no view's pywb has it, the gateway has no route to files). Passwords are argon2id hashes
(argon2-cffi's defaults: RFC 9106 low-memory profile, a random salt per hash).

Sessions are server-side, in the gateway's memory: a random 256-bit id in an HttpOnly,
SameSite=Strict cookie, an idle and an absolute expiry, and a per-session CSRF token. A restart of
the gateway signs everyone out, which is the safe direction.
"""

from __future__ import annotations

import fcntl
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from replay.gateway_types import ROLES

USERS_FILE = Path(".sma") / "users.json"
MIN_PASSWORD_LENGTH = 12
USER_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")
SESSION_IDLE_SECONDS = 30 * 60
SESSION_MAX_SECONDS = 8 * 3600

_hasher = PasswordHasher()  # argon2id
# Verified against for unknown names, so that "no such user" costs as long as "wrong password".
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class UserError(ValueError):
    """Bad input for a user command: one line for the user."""


def users_path(archive_dir: Path) -> Path:
    return Path(archive_dir) / USERS_FILE


def check_name(name: str) -> str:
    if not name or len(name) > 64 or not set(name) <= USER_NAME_CHARS:
        raise UserError("a user name is 1-64 characters of letters, digits and . _ - @")
    return name


class UserStore:
    """DIR/.sma/users.json: {"users": {name: {role, hash, created}}}; re-read on every lookup so
    that `sma users add/remove` takes effect in a running gateway."""

    def __init__(self, archive_dir: Path) -> None:
        self.path = users_path(archive_dir)

    def _load(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot read {self.path}: {exc}") from None
        users = data.get("users") if isinstance(data, dict) else None
        return users if isinstance(users, dict) else {}

    def _save(self, users: dict[str, dict]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"users": users}, fh, indent=1, sort_keys=True)
        os.replace(tmp, self.path)

    def _locked(self):  # noqa: ANN202 - a context manager over the store's lock file
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return _FileLock(self.path.with_name("users.lock"))

    def add(self, name: str, role: str, password: str) -> None:
        check_name(name)
        if role not in ROLES:
            raise UserError(f"unknown role {role!r} (one of: {', '.join(ROLES)})")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UserError(f"the password is too short: at least {MIN_PASSWORD_LENGTH} characters")
        with self._locked():
            users = self._load()
            if name in users:
                raise UserError(f"user {name!r} exists (remove it first)")
            users[name] = {"role": role, "hash": _hasher.hash(password),
                           "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            self._save(users)

    def remove(self, name: str) -> None:
        with self._locked():
            users = self._load()
            if name not in users:
                raise UserError(f"no user {name!r}")
            del users[name]
            self._save(users)

    def list(self) -> list[tuple[str, str, str]]:
        return [(name, u.get("role", "?"), u.get("created", "")) for name, u in sorted(self._load().items())]

    def role_of(self, name: str) -> str | None:
        user = self._load().get(name)
        return user.get("role") if isinstance(user, dict) and user.get("role") in ROLES else None

    def stored_hash(self, name: str) -> str | None:
        user = self._load().get(name)
        stored = user.get("hash") if isinstance(user, dict) else None
        return stored if isinstance(stored, str) else None

    def authenticate(self, name: str, password: str) -> str | None:
        """The user's role when the password is right, else None (in about the same time)."""
        user = self._load().get(name)
        stored = user.get("hash") if isinstance(user, dict) else None
        try:
            _hasher.verify(stored if isinstance(stored, str) else _DUMMY_HASH, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if not isinstance(stored, str):
            return None
        role = user.get("role")
        return role if role in ROLES else None


class _FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = -1

    def __enter__(self) -> _FileLock:
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


# -- sessions ----------------------------------------------------------------------------------
@dataclass
class Session:
    sid: str
    user: str
    role: str
    csrf: str
    created: float
    seen: float


@dataclass
class Principal:
    """Who a request is from, once the gateway has authenticated it."""

    user: str
    role: str
    session: Session | None = None  # None: Basic auth or anonymous
    basic: bool = False


@dataclass
class SessionStore:
    idle: float = SESSION_IDLE_SECONDS
    absolute: float = SESSION_MAX_SECONDS
    _sessions: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, user: str, role: str) -> Session:
        now = time.monotonic()
        session = Session(secrets.token_urlsafe(32), user, role, secrets.token_urlsafe(32), now, now)
        with self._lock:
            self._expire(now)
            self._sessions[session.sid] = session
        return session

    def get(self, sid: str) -> Session | None:
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                return None
            if now - session.seen > self.idle or now - session.created > self.absolute:
                del self._sessions[sid]
                return None
            session.seen = now
            return session

    def drop(self, sid: str) -> None:
        with self._lock:
            self._sessions.pop(sid, None)

    def drop_user(self, user: str, keep: str = "") -> int:
        """Ends every session of `user` but `keep`; returns how many ended."""
        with self._lock:
            ended = [s.sid for s in self._sessions.values() if s.user == user and s.sid != keep]
            for sid in ended:
                del self._sessions[sid]
        return len(ended)

    def _expire(self, now: float) -> None:
        for sid in [s.sid for s in self._sessions.values()
                    if now - s.seen > self.idle or now - s.created > self.absolute]:
            del self._sessions[sid]


class OneTimeTokens:
    """The sign-in form's tokens: issued with the form, valid once for TTL seconds (a replayed or
    copied sign-in post is refused), at most LIMIT outstanding (the oldest go first)."""

    TTL = 3600.0
    LIMIT = 10_000

    def __init__(self) -> None:
        self._issued: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            if len(self._issued) >= self.LIMIT:
                self._issued.pop(next(iter(self._issued)))
            self._issued[token] = time.monotonic() + self.TTL
        return token

    def consume(self, token: str) -> bool:
        with self._lock:
            until = self._issued.pop(token, None)
        return until is not None and until > time.monotonic()


def tokens_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class VerifiedCache:
    """Basic auth sends the password with every request, and one argon2id verification costs
    50 ms to seconds (it is meant to): a script's requests would crawl. A success is remembered
    for TTL seconds under HMAC(process secret, name, password, stored hash) -- in memory only, the
    key dies with the process, and a changed or removed user's stored hash no longer matches."""

    TTL = 300.0

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)
        self._seen: dict[bytes, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def _key(self, name: str, password: str, stored: str) -> bytes:
        return hmac.new(self._secret, "\0".join((name, password, stored)).encode("utf-8"), "sha256").digest()

    def get(self, name: str, password: str, stored: str | None) -> str | None:
        if stored is None:
            return None
        with self._lock:
            hit = self._seen.get(self._key(name, password, stored))
        return hit[0] if hit and hit[1] > time.monotonic() else None

    def put(self, name: str, password: str, stored: str | None, role: str) -> None:
        if stored is None:
            return
        with self._lock:
            if len(self._seen) > 10_000:
                self._seen.clear()
            self._seen[self._key(name, password, stored)] = (role, time.monotonic() + self.TTL)


class VerificationPool:
    """At most SLOTS argon2id verifications at a time and at most WAITERS sign-ins waiting for one;
    any more are refused at once (BUSY) rather than queued, so that a burst of sign-ins can neither
    take every core nor every gateway thread from the users already signed in. A name that does not
    exist runs no argon2 at all: it holds a slot for as long as a verification takes (a running
    average of real ones), so "no such user" and "wrong password" take the same time and queue."""

    SLOTS = 1
    WAITERS = 2
    BUSY = "busy"

    def __init__(self, slots: int = SLOTS, waiters: int = WAITERS) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._room = slots + waiters
        self._inside = 0
        self.seconds = _measure_verification()
        self.verifications = 0  # argon2 runs, for tests and the benchmark

    def authenticate(self, users: UserStore, name: str, password: str) -> str | None:
        """The role, None (wrong name or password) or BUSY (not checked: too many at once)."""
        stored = users.stored_hash(name)
        with self._lock:
            if self._inside >= self._room:
                return self.BUSY
            self._inside += 1
        try:
            with self._slots:
                if stored is None:
                    time.sleep(self.seconds)
                    return None
                started = time.monotonic()
                role = users.authenticate(name, password)
                took = time.monotonic() - started
        finally:
            with self._lock:
                self._inside -= 1
        with self._lock:
            self.verifications += 1
            self.seconds = 0.8 * self.seconds + 0.2 * took
        return role


def _measure_verification() -> float:
    started = time.monotonic()
    try:
        _hasher.verify(_DUMMY_HASH, "not the password")
    except VerificationError:
        pass
    return time.monotonic() - started
