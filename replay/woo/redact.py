"""Applying a page's Woo decisions to its ACCESS records: the public version, written as a WARC.

Starting from the pseudonymised access copy (never the original), every accepted item's pseudonym,
every string the officer selected and every text fragment under a drawn region is replaced, in every
spelling it takes in the bytes (HTML entities, JSON escapes, URL encoding, any case), by a label
that names the ground:

    HTML text      <span class="sma-woo-gelakt" ...>[5.1.2e]</span>
    everything else (attributes, scripts, JSON, CSS, text, headers)   [gelakt: 5.1.2e]
    URLs (target URIs, Location, URL-encoded occurrences)               gelakt-5.1.2e
    screenshot     a black box with the ground written in it

A rejected item keeps its pseudonym (the officer never saw the real value, so it cannot be shown).
An item still undecided at approval is redacted (fail closed), and so is any pseudonym of the access
copy that is not a rejected item of this page -- a third party of another page who is mentioned here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from archive.content_types import is_binary
from archive.layout import COPY_DIRS, ArchiveDir
from archive.pages import replace_page
from archive.transform import Handling, handling, metadata_fields
from crawler.archive.model import Exchange
from crawler.archive.warc import ArchiveWriter
from crawler.privacy import forms
from crawler.privacy.derivative import parse_warc_date
from crawler.privacy.pseudonym import LABELS, PERSON_PREFIX

from .access import AccessArchive, Item, LoadedRecord, Page
from .model import DEFAULT_GROUND, PageReview

PUBLIC_DIRNAME = COPY_DIRS["public"]  # DIR/public: the approved, redacted copy
PUBLIC_PREFIX = "sma-public"
_AT = r"(?:@|%40|\\u0040|&#64;|&#x40;)?"
# Between the words of a selected string: any spacing form, or tags (a selection across elements).
_SELECTION_GAP = r"(?:" + forms.SPACE + r"|<[^<>]{0,300}>|\\u003[cC][^\\]{0,300}?\\u003[eE])+"
_ANY_PSEUDONYM = re.compile(
    re.escape(PERSON_PREFIX) + r"[0-9A-F]{4,}(?![0-9A-Za-z])|\[(?:" + "|".join(map(re.escape, LABELS.values()))
    + r"|avatar)(?: |%20|\+|&#32;)[0-9A-F]{4,}\]|%5B(?:" + "|".join(map(re.escape, LABELS.values()))
    + r"|avatar)(?:%20|\+)[0-9A-F]{4,}%5D", re.IGNORECASE)


def html_label(ground: str) -> str:
    return (f'<span class="sma-woo-gelakt" data-woo-ground="{ground}" title="Woo {ground}" style="background:#000;'
            f'color:#fff;padding:0 .25em;font-weight:bold">[{ground}]</span>')


def text_label(ground: str) -> str:
    return f"[gelakt: {ground}]"


def url_label(ground: str) -> str:
    return f"gelakt-{ground}"


@dataclass
class Rule:
    pattern: re.Pattern[str]
    ground: str


def selection_regex(text: str) -> str:
    words = [w for w in re.split(r"\s+", text.strip()) if w]
    return _SELECTION_GAP.join("".join(forms.char_forms(c) for c in word) for word in words)


def build_rules(items: list[Item], review: PageReview, texts: list[tuple[str, str]],
                words: Sequence[tuple[str, str]] = ()) -> tuple[list[Rule], set[str]]:
    """Rules for the page (longest first) and the pseudonyms that stay (rejected items). `texts` are
    hand selections (matched anywhere: a selection may start inside a word); `words` are the text
    fragments under drawn regions, whole words, matched only as whole words so that a short one ("de",
    "3") does not blot out every word or number that contains it."""
    rules: list[tuple[int, Rule]] = []
    kept: set[str] = set()
    for item in items:
        decision = review.items.get(item.key, {})
        if decision.get("decision") == "reject":
            kept.add(item.key.lower())
            continue
        if item.key == "avatar":
            continue  # screenshot boxes only; avatar images are already the neutral one
        ground = decision.get("ground") or DEFAULT_GROUND
        source = _AT + forms.bounded(forms.value_regex(item.key))
        rules.append((len(item.key), Rule(re.compile(source, re.IGNORECASE), ground)))
    for text, ground in texts:
        if text.strip():
            rules.append((len(text) + 1000, Rule(re.compile(selection_regex(text), re.IGNORECASE), ground)))
    for text, ground in words:
        if text.strip():
            source = forms.bounded(selection_regex(text))
            rules.append((len(text) + 1000, Rule(re.compile(source, re.IGNORECASE), ground)))
    return [r for _, r in sorted(rules, key=lambda x: -x[0])], kept


class Redactor:
    """Applies the rules to the bodies, URLs and headers of one page."""

    def __init__(self, rules: list[Rule], kept: set[str]) -> None:
        self.rules = rules
        self.kept = kept
        self.count = 0

    def _apply(self, text: str, label: Callable[[str, str, re.Match[str]], str]) -> str:
        """Each rule in turn over `text`; label(ground, text as the rule saw it, match) spells the label."""
        for rule in self.rules:
            text = rule.pattern.sub(lambda m, g=rule.ground, t=text: self._hit(label(g, t, m)), text)
        # The safety net: any pseudonym left that the officer did not explicitly keep.
        return _ANY_PSEUDONYM.sub(lambda m, t=text: m.group(0) if _bare(m.group(0)) in self.kept
                                  else self._hit(label(DEFAULT_GROUND, t, m)), text)

    def _hit(self, label: str) -> str:
        self.count += 1
        return label

    def url(self, url: str) -> str:
        return self._apply(url, lambda g, _t, _m: url_label(g))

    def text(self, text: str) -> str:
        return self._apply(text, lambda g, t, m: url_label(g) if _in_url(t, m) else text_label(g))

    def html(self, body: str) -> str:
        def label(ground: str, text: str, m: re.Match[str]) -> str:
            if _in_url(text, m):
                return url_label(ground)
            pos = m.start()
            if text.rfind("<", 0, pos) > text.rfind(">", 0, pos):  # inside a tag: an attribute value
                return text_label(ground)
            lowered = text[max(0, pos - 200_000):pos].lower()
            for element in ("script", "style", "textarea", "title"):
                if lowered.rfind(f"<{element}") > lowered.rfind(f"</{element}"):
                    return text_label(ground)
            return html_label(ground) + "".join(re.findall(r"<[^<>]*>", m.group(0)))

        return self._apply(body, label)

    def body(self, payload: bytes, content_type: str, uri: str) -> bytes:
        if not payload or is_binary(content_type):
            return payload
        kind = content_type.lower()
        text = payload.decode("utf-8", "surrogateescape")
        is_html = "html" in kind or uri.startswith("urn:dom:")
        out = self.html(text) if is_html else self.text(text)
        return out.encode("utf-8", "surrogateescape")

    def headers(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out = []
        for name, value in headers:
            if name.lower() in ("location", "referer", "content-location", "link"):
                out.append((name, self.url(value)))
            else:
                out.append((name, self.text(value)))
        return out


def _in_url(text: str, m: re.Match[str]) -> bool:
    """Part of a URL (a path segment, a query value, URL-encoded): the label must stay a URL token,
    the same one the record's target URI got, so links keep resolving."""
    before = text[max(0, m.start() - 3):m.start()]
    return "%" in m.group(0) or before.endswith(("/", "=", "%2F", "%2f", "\\/")) or before.endswith("/@")


