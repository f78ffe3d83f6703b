"""The interface between the replay gateway and the modules it mounts (the Woo review UI).

The gateway (replay/gateway.py) authenticates the user, checks the CSRF token of every POST and
then calls, for any path under `/_sma/woo/` and only for the woo-officer role:

    replay.woo.app.handle(request: GatewayRequest) -> GatewayResponse

Nothing here imports the gateway, pywb or a WSGI server: a mounted module can be tested on its own
by building a GatewayRequest by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

# audit(action, target, detail): appends one entry to the archive's hash-chained audit log under
# the request's user and role. `action` is a short word (view, decision, approval, export, ...),
# `target` what it concerns (a URL, a request id, a page id), `detail` any JSON-serialisable value.
AuditFn = Callable[[str, str, object], None]


class Views(Protocol):
    """The gateway's pywb processes, one per view ("original", "access", "public")."""

    def refresh(self, name: str) -> None:
        """Re-indexes the view's WARC folder (incremental) so that new WARCs, e.g. a page just
        written into DIR/public/warcs on approval, are served from the next request on."""
        ...

    def internal_url(self, name: str) -> str:
        """The internal loopback base URL of the view's pywb, e.g. "http://127.0.0.1:41234".

        Replay paths below it are `/archive/<timestamp><modifier>/<url>` (collection `archive`).
        For server-side fetches only: never send this URL (or its port) to a browser.
        """
        ...

    def internal_headers(self, name: str) -> dict[str, str]:
        """Headers every request to `internal_url(name)` must carry (the view's per-start key;
        pywb answers 403 without them). Never send them to a browser."""
        ...


@dataclass(frozen=True)
class GatewayRequest:
    """One request, already authenticated (and CSRF-checked when it is a POST)."""

    method: str  # "GET", "POST", ...
    path: str  # the full request path, e.g. "/_sma/woo/requests/3"; percent-decoded
    query: dict[str, str]  # query string; the last value wins for a repeated name
    form: dict[str, str]  # POST form fields (urlencoded or multipart text fields); {} for GET
    user: str  # the signed-in user's name
    role: str  # "archivist" | "researcher" | "woo-officer" | "public"
    csrf_token: str  # put into every form as <input type=hidden name=csrf_token> (or X-CSRF-Token)
    archive_dir: Path  # the archive being served (absolute)
    audit: AuditFn
    views: Views
    body: bytes = b""  # the raw request body (POST), e.g. for a JSON API call
    headers: dict[str, str] = field(default_factory=dict)  # request headers, names lower-case
    # What a mounted module keeps across requests (e.g. the Woo review's index of the access copy),
    # by a name of its own: one dict per gateway, which owns it, never a module global.
    components: dict[str, object] = field(default_factory=dict)


@dataclass
class GatewayResponse:
    """What the mounted module answers; the gateway adds its security headers on top."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=lambda: [("Content-Type", "text/html; charset=utf-8")])
    body: bytes = b""


# Added to every answer of the gateway (its own pages and what it forwards from pywb).
SECURITY_HEADERS: list[tuple[str, str]] = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Cache-Control", "no-store"),
]
# The form field and header names the gateway reads the CSRF token from.
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
ROLES: tuple[str, ...] = ("archivist", "researcher", "woo-officer", "public")
VIEWS: tuple[str, ...] = ("original", "access", "public")
