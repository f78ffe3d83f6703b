"""The Woo review flow, done by clicking in Chromium through the real gateway (`sma replay`), and what
the public role then receives: only the approved page, redacted exactly as approved, no PII byte."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from woo_support import Gateway, WooArchive, add_user, byte_forms, pii_hits, pii_values, sign_in, start_gateway
from woo_support import woo_archive as woo_archive  # noqa: F401 - the session fixture

from demo_platform.model import ID_SHIFT


@pytest.fixture(scope="module")
def gateway(woo_archive: WooArchive) -> Iterator[Gateway]:  # noqa: F811
    add_user(woo_archive.archive, "officer", "woo-officer", woo_archive.env)
    add_user(woo_archive.archive, "burger", "public", woo_archive.env)
    yield from start_gateway(woo_archive.archive, woo_archive.env)


def _subject_word(post: dict) -> str:
    """A distinctive word of the post's own text (the officer's search term)."""
    words = sorted(re.findall(r"[A-Za-zÀ-ÿ]{7,}", post["text"]), key=len, reverse=True)
    return words[0]


def _plain_comment_words(post: dict) -> str:
    """Four words of a comment without personal data: what the officer selects by hand."""
    for comment in post["comments"]:
        words = comment["text"].split()
        if not comment["pii"] and "@" not in comment["text"] and len(words) >= 6:
            return " ".join(words[1:5])
    raise AssertionError("no plain comment to select")


def _plain_comment_in_frame(page, post: dict, selected: str) -> tuple[str, dict]:  # noqa: ANN001
    """A comment without personal data (not the hand-selected one) shown as one text node in the review
    frame, scrolled into view: its text and its box in the frame's viewport."""
    candidates = [c["text"].strip() for c in post["comments"] if not c["pii"] and "@" not in c["text"]
                  and len(c["text"].split()) >= 6 and selected not in c["text"]]
    found = page.evaluate("""candidates => {
        const doc = document.getElementById('woo-frame').contentDocument;
        const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const text = node.nodeValue.trim();
            if (!candidates.includes(text) || node.parentElement.closest('.sma-woo-overlay')) continue;
            node.parentElement.scrollIntoView({block: 'center'});
            const range = doc.createRange();
            range.selectNodeContents(node);
            const r = range.getBoundingClientRect();
            if (r.width < 20 || r.height < 5) continue;
            return {text, x: r.left, y: r.top, w: r.width, h: r.height};
        }
        return null;
    }""", candidates)
    assert found, f"none of {len(candidates)} plain comments is a text node of the review frame"
    return found.pop("text"), found


def _frame_html(page) -> str:  # noqa: ANN001 - playwright Page
    # The frame is sandboxed without scripts: it is read from the review page (same origin), not evaluated in.
    return page.evaluate("document.getElementById('woo-frame').contentDocument.documentElement.outerHTML")


def _wait_overlays(page) -> dict[str, int]:  # noqa: ANN001
    """Overlays drawn into the frame: the number per item row."""
    page.wait_for_selector("body[data-overlays=drawn]")
    return {row.get_attribute("data-item-key"): int(row.locator(".overlays").inner_text())
            for row in page.locator("#items tr[data-item-key]").all()}


def _drag_select(page, needle: str) -> str:  # noqa: ANN001
    """Selects `needle` in the review frame with the mouse; returns what the browser selected."""
    rect = page.evaluate("""needle => {
        const doc = document.getElementById('woo-frame').contentDocument;
        const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const at = node.nodeValue.indexOf(needle);
            if (at < 0) continue;
            node.parentElement.scrollIntoView({block: 'center'});
            const range = doc.createRange();
            range.setStart(node, at); range.setEnd(node, at + needle.length);
            const r = range.getClientRects()[0];
            return {x: r.left, y: r.top, w: r.width, h: r.height};
        }
        return null;
    }""", needle)
    assert rect, f"{needle!r} is not in the review frame"
    box = page.locator("#woo-frame").bounding_box()
    y = box["y"] + rect["y"] + rect["h"] / 2
    page.mouse.move(box["x"] + rect["x"] + 1, y)
    page.mouse.down()
    page.mouse.move(box["x"] + rect["x"] + rect["w"] / 2, y, steps=5)
    page.mouse.move(box["x"] + rect["x"] + rect["w"] - 1, y, steps=5)
    page.mouse.up()
    return page.evaluate("document.getElementById('woo-frame').contentWindow.getSelection().toString()").strip()


