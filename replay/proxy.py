"""Forwarding one allowed request to its view's pywb and streaming the answer back.

Only named request headers go to pywb (never the gateway's cookie or Authorization), with the
client's Host, so that every URL pywb writes points at the gateway and never at its internal port.
Only named response headers come back; pywb's own error pages are replaced by the gateway's (they
echo the requested URL); redirects must stay inside the gateway's replay paths.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from replay.audit import AuditLog
from replay.auth import Principal
from replay.gateway_types import SECURITY_HEADERS
from replay.routes import Route, is_document_view
from replay.views import INTERNAL_HOST, ViewSet

StartResponse = Callable[..., Any]
# error(start_response, status, note): the gateway's own error page (pywb's are never passed on)
ErrorResponse = Callable[..., Iterable[bytes]]

CHUNK = 64 * 1024
TIMEOUT = 120.0
REQUEST_HEADERS = (
    "accept", "accept-language", "accept-encoding", "range", "if-range", "if-modified-since", "if-none-match",
    "user-agent", "referer", "sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site",
)
RESPONSE_HEADERS = frozenset({
    "content-type", "content-length", "content-range", "accept-ranges", "content-encoding", "content-language",
    "content-disposition", "last-modified", "etag", "memento-datetime", "vary", "date", "location",
    "content-security-policy",
})
# Only the archivist's view may say where an original lives (Link: rel="original", X-Archive-Orig-*).
ARCHIVIST_RESPONSE_PREFIXES = ("link", "x-archive-")


def forward(environ: dict, start_response: StartResponse, principal: Principal, route: Route, raw_target: str, *,
            views: ViewSet, audit_log: AuditLog, error: ErrorResponse) -> Iterable[bytes]:
    """Answers an allowed request (`route`, for `principal`) from its view's pywb; `audit_log` gets
    the views and queries, `error` makes the gateway's own error pages."""
    if views.dead():
        return error(start_response, 502)
    if route.kind != "static":
        views.refresh_if_changed(route.view)
    if route.view == "public" and route.kind != "static" and not views.has_warcs("public"):
        return error(start_response, 404, "Er is nog niets goedgekeurd voor publicatie.")
    port = int(urlsplit(views.internal_url(route.view)).port or 0)
    query = raw_target.partition("?")[2]
    asked = route.url + (f"?{query}" if query else "")  # pywb reads the query string as part of the URL
    if route.kind in ("query", "timemap") and not _captured(port, asked, views.internal_headers(route.view)):
        # pywb's query page prints the URL asked for, query string included: only a URL the view
        # holds may be echoed
        return error(start_response, 404)
    headers = {"Host": environ["HTTP_HOST"], "Connection": "close", **views.internal_headers(route.view)}
    for name in REQUEST_HEADERS:
        value = environ.get("HTTP_" + name.upper().replace("-", "_"))
        if value:
            headers[name] = value
    method = environ["REQUEST_METHOD"].upper()
    conn = http.client.HTTPConnection(INTERNAL_HOST, port, timeout=TIMEOUT)
    try:
        conn.request(method, raw_target, headers=headers)
        resp = conn.getresponse()
    except OSError:
        conn.close()
        return error(start_response, 502)

    archived = resp.getheader("Memento-Datetime") is not None
    if resp.status >= 400 and not archived:
        # pywb's own error page (it echoes the URL asked for): never passed on
        conn.close()
        return error(start_response, 404 if resp.status < 500 else 502)
    out: list[tuple[str, str]] = []
    for name, value in resp.getheaders():
        lower = name.lower()
        if lower == "location":
            if not _inside_gateway(value, environ["HTTP_HOST"]):
                conn.close()
                return error(start_response, 404)
            out.append((name, value))
        elif lower in RESPONSE_HEADERS or (
                principal.role == "archivist" and lower.startswith(ARCHIVIST_RESPONSE_PREFIXES)):
            out.append((name, value))
    names = {k.lower() for k, _ in out}
    out += [(k, v) for k, v in SECURITY_HEADERS if k.lower() not in names]
    out.append(("Vary", "Cookie, Authorization"))

    content_type = resp.getheader("Content-Type", "") or ""
    lowered = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if is_document_view(route, lowered, content_type) and resp.status < 300:
        audit_log.append(principal.user, principal.role, "view", route.url,
                                 {"view": route.view, "modifier": route.modifier, "status": resp.status})
    elif route.kind in ("cdx", "timemap", "query"):
        target = route.url or raw_target.partition("?")[2][:500]
        audit_log.append(principal.user, principal.role, "query", target,
                                 {"view": route.view, "kind": route.kind, "status": resp.status})

    start_response(f"{resp.status} {resp.reason or 'OK'}", out)
    if method == "HEAD":
        conn.close()
        return []
    return _Stream(resp, conn)


def _captured(port: int, raw_url: str, key: dict[str, str]) -> bool:
    """Whether the view's index has at least one capture for the URL (or URL prefix, `...*`)."""
    query = "/archive/cdx?limit=1&url=" + quote(unquote(raw_url), safe=":/*@!$'(),;~")
    conn = http.client.HTTPConnection(INTERNAL_HOST, port, timeout=TIMEOUT)
    try:
        conn.request("GET", query, headers={"Host": "localhost", "Connection": "close", **key})
        resp = conn.getresponse()
        return resp.status == 200 and bool(resp.read(4096).strip())
    except OSError:
        return False
    finally:
        conn.close()


def _inside_gateway(location: str, host: str) -> bool:
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc != host:
            return False
    return parts.path.startswith(("/archive/", "/static/")) and ".." not in parts.path


class _Stream:
    """The response body in chunks; closes the connection to pywb when done or abandoned."""

    def __init__(self, resp: http.client.HTTPResponse, conn: http.client.HTTPConnection) -> None:
        self.resp = resp
        self.conn = conn

    def __iter__(self) -> Iterator[bytes]:
        while True:
            chunk = self.resp.read1(CHUNK) if hasattr(self.resp, "read1") else self.resp.read(CHUNK)
            if not chunk:
                break
            yield chunk

    def close(self) -> None:
        self.conn.close()