def _bare(pseudonym: str) -> str:
    return pseudonym.removeprefix("@").lower()


def black_boxes(png: bytes, boxes: list[tuple[list[float], str]]) -> bytes:
    """The screenshot with each box filled black and its ground written in white."""
    if not png or not boxes:
        return png
    image = Image.open(io.BytesIO(png)).convert("RGB")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    for (x, y, w, h), ground in boxes:
        left, top = max(0, int(x) - 2), max(0, int(y) - 2)
        right, bottom = min(image.width, int(x + w) + 3), min(image.height, int(y + h) + 3)
        if right <= left or bottom <= top:
            continue
        draw.rectangle((left, top, right - 1, bottom - 1), fill=(0, 0, 0))
        draw.text((left + 3, top + max(0, (bottom - top - 11) // 2)), ground, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def screenshot_boxes(items: list[Item], review: PageReview) -> list[tuple[list[float], str]]:
    boxes: list[tuple[list[float], str]] = []
    for item in items:
        decision = review.items.get(item.key, {})
        if decision.get("decision") != "reject":
            boxes += [(b, decision.get("ground") or DEFAULT_GROUND) for b in item.boxes]
    boxes += [(t.boxes[i], t.ground) for t in review.texts for i in range(len(t.boxes))]
    boxes += [(r.box, r.ground) for r in review.regions]
    return boxes


@dataclass
class PublicPage:
    path: Path
    records: int
    replacements: int
    url: str
    title: str


def _exchange(access: AccessArchive, rec: LoadedRecord, redactor: Redactor) -> Exchange:
    http = rec.http_headers
    request = next(iter(access.requests_for({rec.ref.record_id})), None)
    method, request_headers = "GET", []
    if request is not None:
        loaded = access.load(request)
        if loaded.http_headers is not None:
            method = loaded.http_headers.protocol or "GET"
            request_headers = redactor.headers(list(loaded.http_headers.headers))
    content_type = (http.get_header("Content-Type") if http else "") or ""
    return Exchange(
        url=redactor.url(rec.ref.uri), method=method, request_headers=request_headers, request_body=None,
        status=int(http.get_statuscode() or 200) if http else 200,
        reason=http.statusline.partition(" ")[2] if http else "OK",
        http_version=http.protocol if http else "HTTP/1.1",
        response_headers=redactor.headers([(k, v) for k, v in (http.headers if http else [])]),
        body=redactor.body(rec.payload, content_type, rec.ref.uri), started=parse_warc_date(rec.ref.date),
    )


def write_public_page(archive_dir: Path, access: AccessArchive, page: Page, items: list[Item], review: PageReview,
                      texts: list[tuple[str, str]], region_texts: Sequence[tuple[str, str]] = ()) -> PublicPage:
    """Writes DIR/public/warcs/sma-public-…-<page id>-00000.warc.gz (replacing the page's earlier
    public file) and the page's row in DIR/public/pages.jsonl."""
    rules, kept = build_rules(items, review, texts, region_texts)
    redactor = Redactor(rules, kept)
    public_dir = ArchiveDir(archive_dir).copy("public")
    old = sorted(ArchiveDir(archive_dir).warc_dir("public").glob(f"{PUBLIC_PREFIX}-*-{page.id}-*.warc.gz"))
    page_url = redactor.url(page.url)
    writer = ArchiveWriter(public_dir, page.id, {"software": "SMA Woo publication", "format": "WARC File Format 1.1",
                                                 "description": f"public version of page {page.id}, redacted"},
                           prefix=PUBLIC_PREFIX, seen={})
    try:
        for ref in access.page_records(page):
            rec = access.load(ref)
            uri = redactor.url(ref.uri)
            how = handling(ref.type, ref.uri)
            if how is Handling.EXCHANGE:
                writer.write_exchange(_exchange(access, rec, redactor), page_url=page_url)
            elif how is Handling.RESOURCE:
                content_type = (rec.rec_headers.get_header("Content-Type") or ref.content_type
                                or "application/octet-stream")
                if ref.uri.startswith("urn:screenshot:"):
                    data = black_boxes(rec.payload, screenshot_boxes(items, review))
                else:
                    data = redactor.body(rec.payload, content_type, ref.uri)
                writer.write_resource(uri, content_type, data, parse_warc_date(ref.date))
            elif how is Handling.METADATA:
                writer.write_metadata(uri, metadata_fields(rec.payload, redactor.text), parse_warc_date(ref.date), None)
    finally:
        writer.close()
    for path in old:  # the page's previous public version (a re-approval) goes only once the new one is closed
        if path not in writer.files:
            path.unlink(missing_ok=True)
    title = redactor.text(page.title)
    replace_page(public_dir, {"id": page.id, "url": page_url, "ts": page.ts, "title": title, "kind": page.kind})
    return PublicPage(writer.files[0] if writer.files else public_dir, writer.records, redactor.count, page_url, title)

