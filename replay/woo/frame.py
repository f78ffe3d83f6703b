"""The review frame: a server-rendered, script-free copy of a page from the ACCESS copy.

The page is the access derivative's `urn:dom:` record (the DOM as the reader saw it, comments
expanded, pseudonymised), with every script and event handler removed and every resource URL
pointed at `res?u=<url>`, which serves only records of the access copy. So the officer's browser
never receives an original byte, never runs archived code inside the signed-in gateway origin
(the iframe is sandboxed without scripts and the response carries a CSP without script-src), and
never contacts the live platform. Its layout is the capture's, so screenshot boxes line up.

Scripts are kept out twice: the sanitiser drops them and every handler attribute, and the CSP has no
script-src. The iframe's sandbox allows scripts only because Chromium with scripting disabled in a
frame stalls synthetic mouse input (text selection by drag never finishes under Playwright); it still
forbids forms, popups and top-level navigation.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

FRAME_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
             "media-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
_DROP_ELEMENTS = re.compile(r"<(script|noscript|iframe|frame|object|embed|template|portal)\b.*?</\1\s*>|"
                            r"<(?:script|iframe|frame|object|embed|base|portal)\b[^>]*>", re.IGNORECASE | re.DOTALL)
_META_REFRESH = re.compile(r"<meta\b[^>]*http-equiv\s*=\s*[\"']?refresh[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*?)?(/?)>", re.DOTALL)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_URL_ATTRS = {"src", "poster", "data-src"}
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(["'])([^"']+)\1""", re.IGNORECASE)


def resource_link(url: str, base: str) -> str:
    """`res?u=...` for an http(s) resource, else nothing (data: images stay as they are)."""
    url = url.strip()
    if url.startswith("data:image/") or url.startswith("data:font/"):
        return url
    absolute = urljoin(base, url)
    if urlsplit(absolute).scheme not in ("http", "https"):
        return "about:blank"
    return "res?u=" + quote(absolute, safe="")


def rewrite_css(css: str, base: str) -> str:
    css = _CSS_URL.sub(lambda m: f'url("{resource_link(m.group(2), base)}")', css)
    return _CSS_IMPORT.sub(lambda m: f'@import "{resource_link(m.group(2), base)}"', css)


def _unquote_attr(raw: str | None) -> str:
    if raw is None:
        return ""
    return raw[1:-1] if raw[:1] in "\"'" else raw


def _rewrite_tag(match: re.Match[str], base: str) -> str:
    name, attrs, slash = match.group(1), match.group(2) or "", match.group(3)
    lower = name.lower()
    out = []
    for attr in _ATTR.finditer(attrs):
        key, raw = attr.group(1), attr.group(2)
        low = key.lower()
        value = _unquote_attr(raw)
        if low.startswith("on") or low in ("formaction", "action", "ping", "integrity", "nonce"):
            continue
        if low in _URL_ATTRS:
            value = resource_link(value, base)
        elif low == "href":
            if lower == "link":
                value = resource_link(value, base)
            else:
                continue  # links do not navigate out of the review frame
        elif low == "srcset":
            value = ", ".join(
                " ".join([resource_link(part.split()[0], base), *part.split()[1:]])
                for part in value.split(",") if part.strip())
        elif low == "style":
            value = rewrite_css(value, base)
        elif low == "target":
            continue
        if raw is None:
            out.append(key)
        else:
            out.append(f'{key}="{value.replace(chr(34), "&quot;")}"')
    return f"<{name}{' ' if out else ''}{' '.join(out)}{slash}>"


def render_frame(dom_html: str, page_url: str) -> str:
    """The sanitised copy; `page_url` (the access URL) resolves relative links."""
    body = _DROP_ELEMENTS.sub("", dom_html)
    body = _META_REFRESH.sub("", body)
    body = re.sub(r"(<style\b[^>]*>)(.*?)(</style\s*>)",
                  lambda m: m.group(1) + rewrite_css(m.group(2), page_url) + m.group(3), body,
                  flags=re.IGNORECASE | re.DOTALL)
    return _TAG.sub(lambda m: _rewrite_tag(m, page_url), body)
