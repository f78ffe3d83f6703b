"""The Woo review frame's sanitiser (replay/woo/frame.py, issue 13 finding 6): what a replayed page
needs for display stays -- the <html>/<body> attributes its style sheets select on, inline SVG
icons -- and no script, event handler or javascript: URL passes, checked byte-wise on the output and
on the output as a browser's HTML parser reads it."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from replay.woo.frame import render_frame

PAGE = "https://social.example/@gemeente/111"
DISPLAY = """<!DOCTYPE html><html lang="nl" class="no-js">
<head><style>body.theme-dark .icon{fill:#fff}</style></head>
<body class="app-body theme-dark" dir="ltr" style="margin:0" data-layout="single">
<div class="status">Bericht van de gemeente <img src="https://cdn.social.example/a.png" alt="foto"></div>
<svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
<defs><linearGradient id="g1" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6364ff"/></linearGradient>
<symbol id="heart"><path d="M12 21l-1-1C5 15 2 12 2 8"/></symbol></defs>
<use xlink:href="#heart"/><use href="#heart"/><circle cx="12" cy="12" r="4" fill="url(#g1)" stroke="#000"/>
<text x="2" y="20" font-size="8">12</text></svg>
</body></html>"""

# Known vectors: handlers on the document's own elements and on SVG, links and references that run
# code (plain, entity-encoded, with whitespace inside the scheme), SVG's animation of an href,
# external <use>, foreignObject, namespace confusion, the reassembling tag of the finding.
HOSTILE = [
    '<html onmouseover="alert(1)"><body onload="alert(1)" onpageshow=alert(2) class="x"><p>kept</p></body></html>',
    '<body background="javascript:alert(1)" style="background:url(javascript:alert(1))"><p>kept</p></body>',
    '<body data-x="jav&#x09;ascript:alert(1)" title="&#106;avascript:alert(1)"><p>kept</p></body>',
    '<p>kept</p><svg onload="alert(1)"><circle onclick="alert(1)" r="1"/></svg>',
    '<p>kept</p><svg><script>alert(1)</script><script href="data:,alert(1)"/></svg>',
    '<p>kept</p><svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>',
    '<p>kept</p><svg><a href="  JaVaScRiPt:alert(1)"><text>x</text></a></svg>',
    '<p>kept</p><svg><use href="https://evil.example/x.svg#a"/><use xlink:href="data:image/svg+xml,<svg/>"/></svg>',
    '<p>kept</p><svg><animate attributeName="href" to="javascript:alert(1)"/><set attributeName="onmouseover" '
    'to="alert(1)"/></svg>',
    '<p>kept</p><svg><foreignObject><img src=x onerror=alert(1)><script>alert(1)</script></foreignObject></svg>',
    '<p>kept</p><svg><style><img src=x onerror=alert(1)></style></svg>',
    '<p>kept</p><math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<p>kept</p><svg><image href="javascript:alert(1)"/><image xlink:href="&#x6a;avascript:alert(1)"/></svg>',
    '<p>kept</p><svg><path fill="url(javascript:alert(1))" d="M0"/><rect filter="url(https://evil/f.svg#f)"/></svg>',
    '<p>kept</p><scr<script>x</script>ipt>alert(1)</script><svg><scr<script>x</script>ipt>alert(1)</script></svg>',
    '<p>kept</p><svg><handler type="application/ecmascript">alert(1)</handler><listener event="load"/></svg>',
    '<p>kept</p><div style="width:expression(alert(1))">d</div><a href="vbscript:msgbox(1)">v</a>',
    '<p>kept</p><iframe srcdoc="<script>alert(1)</script>"></iframe><object data="javascript:alert(1)"></object>',
]
_URL_ATTRS = {"href", "xlink:href", "src", "srcset", "poster", "data-src", "background", "action", "formaction"}


class _Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def _parse(out: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Parsed()
    parser.feed(out)
    return parser.tags


def _assert_runs_nothing(out: str) -> None:
    lowered = out.lower()
    assert "<script" not in lowered and "javascript:" not in lowered and "vbscript:" not in lowered
    assert not re.search(r"<[^>]*[\s/\"']on[a-z]+\s*=", lowered), out  # no handler attribute, raw bytes
    for tag, attrs in _parse(out):
        assert tag not in ("script", "foreignobject", "animate", "set", "handler", "listener", "iframe", "object")
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            decoded = re.sub(r"[\x00-\x20]+", "", html.unescape(value)).lower()
            assert "javascript:" not in decoded and "vbscript:" not in decoded and "expression(" not in decoded
            if name in _URL_ATTRS:
                for url in (p.split()[0] for p in value.split(",") if p.strip()) if name == "srcset" else [value]:
                    assert url.startswith(("res?u=", "#", "data:image/", "about:blank")), (tag, name, value)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_script_handler_or_javascript_url_passes(hostile: str) -> None:
    out = render_frame(f"<!DOCTYPE html>{hostile}", PAGE)
    assert "kept" in out
    _assert_runs_nothing(out)


def test_what_a_replayed_page_needs_for_display_stays() -> None:
    out = render_frame(DISPLAY, PAGE)
    _assert_runs_nothing(out)
    tags = _parse(out)
    html_tag = next(a for t, a in tags if t == "html")
    body = next(a for t, a in tags if t == "body")
    assert html_tag == {"lang": "nl", "class": "no-js"}
    assert body == {"class": "app-body theme-dark", "dir": "ltr", "style": "margin:0", "data-layout": "single"}
    assert out.index("<body") < out.index("Bericht van de gemeente")  # the content is inside that body
    names = [t for t, _ in tags]
    for svg_tag in ("svg", "defs", "lineargradient", "stop", "symbol", "path", "use", "circle", "text"):
        assert svg_tag in names, svg_tag
    svg = next(a for t, a in tags if t == "svg")
    assert svg["viewbox"] == "0 0 24 24" and svg["class"] == "icon"
    circle = next(a for t, a in tags if t == "circle")
    assert circle["fill"] == "url(#g1)" and circle["r"] == "4"
    assert [a.get("xlink:href") or a.get("href") for t, a in tags if t == "use"] == ["#heart", "#heart"]
    assert 'viewBox="0 0 24 24"' in out and 'd="M12 21l-1-1C5 15 2 12 2 8"' in out  # as SVG spells them
    # an absolute image URL is kept, from the access copy (it used to be dropped: no http scheme allowed)
    img = next(a for t, a in tags if t == "img")
    assert img["src"] == "res?u=https%3A%2F%2Fcdn.social.example%2Fa.png"
