"""Which proxied paths each role may request: a closed allowlist over the RAW request target.

The gateway decides on the bytes it will forward (never on a decoded copy of them), so an encoded
or doubly-encoded path cannot mean one thing here and another thing in pywb. What is not matched
here is answered 404 by the gateway itself and never reaches a pywb.

The view a role gets is fixed (ROLE_VIEW): this allowlist is the second wall, not the first. The
first is that each view's pywb holds only its own WARCs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replay.pywb_runner import COLLECTION

# The role's one view. woo-officer: the review UI (replay.woo, under /_sma/woo/) renders its frames
# server-side from the access copy and never sends an original byte to the officer's browser; so
# their own /archive/ is the access copy too (least privilege).
ROLE_VIEW: dict[str, str] = {
    "archivist": "original",
    "woo-officer": "access",
    "researcher": "access",
    "public": "public",
}

# pywb's replay modifiers that normal replay in a browser needs (wombat asks for these).
REPLAY_MODIFIERS = frozenset({"", "mp_", "js_", "cs_", "im_", "oe_", "if_"})
# What each role may ask of its view besides REPLAY_MODIFIERS.
EXTRA_MODIFIERS: dict[str, frozenset[str]] = {
    # everything pywb offers: raw records, frames, workers
    "archivist": frozenset({"id_", "fr_", "sw_", "wkr_", "bn_", "ex_"}),
    "woo-officer": frozenset(),
    # the access view holds only pseudonymised data: its raw records are harmless
    "researcher": frozenset({"id_"}),
    "public": frozenset(),
}
# cdx API, timemap, query (calendar) pages and the collection's search page, per role.
API_KINDS: dict[str, frozenset[str]] = {
    "archivist": frozenset({"cdx", "timemap", "query", "search"}),
    "woo-officer": frozenset({"query", "search"}),
    "researcher": frozenset({"cdx", "timemap", "query", "search"}),
    # the calendar of approved pages fetches the cdx API from the browser
    "public": frozenset({"cdx", "query", "search"}),
}

_PREFIX = f"/{COLLECTION}/"
_STATIC = re.compile(r"^/static/(?!_/)[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$")
# `<ts><mod>/<url>`, and `<mod>/<url>` without a timestamp: what pywb writes into a page replayed in
# the latest-capture form `/archive/<url>` (its scripts, styles and images are `/archive/js_/...`).
_REPLAY = re.compile(r"^(?P<ts>\d{1,14})?(?P<mod>[a-z]{2}_)?/(?P<url>.+)$", re.S)
_QUERY = re.compile(r"^(?:\*|\d{1,14}\*|\d{1,14}-\d{0,14}\*?)/(?P<url>.+)$", re.S)
_TIMEMAP = re.compile(r"^timemap/(?:link|json|cdxj)/(?P<url>.+)$", re.S)
# A URL as pywb reads it from the path: a scheme or a host-looking first label, or a urn: record.
_URL_START = re.compile(r"^(?:https?:/{1,2}|urn:[a-z]+:|(?:[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}|"
                        r"\d{1,3}(?:\.\d{1,3}){3}|localhost)(?:[:/]|$))", re.I)
_DOT_SEGMENT = re.compile(r"(?:^|/|%2f)(?:\.|%2e|%252e){1,2}(?:/|$|%2f|\\|\?)", re.I)


@dataclass(frozen=True)
class Route:
    kind: str  # "replay" | "cdx" | "timemap" | "query" | "search" | "static"
    view: str
    modifier: str = ""
    url: str = ""  # the archived URL as it appears in the path (raw)


def classify(raw_path: str, role: str) -> Route | None:
    """The route for a raw request path (no query string), or None: not allowed for this role."""
    view = ROLE_VIEW.get(role)
    # No dot segments, plain or encoded, anywhere (also not inside an archived URL: crawled URLs
    # are normalised, so a real page never has one), no backslashes, no NULs.
    if view is None or "\\" in raw_path or "\x00" in raw_path or _DOT_SEGMENT.search(raw_path):
        return None
    if raw_path.startswith("/static/"):
        if _STATIC.match(raw_path) and ".." not in raw_path:
            return Route("static", view)
        return None
    if not raw_path.startswith(_PREFIX):
        return None
    rest = raw_path[len(_PREFIX):]
    kinds = API_KINDS.get(role, frozenset())
    if rest == "":
        return Route("search", view) if "search" in kinds else None
    if rest == "cdx":
        return Route("cdx", view) if "cdx" in kinds else None
    if m := _TIMEMAP.match(rest):
        return Route("timemap", view, url=m["url"]) if "timemap" in kinds and _is_url(m["url"]) else None
    if m := _QUERY.match(rest):
        return Route("query", view, url=m["url"]) if "query" in kinds and _is_url(m["url"]) else None
    if (m := _REPLAY.match(rest)) and (m["ts"] or m["mod"]):
        mod = m["mod"] or ""
        if mod not in REPLAY_MODIFIERS and mod not in EXTRA_MODIFIERS.get(role, frozenset()):
            return None
        return Route("replay", view, mod, m["url"]) if _is_url(m["url"]) else None
    # /archive/<url>: the latest capture (pywb redirects to its timestamp)
    return Route("replay", view, "", rest) if _is_url(rest) else None


def _is_url(url: str) -> bool:
    """Something pywb will look up as an archived URL, not one of its own routes (record/, cdx...)."""
    return bool(_URL_START.match(url))


def is_document_view(route: Route, headers: dict[str, str], content_type: str) -> bool:
    """The top-level replay document (what the audit log records as a page view), not its images,
    scripts and styles: a browser says so in Sec-Fetch-Dest; a script client gets HTML or raw."""
    if route.kind != "replay":
        return False
    dest = headers.get("sec-fetch-dest", "")
    if dest:
        return dest in ("document", "iframe", "frame") and route.modifier in ("", "mp_", "if_", "id_")
    return route.modifier == "id_" or (route.modifier in ("", "mp_") and content_type.startswith("text/html"))