def test_review_flow_then_public_sees_only_the_redacted_page(woo_archive: WooArchive, gateway: Gateway,  # noqa: F811
                                                            browser) -> None:  # noqa: ANN001
    reviewed, other = woo_archive.posts
    officer = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = officer.new_page()
    sign_in(page, gateway.base, "officer")
    page.click("#sma-woo")

    # A Woo request: subject from the post's text, the period the day it was published (the truth's
    # snowflake id holds its time).
    day = datetime.fromtimestamp((int(reviewed["id"]) >> ID_SHIFT) / 1000, UTC).date().isoformat()
    subject = _subject_word(reviewed)
    page.fill("input[name=subject]", subject)
    page.fill("input[name=period_from]", day)
    page.fill("input[name=period_to]", day)
    page.click("text=Verzoek aanmaken")
    page.wait_for_selector("#found-pages")
    post_id = reviewed["url"].rsplit("/", 1)[1]
    found = page.locator(f"#found-pages tr:has(a[href*='/pages/']):has-text('{post_id}')")
    assert found.count() == 1, page.locator("#found-pages").inner_text()
    found.locator("a.open-page").click()

    # The review page: an overlay for every ledger item of the page.
    page.wait_for_selector("#items")
    overlays = _wait_overlays(page)
    assert len(overlays) >= 5, overlays
    assert all(n >= 1 for n in overlays.values()), {k: n for k, n in overlays.items() if n < 1}
    assert not pii_hits(_frame_html(page).encode(), pii_values(woo_archive.truth)), "the officer sees a real value"

    # Reject one item, accept the rest (each click posts a form with the CSRF token).
    # (one the page shows as text, so that the public replay can be seen to keep its pseudonym)
    frame_text = page.evaluate("document.getElementById('woo-frame').contentDocument.body.innerText")
    rejected = next(k for k in overlays if k.startswith("Burger-") and k in frame_text)
    page.locator(f"#items tr[data-item-key='{rejected}'] button[value=reject]").click()
    page.wait_for_selector(f"#items tr.reject[data-item-key='{rejected}']")
    second = page.locator("#items tr.undecided").first.get_attribute("data-item-key")
    page.locator(f"#items tr[data-item-key='{second}'] button[value=accept]").click()
    page.wait_for_selector(f"#items tr.accept[data-item-key='{second}']")
    page.click("#accept-rest")
    page.wait_for_selector("#items tr.accept")
    assert page.locator("#items tr.undecided").count() == 0
    assert page.locator("#items tr.accept").count() == len(overlays) - 1

    # Redact a hand-selected text span with ground 5.1.2a.
    _wait_overlays(page)
    selected = _drag_select(page, _plain_comment_words(reviewed))
    assert len(selected) >= 8, selected
    page.select_option("#redact-text-form select[name=ground]", "5.1.2a")
    page.click("#redact-selection")
    page.wait_for_selector("#manual tr:has-text('5.1.2a')")

    # Draw a region over a plain comment (no PII, not the selection): its text must go, not only its pixels.
    _wait_overlays(page)
    covered, rect = _plain_comment_in_frame(page, reviewed, selected)
    access_bytes = b"".join(gzip.decompress(p.read_bytes())
                            for p in (woo_archive.archive / "access" / "warcs").glob("*.warc.gz"))
    assert any(f in access_bytes for f in byte_forms(covered)), "the covered comment is not in the access copy"
    page.click("#draw-region")
    box = page.locator("#woo-frame").bounding_box()
    page.mouse.move(box["x"] + rect["x"] + 1, box["y"] + rect["y"] + 1)
    page.mouse.down()
    page.mouse.move(box["x"] + rect["x"] + rect["w"] - 1, box["y"] + rect["y"] + rect["h"] - 1, steps=6)
    page.mouse.up()
    page.wait_for_selector("#region-form:not([hidden])")
    sent = json.loads(page.locator("#region-form input[name=texts]").input_value())
    assert covered in sent, sent
    page.click("#redact-region")
    page.wait_for_selector("#manual tr:has-text('gebied')")
    region_row = page.locator("#manual tr:has-text('gebied')")
    assert int(region_row.locator(".region-texts").get_attribute("data-count")) == len(sent), region_row.inner_text()
    assert f"lakt ook {len(sent)} tekstfragment" in region_row.inner_text()

    page.click("#approve")
    page.wait_for_selector("#page-status.approved")
    officer.close()

    # The public role: the approved page only, redacted.
    public = browser.new_context()
    responses: list[tuple[str, bytes]] = []

    def keep(response) -> None:  # noqa: ANN001
        try:
            responses.append((response.url, response.body()))
        except Exception:  # a redirect has no body; its headers are checked below
            responses.append((response.url, b""))
        responses.append((response.url, json.dumps(response.headers).encode()))

    ppage = public.new_page()
    sign_in(ppage, gateway.base, "burger")
    links = ppage.locator("#sma-pages a.sma-page")
    assert links.count() == 1, ppage.content()
    assert other["url"].rsplit("/", 1)[1] not in ppage.content()
    ppage.on("response", keep)
    links.first.click()
    ppage.wait_for_load_state("networkidle")
    shown = ppage.inner_text("body")
    assert "gelakt: 5.1.2e" in shown or "[5.1.2e]" in shown, shown[:2000]
    assert "5.1.2a" in shown, shown[:2000]
    everything = b"\n".join(body for _, body in responses) + "\n".join(url for url, _ in responses).encode()
    assert not pii_hits(everything, pii_values(woo_archive.truth))
    assert not any(f in everything for f in byte_forms(selected)), "the hand-selected text is still served"
    public_bytes = b"".join(gzip.decompress(p.read_bytes())
                            for p in (woo_archive.archive / "public" / "warcs").glob("*.warc.gz"))
    for served in (everything, public_bytes):
        assert not any(f in served for f in byte_forms(covered)), "the text under the drawn region is still served"
    # A rejected item keeps its pseudonym in the public version (replies behind a click included).
    public_warcs = list((woo_archive.archive / "public" / "warcs").glob("*.warc.gz"))
    assert len(public_warcs) == 1
    assert rejected.encode() in gzip.decompress(public_warcs[0].read_bytes()), "a rejected item shows its pseudonym"

    # The page that was not approved is not there for the public, not even by its replay URL.
    answer = ppage.request.get(f"{gateway.base}/archive/{datetime.now(UTC):%Y%m%d%H%M%S}/{other['url']}")
    assert answer.status >= 400 or other["text"][:30].encode() not in answer.body()
    public.close()
