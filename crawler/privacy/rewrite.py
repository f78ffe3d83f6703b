"""Pseudonymised copies of captured text, bodies and URLs.

Every finding is replaced by its pseudonym, spelled the way the surrounding bytes spell things
(URL-encoded inside URLs and percent-encoded values, JSON-safe in JSON), so the copy stays valid
HTML/JSON/JS and links keep working inside it. Findings are reported with spans in the decoded
original (the ledger's locations). A body without findings comes back as the very same bytes.
"""

from __future__ import annotations

import bisect
import re
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

from archive.content_types import is_binary
from crawler.privacy import markup
from crawler.privacy.detect import Finding, PiiDetector, unescape_form
from crawler.privacy.pseudonym import Pseudonymiser

URL_PSEUDONYM_PATH = "/pseudoniem"
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"(\s*:)?', re.S)


def replacement(finding: Finding, pseudonymiser: Pseudonymiser, in_url: bool = False) -> str:
    """The pseudonym for a finding, spelled like the original occurrence."""
    if finding.type == "url":
        original = unescape_form(finding.value)
        parts = urlsplit(original)
        suffix = PurePosixPath(parts.path).suffix if len(PurePosixPath(parts.path).suffix) <= 5 else ""
        person = pseudonymiser.pseudonym("url", original)
        new = f"{URL_PSEUDONYM_PATH}/{person}/{pseudonymiser.url_token(original)}{suffix}"
        if parts.scheme and parts.netloc:
            new = f"{parts.scheme}://{parts.netloc}{new}"
        if "\\/" in finding.value:
            new = new.replace("/", "\\/")
        return new
    value = pseudonymiser.pseudonym(finding.type, finding.value)
    if re.search(r"%[0-9A-Fa-f]{2}", finding.value):
        return quote(value, safe="-")
    if in_url:
        return quote(value, safe="@-")
    return value


def _apply(text: str, findings: list[Finding], pseudonymiser: Pseudonymiser, in_url: bool = False) -> str:
    out, last = [], 0
    for f in findings:
        out += [text[last:f.start], replacement(f, pseudonymiser, in_url)]
        last = f.end
    out.append(text[last:])
    return "".join(out)


def pseudonymise_text(text: str, detector: PiiDetector, pseudonymiser: Pseudonymiser) -> tuple[str, list[Finding]]:
    pseudonymiser.link(detector.people())
    findings = detector.find(text)
    return (_apply(text, findings, pseudonymiser) if findings else text), findings


def pseudonymise_url(url: str, detector: PiiDetector, pseudonymiser: Pseudonymiser) -> str:
    """The URL with every personal value replaced; scheme and host kept, so the copy's records and
    the links to them still agree (the same URL always gives the same pseudonymised URL)."""
    pseudonymiser.link(detector.people())
    parts = urlsplit(url)
    head = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    rest = url[len(head):]
    findings = detector.find(rest)
    return head + _apply(rest, findings, pseudonymiser, in_url=True) if findings else url


def _charset(content_type: str) -> str:
    m = re.search(r"charset=[\"']?([\w.-]+)", content_type or "", re.I)
    return m.group(1) if m else "utf-8"


def _is_json(content_type: str, text: str) -> bool:
    ct = (content_type or "").lower()
    return "json" in ct or (not ct and text.lstrip()[:1] in ("{", "["))


def _json_findings(text: str, detector: PiiDetector) -> list[Finding]:
    """Findings in every string value (keys untouched), spans in the whole body."""
    found: list[Finding] = []
    for m in _JSON_STRING.finditer(text):
        if m.group(1):  # a key
            continue
        start = m.start() + 1
        inner = text[start:m.end() - 1]
        found += [Finding(f.type, f.value, f.start + start, f.end + start, f.source) for f in detector.find(inner)]
    return found


def _html_findings(text: str, detector: PiiDetector) -> list[Finding]:
    """Everything in the document but markup punctuation (crawler/privacy/markup.py): the text flow
    in one pass, each distinct name, attribute value, comment and script once per crawl. Textual
    look-alikes in class/style/id values and styles are dropped; learned people are found there too
    (a class name never needs a commenter's handle)."""
    split = markup.parts(text)
    found = _mapped(detector.find(split.flow), split.runs, text)
    seen: dict[tuple[str, bool], list[Finding]] = {}
    for start, end, plain in split.values:
        value = text[start:end]
        findings = seen.get((value, plain))
        if findings is None:
            findings = seen[(value, plain)] = [f for f in _value_findings(value, detector)
                                               if not (plain and f.source == "text")]
        found += [Finding(f.type, f.value, f.start + start, f.end + start, f.source) for f in findings]
    return sorted(found, key=lambda f: f.start)


_LONG_CHARS = 4_000_000  # at most this many characters of them per detector


def _value_findings(value: str, detector: PiiDetector) -> list[Finding]:
    """detector.find, remembered for long values too (a platform's inline scripts, SVG paths recur in
    every page): per detector and what it has learned, so a value is found again after learning."""
    if len(value) <= 1_000:
        return detector.find(value)
    kept = detector.long_values
    key = (len(detector.people()) + len(detector.ids()), value)
    if key not in kept:
        if sum(len(k[1]) for k in kept) + len(value) > _LONG_CHARS:
            kept.clear()
        kept[key] = detector.find(value)
    return list(kept[key])


def _mapped(findings: list[Finding], runs: list[tuple[int, int, int]], text: str) -> list[Finding]:
    """Findings in a text flow at their place in the document. One that spans several runs (a name
    across an inline element's tags) becomes one finding per run it covers: each part is replaced,
    the tags between stay."""
    starts = [at for at, _start, _length in runs]
    out = []
    for f in findings:
        i = max(0, bisect.bisect_right(starts, f.start) - 1)
        spans = []
        while i < len(runs) and runs[i][0] < f.end:
            at, start, length = runs[i]
            s, e = max(f.start, at), min(f.end, at + length)
            if e > s:
                spans.append((start + s - at, start + e - at))
            i += 1
        if len(spans) == 1:
            out.append(Finding(f.type, text[spans[0][0]:spans[0][1]], spans[0][0], spans[0][1], f.source))
            continue
        for s, e in spans:
            part = text[s:e]
            s, e = s + len(part) - len(part.lstrip()), e - len(part) + len(part.rstrip())
            if e > s:
                out.append(Finding(f.type, text[s:e], s, e, f.source))
    return out


def pseudonymise_body(body: bytes, content_type: str, url: str, detector: PiiDetector,
                      pseudonymiser: Pseudonymiser) -> tuple[bytes, list[Finding]]:
    """A pseudonymised copy of a response body: HTML (text, attributes, inline scripts and JSON),
    JSON (string values, recursively), JS, CSS and plain text. Escaped spellings of a value (HTML
    entities, JSON \\uXXXX, URL-encoding, lower case) are found too. Unchanged -> same bytes, []."""
    if not body or is_binary(content_type):  # never text: screenshots and avatars are the derivative's business
        return body, []
    pseudonymiser.link(detector.people())
    charset = _charset(content_type)
    try:
        text = body.decode(charset, errors="surrogateescape")
    except LookupError:
        charset = "utf-8"
        text = body.decode(charset, errors="surrogateescape")
    ct = (content_type or "").lower()
    if _is_json(ct, text):
        findings = _json_findings(text, detector)
    elif "html" in ct or "xml" in ct:
        findings = _html_findings(text, detector)
    else:
        findings = detector.find(text)
    if not findings:
        return body, []
    return _apply(text, findings, pseudonymiser).encode(charset, errors="surrogateescape"), findings
