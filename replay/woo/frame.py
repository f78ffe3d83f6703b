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
from html import escape
from html.parser import HTMLParser
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
# Inline SVG (platforms draw their icons, counters and avatars' masks with it): the drawing elements
# only. Not <script>, <foreignObject> (HTML inside), <animate>/<set> (they can set an href to
# javascript: at run time), <a> with a target; an href only to a fragment of this page (`#id`: <use>
# of an external file could load another document), an <image> from the access copy.
_SVG_TAGS = {
    "svg", "g", "defs", "symbol", "use", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern",
    "marker", "image", "desc", "filter", "feGaussianBlur", "feOffset", "feBlend", "feFlood", "feComposite",
    "feColorMatrix", "feMerge", "feMergeNode",
}
_SVG_ATTRS = {
    "viewBox", "preserveAspectRatio", "xmlns", "version", "width", "height", "x", "y", "x1", "y1", "x2", "y2",
    "cx", "cy", "r", "rx", "ry", "fx", "fy", "d", "points", "pathLength", "transform", "fill", "fill-rule",
    "fill-opacity", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
    "stroke-dashoffset", "stroke-miterlimit", "stroke-opacity", "opacity", "clip-path", "clip-rule", "mask",
    "filter", "color", "display", "visibility", "overflow", "offset", "stop-color", "stop-opacity",
    "gradientUnits", "gradientTransform", "spreadMethod", "patternUnits", "patternContentUnits",
    "patternTransform", "clipPathUnits", "maskUnits", "maskContentUnits", "markerWidth", "markerHeight",
    "refX", "refY", "orient", "markerUnits", "marker-start", "marker-mid", "marker-end", "font-size",
    "font-family", "font-weight", "font-style", "text-anchor", "dominant-baseline", "alignment-baseline",
    "letter-spacing", "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "href", "focusable",
    "vector-effect", "shape-rendering", "paint-order", "stdDeviation", "in", "in2", "result", "mode",
    "operator", "values", "type", "flood-color", "flood-opacity", "filterUnits", "primitiveUnits",
}
# Their content goes too (not only the tag): code, other documents, and the head's text.
_DROPPED_WITH_CONTENT = {"script", "noscript", "iframe", "frame", "frameset", "object", "embed", "template",
                         "portal", "math", "title", "textarea", "select", "applet", "xmp", "noembed",
                         "noframes", "plaintext", "foreignObject", "animate", "animateMotion",
                         "animateTransform", "set", "discard", "handler", "listener"}
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
    **{tag: _SVG_ATTRS for tag in _SVG_TAGS},
}
# A paint or reference attribute may name a fragment of this page (`url(#grad)`), nothing else.
_SVG_REFERENCES = {"fill", "stroke", "clip-path", "mask", "filter", "marker-start", "marker-mid", "marker-end"}
_LOCAL_URL = re.compile(r"""\s*url\(\s*(["']?)#[\w.:-]+\1\s*\)[^()]*""")
# Any value that would run code once a browser decodes it (entities are decoded by the parser,
# whitespace and control characters inside a scheme are ignored by browsers): dropped whole.
_RUNS_CODE = re.compile(r"(javascript|vbscript|livescript)\s*:|data\s*:\s*text/(html|xml)|expression\s*\(",
                        re.IGNORECASE)
_NAME_CHARS = re.compile(r"[a-z][a-z0-9_.:-]*\Z")
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
    if _RUNS_CODE.search(re.sub(r"[\x00-\x20]+", "", value)):
        return None
    if tag in _SVG_TAGS and tag not in _LAYOUT_TAGS:
        if name == "href":  # (xlink:href too: nh3 passes the local name)
            if tag == "image":
                return resource_link(value, base)
            return value if value.startswith("#") else None
        if name in _SVG_REFERENCES and "url(" in value.lower():
            return value if _LOCAL_URL.fullmatch(value) else None
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


class _DocumentAttributes(HTMLParser):
    """The <html> and <body> start tags' attributes. nh3 cleans a fragment, so those two elements
    (and the page's `body.theme-dark`, `html[lang]`, `body{style}`) would be lost."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, list[tuple[str, str]]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("html", "body") and tag not in self.found:
            self.found[tag] = [(k, v or "") for k, v in attrs]
        if tag == "body":
            raise _Done


class _Done(Exception):
    pass


def _document_tag(tag: str, attrs: list[tuple[str, str]], base: str) -> str:
    """The start tag with the allow-listed attributes only, each value through the same filter."""
    kept = []
    for name, value in attrs:
        allowed = name in _GLOBAL_ATTRS or name.startswith(("data-", "aria-"))
        if not allowed or not _NAME_CHARS.match(name):
            continue
        cleaned = _attribute(tag, name, value, base)
        if cleaned is not None:
            kept.append(f' {name}="{escape(cleaned, quote=True)}"')
    return f"<{tag}{''.join(kept)}>"


def _document_attributes(dom_html: str) -> dict[str, list[tuple[str, str]]]:
    parser = _DocumentAttributes()
    try:
        parser.feed(dom_html)
        parser.close()
    except _Done:
        pass
    return parser.found


def render_frame(dom_html: str, page_url: str) -> str:
    """The sanitised copy; `page_url` (the access URL) resolves relative links."""
    clean = nh3.clean(
        dom_html,
        tags=_LAYOUT_TAGS | _SVG_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes={"*": _GLOBAL_ATTRS, **_TAG_ATTRS},
        generic_attribute_prefixes={"data-", "aria-"},
        attribute_filter=lambda tag, name, value: _attribute(tag, name, value, page_url),
        url_schemes={"data", "http", "https"},  # (the filter points each at the access copy)
        link_rel=None,
        strip_comments=True,
    )
    # Style sheets: their text survives the parser as text; its URLs go to the access copy too.
    # The capture's doctype keeps its layout mode (standards, not quirks), so screenshot boxes line up.
    doctype = "<!DOCTYPE html>\n" if dom_html.lstrip()[:9].lower() == "<!doctype" else ""
    found = _document_attributes(dom_html)
    html_tag = _document_tag("html", found.get("html", []), page_url)
    body_tag = _document_tag("body", found.get("body", []), page_url)
    styled = _STYLE_BLOCK.sub(lambda m: m.group(1) + rewrite_css(m.group(2), page_url) + m.group(3), clean)
    return f"{doctype}{html_tag}<head></head>{body_tag}{styled}</body></html>"
