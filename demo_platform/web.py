"""Request/response objects and the HTTP finishing touches every skin gets for free:
gzip negotiation, strong ETags with 304s, and byte ranges for media.

Skins only build a `Response` with a body and a kind of caching; `finalize` turns it into what a
real CDN-fronted platform would send, so crawls record realistic exchanges.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from demo_platform.model import World
    from demo_platform.sessions import Session

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
JS = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
PNG = "image/png"
WEBM = "video/webm"
TEXT = "text/plain; charset=utf-8"
# Text formats are worth compressing; images and video already are, and must stay rangeable.
COMPRESSIBLE = ("text/", "application/json", "application/javascript")

CACHE = {
    "page": "max-age=0, public, must-revalidate",
    "api": "private, no-store",  # the API must be re-fetched on every scroll/click
    "static": "public, max-age=3600",
    "media": "public, max-age=31536000, immutable",
    "redirect": "public, max-age=300",
    "truth": "no-store",
    "error": "no-cache",
}


@dataclass
class Request:
    method: str
    path: str  # decoded path without query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    base_url: str  # "http://host:port", from the Host header
    world: World
    session: Session | None = None  # the login session the request carries, if valid
    login_required: bool = False  # the server hides comments from visitors without a session

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = HTML
    cache: str = "page"
    headers: list[tuple[str, str]] = field(default_factory=list)


def parse_query(raw: str) -> dict[str, list[str]]:
    return parse_qs(raw, keep_blank_values=True)


def page(body: str, status: int = 200) -> Response:
    return Response(status, body.encode("utf-8"), HTML, "page" if status < 400 else "error")


def json_response(data: Any, status: int = 200, cache: str = "api",
                  headers: list[tuple[str, str]] | None = None) -> Response:
    # Sorted keys + fixed separators: identical content gives byte-identical JSON.
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Response(status, body.encode("utf-8"), JSON, cache, headers or [])


def redirect(location: str, status: int = 302) -> Response:
    target = html.escape(location)
    body = f'<!DOCTYPE html><title>Moved</title><a href="{target}">{target}</a>\n'
    return Response(status, body.encode(), HTML, "redirect", [("Location", location)])


def binary(body: bytes, content_type: str, cache: str = "media") -> Response:
    return Response(200, body, content_type, cache)


def accepts_gzip(header: str) -> bool:
    """True if Accept-Encoding allows gzip (explicitly, or via "*"), honouring q=0."""
    allowed: dict[str, bool] = {}
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        q = re.search(r"q\s*=\s*([0-9.]+)", params)
        allowed[name.strip().lower()] = not q or float(q.group(1)) > 0
    return allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", False)))


def etag_for(body: bytes, suffix: str = "") -> str:
    return f'"{hashlib.sha1(body).hexdigest()[:20]}{suffix}"'


def parse_range(header: str, length: int) -> tuple[int, int] | None | str:
    """One `bytes=` range -> (start, end inclusive); None = ignore header (serve 200);
    "unsatisfiable" -> 416. Multi-range requests are answered in full (RFC 9110 allows it)."""
    match = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.groups()
    if not first:  # suffix range: the last N bytes
        count = int(last)
        return (max(0, length - count), length - 1) if count and length else "unsatisfiable"
    start = int(first)
    end = min(int(last), length - 1) if last else length - 1
    if start >= length or (last and int(last) < start):
        return "unsatisfiable"
    return start, end


def finalize(req_headers: dict[str, str], method: str, resp: Response
             ) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body to put on the wire (Date/Server are added by http.server)."""
    headers = [("Content-Type", resp.content_type), ("Cache-Control", CACHE[resp.cache])]
    headers += resp.headers
    body, status = resp.body, resp.status
    compressible = resp.content_type.startswith(COMPRESSIBLE)
    if compressible:
        headers.append(("Vary", "Accept-Encoding"))
    if compressible and accepts_gzip(req_headers.get("accept-encoding", "")):
        # mtime=0 keeps the gzip bytes stable, so the ETag of a representation is stable too.
        etag = etag_for(body, "-gzip")
        body = gzip.compress(body, compresslevel=6, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    else:
        etag = etag_for(body)
    if status == 200:
        headers.append(("ETag", etag))
        if etag in [t.strip() for t in req_headers.get("if-none-match", "").split(",")]:
            # A 304 repeats only the validators and caching headers, never body metadata.
            return 304, [h for h in headers if h[0] not in ("Content-Type", "Content-Encoding")], b""
    if status == 200 and not compressible:
        headers.append(("Accept-Ranges", "bytes"))
        wanted = req_headers.get("range")
        chosen = parse_range(wanted, len(body)) if wanted else None
        if chosen == "unsatisfiable":
            headers = [("Content-Range", f"bytes */{len(body)}"), ("Accept-Ranges", "bytes"),
                       ("Content-Type", TEXT), ("Cache-Control", CACHE["error"])]
            body, status = b"Requested range not satisfiable\n", 416
        elif isinstance(chosen, tuple):
            start, end = chosen
            headers.append(("Content-Range", f"bytes {start}-{end}/{len(body)}"))
            body, status = body[start:end + 1], 206
    headers.append(("Content-Length", str(len(body))))
    return status, headers, b"" if method == "HEAD" else body
