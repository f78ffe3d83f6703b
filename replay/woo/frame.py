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

import nh3

FRAME_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
             "media-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
# The sanitiser is an allow-list on a real HTML parser (nh3: ammonia on html5ever), never regexes:
# `<scr<script>x</script>ipt>` cannot reassemble into a tag, and what is not listed here is gone.
_LAYOUT_TAGS = {
    "html", "body", "div", "span", "p", "br", "hr", "a", "b", "i", "u", "s", "em", "strong", "small", "sub", "sup",
    "mark", "abbr", "cite", "q", "blockquote", "pre", "code", "kbd", "samp", "var", "time", "data", "bdi", "bdo",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot",
    "tr", "th", "td", "caption", "colgroup", "col", "figure", "figcaption", "img", "picture", "source", "video",
    "audio", "track", "section", "article", "aside", "header", "footer", "nav", "main", "address", "details",
    "summary", "label", "button", "output", "progress", "meter", "wbr", "del", "ins", "dfn", "ruby", "rt", "rp",
    "style", "link", "center", "font", "big", "strike", "tt",
}
# Their content goes too (not only the tag): code, other documents, and the head's text.
_DROPPED_WITH_CONTENT = {"script", "noscript", "iframe", "frame", "frameset", "object", "embed", "template",
                         "portal", "svg", "math", "title", "textarea", "select", "applet", "xmp", "noembed",
                         "noframes", "plaintext"}
_GLOBAL_ATTRS = {"class", "id", "style", "role", "title", "lang", "dir", "hidden", "tabindex", "translate"}
_TAG_ATTRS = {
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding", "data-src"},
    "source": {"src", "srcset", "sizes", "type", "media", "width", "height"},
    "video": {"poster", "width", "height", "controls", "muted", "preload"},
    "audio": {"controls", "preload"}, "track": {"kind", "label", "srclang"},
    "link": {"rel", "href", "media", "type"}, "style": {"media", "type"},
    "td": {"colspan", "rowspan", "headers", "align", "valign", "width"}, "th": {"colspan", "rowspan", "scope", "align"},
    "col": {"span", "width"}, "colgroup": {"span"}, "ol": {"start", "reversed", "type"}, "li": {"value"},
    "time": {"datetime"}, "data": {"value"}, "details": {"open"}, "font": {"color", "face", "size"},
    "table": {"width", "border", "cellpadding", "cellspacing", "align"}, "progress": {"value", "max"},
    "meter": {"value", "min", "max", "low", "high", "optimum"}, "button": {"type", "disabled"},
    "del": {"datetime"}, "ins": {"datetime"}, "blockquote": {"cite"}, "q": {"cite"},
}
_URL_ATTRS = {"src", "poster", "data-src"}
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(["'])([^"']+)\1""", re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.IGNORECASE | re.DOTALL)


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


def _attribute(tag: str, name: str, value: str, base: str) -> str | None:
    """nh3's attribute filter: every URL pointed at `res?u=` (the access copy), never elsewhere."""
    if name in _URL_ATTRS:
        return resource_link(value, base)
    if name == "href":
        # a stylesheet link is fetched from the access copy; other links do not navigate out
        return resource_link(value, base) if tag == "link" else None
    if name == "srcset":
        return ", ".join(" ".join([resource_link(part.split()[0], base), *part.split()[1:]])
                         for part in value.split(",") if part.strip())
    if name == "style":
        return rewrite_css(value, base)
    if name == "rel" and tag == "link":
        return value if value.strip().lower() == "stylesheet" else None
    return value


def render_frame(dom_html: str, page_url: str) -> str:
    """The sanitised copy; `page_url` (the access URL) resolves relative links."""
    clean = nh3.clean(
        dom_html,
        tags=_LAYOUT_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes={"*": _GLOBAL_ATTRS, **_TAG_ATTRS},
        generic_attribute_prefixes={"data-", "aria-"},
        attribute_filter=lambda tag, name, value: _attribute(tag, name, value, page_url),
        url_schemes={"data"},
        link_rel=None,
        strip_comments=True,
    )
    # Style sheets: their text survives the parser as text; its URLs go to the access copy too.
    # The capture's doctype keeps its layout mode (standards, not quirks), so screenshot boxes line up.
    doctype = "<!DOCTYPE html>\n" if dom_html.lstrip()[:9].lower() == "<!doctype" else ""
    return doctype + _STYLE_BLOCK.sub(lambda m: m.group(1) + rewrite_css(m.group(2), page_url) + m.group(3), clean)
