"""Login sessions, as a user's browser holds them after logging in to a platform.

`POST /_auth/login?account=<handle>` makes a session and answers with exactly the Playwright
`storage_state` document a user would export from that logged-in browser: the session cookie
`_session_id`, a `remember_user_token` cookie, and an `auth_token` in the origin's localStorage
(the bearer token the web app's API calls carry). A request is logged in when it carries a valid
`_session_id` cookie or `Authorization: Bearer <auth_token>`. `POST /_auth/expire` invalidates
every session, as a platform does when it logs a user out everywhere.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

SESSION_COOKIE = "_session_id"
REMEMBER_COOKIE = "remember_user_token"
AUTH_TOKEN = "auth_token"  # the localStorage key the web app reads its bearer token from
SESSION_DAYS = 14


@dataclass(frozen=True)
class Session:
    account: str  # handle of the logged-in account
    session_id: str
    remember_token: str
    auth_token: str


class Sessions:
    """The server's session store; thread-safe, in memory, gone when the server stops."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_cookie: dict[str, Session] = {}
        self._by_bearer: dict[str, Session] = {}

    def login(self, account: str) -> Session:
        session = Session(account, secrets.token_urlsafe(32), secrets.token_urlsafe(32),
                          secrets.token_urlsafe(32))
        with self._lock:
            self._by_cookie[session.session_id] = session
            self._by_bearer[session.auth_token] = session
        return session

    def expire_all(self) -> int:
        with self._lock:
            count = len(self._by_cookie)
            self._by_cookie.clear()
            self._by_bearer.clear()
        return count

    def find(self, headers: dict[str, str]) -> Session | None:
        """The session a request carries (lower-case header names), or None."""
        scheme, _, token = headers.get("authorization", "").partition(" ")
        with self._lock:
            if scheme.lower() == "bearer" and token.strip() in self._by_bearer:
                return self._by_bearer[token.strip()]
            cookie = cookie_value(headers.get("cookie", ""), SESSION_COOKIE)
            return self._by_cookie.get(cookie) if cookie else None


def cookie_value(header: str, name: str) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return None
    return jar[name].value if name in jar else None


def refresh_header(session: Session) -> tuple[str, str]:
    """The Set-Cookie a logged-in response carries (real platforms refresh the session cookie)."""
    return ("Set-Cookie", f"{SESSION_COOKIE}={session.session_id}; HttpOnly; Path=/; SameSite=Lax")


def login_headers(session: Session) -> list[tuple[str, str]]:
    return [refresh_header(session),
            ("Set-Cookie", f"{REMEMBER_COOKIE}={session.remember_token}; HttpOnly; Path=/; "
                           f"Max-Age={SESSION_DAYS * 86400}; SameSite=Lax")]


def storage_state(session: Session, base_url: str, expires: int) -> dict[str, Any]:
    """A Playwright storage_state document (cookies + origins), as `context.storage_state()`
    writes it for a browser that logged in at `base_url`; `expires` in Unix seconds."""
    host = base_url.split("://", 1)[1].rsplit(":", 1)[0].strip("[]")
    cookie = {"domain": host, "path": "/", "httpOnly": True, "secure": False, "sameSite": "Lax"}
    return {
        "cookies": [
            # A browser-session cookie: Playwright writes expires -1 for those.
            {"name": SESSION_COOKIE, "value": session.session_id, "expires": -1, **cookie},
            {"name": REMEMBER_COOKIE, "value": session.remember_token, "expires": expires,
             **cookie},
        ],
        "origins": [{"origin": base_url, "localStorage": [
            {"name": AUTH_TOKEN, "value": session.auth_token}]}],
    }
