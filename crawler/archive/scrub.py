"""Keeps login-session secrets out of the archive.

A crawl that uses an organisation's login session sends its cookies and tokens with every request,
and platforms send session cookies back. None of it may reach a WARC: header values that carry a
session (Cookie, Authorization, Set-Cookie and friends) are replaced whole, and every known secret
value is replaced wherever else it occurs (URLs, other headers, bodies, DOM, page text).
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import quote, quote_plus

from .model import Exchange, PageCapture

REDACTED = "[redacted-by-sma]"
# Request headers that only ever carry credentials.
SECRET_REQUEST_HEADERS = {"cookie", "authorization", "proxy-authorization", "x-csrf-token", "x-auth-token"}
SECRET_RESPONSE_HEADERS = {"set-cookie", "set-cookie2", "www-authenticate", "authentication-info"}
MIN_SECRET_LENGTH = 4  # shorter values would match ordinary text


class SecretScrubber:
    """`secrets`: the session's cookie and token values; `cookie_names`: its cookies' names, whose
    Set-Cookie values are replaced even when the platform hands out a new value."""

    def __init__(self, secrets: tuple[str, ...] = (), cookie_names: tuple[str, ...] = ()) -> None:
        self.cookie_names = {name.lower() for name in cookie_names}
        values: set[str] = set()
        for secret in secrets:
            if len(secret) < MIN_SECRET_LENGTH:
                continue
            values.update({secret, quote(secret, safe=""), quote_plus(secret)})
        # Longest first, so a value that contains another is replaced whole.
        self.values = sorted(values, key=len, reverse=True)
        self._text = re.compile("|".join(re.escape(v) for v in self.values)) if self.values else None
        self._bytes = re.compile(b"|".join(re.escape(v.encode()) for v in self.values)) if self.values else None

    @property
    def active(self) -> bool:
        return self._text is not None

    def text(self, value: str) -> str:
        return self._text.sub(REDACTED, value) if self._text else value

    def data(self, value: bytes) -> bytes:
        return self._bytes.sub(REDACTED.encode(), value) if self._bytes else value

    def _cookie_header(self, name: str, value: str) -> str:
        lowered = name.lower()
        if lowered in ("cookie",):
            # Keep the names (they tell what was sent), drop every value.
            return "; ".join(f"{part.split('=', 1)[0].strip()}={REDACTED}" for part in value.split(";") if part.strip())
        if lowered in ("set-cookie", "set-cookie2"):
            head, _, attrs = value.partition(";")
            cookie, _, cookie_value = head.partition("=")
            if cookie.strip().lower() not in self.cookie_names and self.text(cookie_value) == cookie_value:
                return value  # not session-bearing (a consent choice, say): replay may need it
            return f"{cookie.strip()}={REDACTED}" + (f";{self.text(attrs)}" if attrs else "")
        if lowered == "authorization" or lowered == "proxy-authorization":
            scheme = value.split(" ", 1)[0] if " " in value else ""
            return f"{scheme} {REDACTED}".strip()
        return REDACTED

    def headers(self, pairs: list[tuple[str, str]], secret_names: set[str]) -> list[tuple[str, str]]:
        return [
            (k, self._cookie_header(k, v) if k.lower() in secret_names else self.text(v)) for k, v in pairs
        ]

    def exchange(self, ex: Exchange) -> Exchange:
        return replace(
            ex,
            url=self.text(ex.url),
            request_headers=self.headers(ex.request_headers, SECRET_REQUEST_HEADERS),
            request_body=self.data(ex.request_body) if ex.request_body else ex.request_body,
            response_headers=self.headers(ex.response_headers, SECRET_RESPONSE_HEADERS),
            body=self.data(ex.body),
        )

    def page(self, page: PageCapture) -> PageCapture:
        """The page with every credential header value and every secret value replaced."""
        if not self.active and not self.cookie_names:
            return page
        return replace(
            page,
            url=self.text(page.url),
            title=self.text(page.title),
            exchanges=[self.exchange(ex) for ex in page.exchanges],
            dom=self.text(page.dom) if page.dom is not None else None,
            text=self.text(page.text) if page.text is not None else None,
        )
