"""Issue 13 finding 6 (Woo review): a decision made by another officer is shown, and changing it
needs a reason that the audit log keeps; the review UI's pages carry a CSP; the frame sanitiser is
an allow-list on a real HTML parser. The Woo app is called in-process (replay.woo.app.handle) on the
session's small Woo crawl (tests/woo_support.py), as the gateway calls it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from woo_support import WooArchive
from woo_support import woo_archive as woo_archive  # noqa: F401 - the session fixture

from demo_platform.model import ID_SHIFT
from replay.gateway_types import GatewayRequest, GatewayResponse
from replay.woo import app
from replay.woo.frame import render_frame


class _Views:
    def refresh(self, name: str) -> None:
        pass

    def internal_url(self, name: str) -> str:
        raise AssertionError("the review never fetches from a pywb")

    def internal_headers(self, name: str) -> dict[str, str]:
        raise AssertionError("the review never fetches from a pywb")


def _ask(woo: WooArchive, audited: list, user: str, method: str, path: str, form: dict | None = None,
         ) -> GatewayResponse:
    return app.handle(GatewayRequest(
        method=method, path=path, query={}, form=form or {}, user=user, role="woo-officer", csrf_token="t",
        archive_dir=woo.archive.resolve(), audit=lambda a, t, d=None: audited.append((user, a, t, d)),
        views=_Views()))  # type: ignore[arg-type]


def test_another_officers_decision_is_shown_and_changing_it_needs_a_reason(
        woo_archive: WooArchive, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("SMA_KEYS_DIR", woo_archive.env["SMA_KEYS_DIR"])
    audited: list = []
    # The period is the day the post was published (the truth's snowflake id holds its time).
    day = datetime.fromtimestamp((int(woo_archive.posts[0]["id"]) >> ID_SHIFT) / 1000, UTC).date().isoformat()
    word = sorted(re.findall(r"[A-Za-zÀ-ÿ]{7,}", woo_archive.posts[0]["text"]), key=len, reverse=True)[0]
    made = _ask(woo_archive, audited, "wim", "POST", "/_sma/woo/requests",
                {"subject": word, "period_from": day, "period_to": day})
    assert made.status == 303, made.body[:300]
    request_path = dict(made.headers)["Location"]
    listing = _ask(woo_archive, audited, "wim", "GET", request_path).body.decode()
    page_path = re.search(r'href="(/_sma/woo/requests/[^"]+/pages/[^"/]+)"', listing).group(1)
    review = _ask(woo_archive, audited, "wim", "GET", page_path)
    csp = dict(review.headers).get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp  # the review page's own CSP
    item = re.search(r'data-item-key="([^"]+)"', review.body.decode()).group(1)
    assert _ask(woo_archive, audited, "wim", "POST", page_path + "/decide",
                {"item": item, "decision": "accept"}).status == 303

    seen = _ask(woo_archive, audited, "wil", "GET", page_path).body.decode()
    row = re.search(rf'<tr[^>]*data-item-key="{re.escape(item)}".*?</tr>', seen, re.S).group(0)
    assert 'data-by="wim"' in row  # the colleague's decision, by name
    refused = _ask(woo_archive, audited, "wil", "POST", page_path + "/decide", {"item": item, "decision": "reject"})
    assert refused.status == 400 and b"wim" in refused.body
    changed = _ask(woo_archive, audited, "wil", "POST", page_path + "/decide",
                   {"item": item, "decision": "reject", "reason": "naam van ambtenaar, geen derde"})
    assert changed.status == 303
    decision = [d for u, a, t, d in audited if a == "decision" and u == "wil"]
    assert len(decision) == 1 and decision[0]["reason"] == "naam van ambtenaar, geen derde"
    assert decision[0]["replaces"]["by"] == "wim" and decision[0]["replaces"]["decision"] == "accept"
    again = _ask(woo_archive, audited, "wim", "GET", page_path).body.decode()
    assert "naam van ambtenaar, geen derde" in again  # the first officer sees it was changed, and why


@pytest.mark.parametrize("hostile", [
    "<scr<script>x</script>ipt>alert(1)</script>",
    '<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>',
    '<img src=x onerror=alert(1)><a href="javascript:alert(1)">a</a>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<div style="background:url(javascript:alert(1))">d</div><base href="http://evil/">',
    '<form action="http://evil"><input formaction="http://evil"></form><meta http-equiv=refresh content="0;url=x">',
])
def test_the_frame_sanitiser_leaves_no_script(hostile: str) -> None:
    """Was: `<scr<script>x</script>ipt>` became `<script>`, and `xlink:href="javascript:…"` stayed."""
    out = render_frame(f"<!DOCTYPE html><html><body><p>kept</p>{hostile}</body></html>", "http://a.example/p")
    lowered = out.lower()
    assert "kept" in out
    for bad in ("<script", "javascript:", "onerror", "<base", "<form", "formaction", "<meta"):
        assert bad not in lowered, (bad, out)
    # inline SVG stays for display (tests/test_frame_sanitiser.py), its links only to this page's fragments
    assert not re.search(r'xlink:href="(?!#)', out)
