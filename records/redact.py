"""Traces of destroyed posts inside records that are kept: the timeline (profile page) captures.

A profile page shows the opening of every post, with its link and id, in its HTML, its DOM snapshot
(`urn:dom:`), its text (`urn:text:`), its screenshot and the JSON the page fetched (a timeline API).
Those records belong to the account, which is kept, so destruction cannot drop them; it rewrites them
without the destroyed posts (docs/records.md, "Traces in kept records"):

- HTML (responses, DOM snapshots): every post card (the profiles' `profile_page.post` selectors, else
  the nearest ancestor repeated among its siblings) that links to or names a destroyed post is
  removed, then every element whose text still holds a line of the post's text;
- JSON: every list item that names a destroyed post is left out, other strings lose the trace;
- text (`urn:text:`, metadata, anything else textual): every line holding a trace, or the opening of a
  post's line (a timeline's truncated "Door de droogte…"), is left out;
- last, any trace left (a URL in a script) is cut out of the bytes, so none survives whatever the markup;
- a screenshot of a page visit whose DOM or text was rewritten shows the post and is dropped.

The rewritten record keeps its WARC-Record-ID, date and URI (links from request records and the PII
ledger stay valid), gets new Content-Length and digests and `WARC-SMA-Redacted: <list id>`; its HTTP body
is stored decoded (Content-Encoding and Transfer-Encoding headers dropped). Everything here is a
pure function of the record's bytes and the traces: a resumed run computes the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from warcio.archiveiterator import ArchiveIterator

TEXTUAL = ("text/", "application/json", "application/ld+json", "application/javascript", "application/xml",
           "application/xhtml", "application/warc-fields", "application/x-javascript", "+json", "+xml")
MIN_LINE = 20  # shorter lines ("Ministerie van Demo", "13") are not distinctive of a post
MIN_OPENING = 30  # a truncated opening shorter than this is not attributed to a post
ELLIPSES = ("…", "...", "..")
PLACEHOLDER = ""


@dataclass
class Traces:
    """What names a destroyed post: its URLs (and their paths), its ids, the lines of its text.

    `found` runs on every textual record of the archive, so it looks up words, not substrings: the
    ids (a URL or path holding one is found by it), and for each line the longest word of its first
    MIN_OPENING characters (which a truncated opening holds too); only candidates are compared whole."""

    needles: list[str]  # URLs, paths, ids: removed wherever they occur
    lines: list[str]  # the post's own text lines (whitespace normalised)
    _ids: set[str] = field(default_factory=set, init=False, repr=False)
    _other: list[str] = field(default_factory=list, init=False, repr=False)
    _keys: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    _unkeyed: list[str] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self._ids = {n for n in self.needles if WORD.fullmatch(n)}
        self._other = [n for n in self.needles if n not in self._ids and not self._ids & set(WORD.findall(n))]
        for line in self.lines:
            head = line[:MIN_OPENING]
            words = WORD.findall(head)
            if words and len(line) > MIN_OPENING and WORD.match(line[MIN_OPENING]) and head.endswith(words[-1]):
                words = words[:-1]  # cut mid-word: a truncated opening may end anywhere in it
            words = [w for w in words if len(w) >= 4]
            if words:
                self._keys.setdefault(max(words, key=len), []).append(line)
            else:
                self._unkeyed.append(line)

    def to_json(self) -> dict:
        return {"needles": self.needles, "lines": self.lines}

    @classmethod
    def from_json(cls, data: dict) -> Traces:
        return cls(list(data["needles"]), list(data["lines"]))

    def names(self, text: str) -> bool:
        """The text holds a URL, path or id of the posts."""
        return bool(set(WORD.findall(text)) & self._ids) or any(n in text for n in self._other)

    def found(self, text: str) -> bool:
        words = set(WORD.findall(text))
        if words & self._ids or any(n in text for n in self._other):
            return True
        candidates = [line for w in words & self._keys.keys() for line in self._keys[w]] + self._unkeyed
        if not candidates:
            return False
        flat = _norm(text)
        if any(line in flat for line in candidates):
            return True
        narrowed = Traces([], candidates)
        return any(_is_opening(line, narrowed) for line in text.splitlines())  # a timeline's "Vanaf maandag…"


WORD = re.compile(r"[^\W_]+")


def _norm(text: str) -> str:
    return " ".join(text.split())


def url_needles(urls: set[str], kept_urls: set[str]) -> list[str]:
    """The post URLs, their paths (with query) and their ids: path segments and query values of 6 or
    more characters with a digit that no kept post or account URL has (a page id in a permalink is not the post's)."""
    def tokens(url: str) -> set[str]:
        parts = urlsplit(url)
        found = {seg for seg in parts.path.split("/") if len(seg) >= 6 and any(c.isdigit() for c in seg)}
        found |= {v for _, v in parse_qsl(parts.query) if len(v) >= 6 and any(c.isdigit() for c in v)}
        return found

    shared = set().union(*(tokens(u) for u in kept_urls)) if kept_urls else set()
    needles: set[str] = set()
    for url in urls:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        needles |= {url, url.rstrip("/"), path.rstrip("/") if len(path) > 8 else url}
        needles |= tokens(url) - shared
    needles |= {n.replace("/", "\\/") for n in needles if "/" in n}  # JSON may escape slashes
    return sorted(needles, key=lambda n: (-len(n), n))  # longest first: a URL before its id


def text_lines(post_texts: list[str], kept_texts: list[str]) -> list[str]:
    """The lines of the destroyed posts' own text that no kept post's page shares (boilerplate)."""
    kept = {_norm(line) for text in kept_texts for line in text.splitlines()}
    lines = {_norm(line) for text in post_texts for line in text.splitlines()}
    return sorted((line for line in lines - kept if len(line) >= MIN_LINE), key=lambda s: (-len(s), s))


def is_textual(content_type: str) -> bool:
    content_type = content_type.lower()
    return any(t in content_type for t in TEXTUAL)


def _opening_of_post(line: str, traces: Traces) -> bool:
    """A line that is a post line, holds a trace, or is a truncated opening of a post line."""
    flat = _norm(line)
    if not flat:
        return False
    if traces.names(line) or any(t in flat for t in traces.lines):
        return True
    return _is_opening(line, traces)


def _is_opening(line: str, traces: Traces) -> bool:
    """A line that is the truncated opening of a post line (at least MIN_OPENING characters)."""
    stem = _norm(line)
    for mark in ELLIPSES:
        stem = stem.removesuffix(mark).rstrip()
    return len(stem) >= MIN_OPENING and any(t.startswith(stem) for t in traces.lines)


def redact_text(text: str, traces: Traces) -> str:
    kept = [line for line in text.splitlines(keepends=True) if not _opening_of_post(line, traces)]
    return _cut(("".join(kept)), traces)


def _cut(text: str, traces: Traces) -> str:
    for needle in traces.needles:
        text = text.replace(needle, PLACEHOLDER)
    for line in traces.lines:
        text = text.replace(line, PLACEHOLDER)
    return text


def _strings(node) -> set[str]:  # noqa: ANN001
    if isinstance(node, dict):
        return set().union(*(_strings(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_strings(v) for v in node)) if node else set()
    return {node} if isinstance(node, str) else set()


def redact_json(text: str, traces: Traces, media: set[str] | None = None) -> str | None:
    """`media` collects the http(s) URLs only the removed items named (the post's media)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None

    def names_post(node) -> bool:  # noqa: ANN001 - a scalar of its own (not of a nested list) has a trace
        if isinstance(node, dict):
            return any(names_post(v) for v in node.values() if not isinstance(v, list))
        return isinstance(node, str) and traces.found(node)

    removed: set[str] = set()

    def gone(x) -> bool:  # noqa: ANN001
        if (isinstance(x, dict) and names_post(x)) or (isinstance(x, str) and traces.found(x)):
            removed.update(_strings(x))
            return True
        return False

    def prune(node):  # noqa: ANN001, ANN202 - the smallest list item that is the post goes
        if isinstance(node, list):
            return [prune(x) for x in node if not gone(x)]
        if isinstance(node, dict):  # a key that names the post ({url: thumbnail}) goes with its value
            return {k: prune(v) for k, v in node.items() if not traces.found(k)}
        if isinstance(node, str) and traces.found(node):
            return "" if any(t in _norm(node) for t in traces.lines) else _cut(node, traces)
        return node

    pruned = prune(data)
    if media is not None:
        media |= {u for u in removed - _strings(pruned) if u.startswith(("http://", "https://"))}
    return json.dumps(pruned, ensure_ascii=False, separators=(",", ":"))


def card_selectors() -> list[str]:
    """Every profile's selector for a post on a profile page (platform knowledge stays in profiles/)."""
    from crawler.profiles import all_profiles  # yaml only: no Scrapy or Playwright

    found = []
    for profile in all_profiles().values():
        selector = profile.page("profile").selectors.get("post")
        if selector and selector not in found:
            found.append(selector)
    return found


MEDIA_ATTRS = ("src", "srcset", "poster", "data-src", "data-srcset", "data-original")


def _media_refs(el) -> set[str]:  # noqa: ANN001
    refs = set()
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        for name in MEDIA_ATTRS:
            value = node.get(name)
            if value:
                refs |= {part.strip().split(" ")[0] for part in value.split(",") if part.strip()} if "srcset" in name \
                    else {value.strip()}
    return refs


def redact_html(text: str, traces: Traces, selectors: list[str], media: set[str] | None = None) -> str | None:
    """`media` collects the images/videos only the removed cards showed (the post's media)."""
    import lxml.html
    from lxml.cssselect import CSSSelector

    try:
        root = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        return None

    def names_post(el) -> bool:  # noqa: ANN001
        return traces.names(" ".join(str(v) for v in el.attrib.values()))

    marked = [el for el in root.iter() if isinstance(el.tag, str) and names_post(el)]
    cards = []
    for selector in selectors:
        try:
            cards += [c for c in CSSSelector(selector)(root) if any(m is c or c in m.iterancestors() for m in marked)]
        except Exception:  # noqa: BLE001, S112 - a selector lxml cannot parse is another profile's business
            continue
    for el in marked:
        if not any(c is el or c in el.iterancestors() for c in cards):
            cards.append(_repeated_ancestor(el))
    removed_refs: set[str] = set()
    for card in _outermost(cards):
        if card.getparent() is not None:
            removed_refs |= _media_refs(card)
            card.drop_tree()
    for line in traces.lines:  # a post's text elsewhere (a quote, a pinned box): its smallest element
        while line in _norm(root.text_content()):
            holders = [el for el in root.iter() if isinstance(el.tag, str) and el.tag not in ("html", "body")
                       and line in _norm(el.text_content())]
            if not holders:
                break
            smallest = min(holders, key=lambda el: len(el.text_content()))
            removed_refs |= _media_refs(smallest)
            smallest.drop_tree()
    if media is not None:
        media |= removed_refs - _media_refs(root)
    doctype = root.getroottree().docinfo.doctype
    out = lxml.html.tostring(root, encoding="unicode")
    return (doctype + "\n" + out) if doctype else out


def _repeated_ancestor(el):  # noqa: ANN001, ANN202
    """The nearest ancestor-or-self that is one of several like siblings (a list item, a card); the
    element itself when there is none below <body>."""
    node = el
    while node.getparent() is not None and node.getparent().tag not in ("body", "html"):
        parent = node.getparent()
        like = [s for s in parent if s.tag == node.tag and s.get("class") == node.get("class")]
        if len(like) >= 2:
            return node
        node = parent
    return el


def _outermost(elements: list) -> list:
    unique = list({id(e): e for e in elements}.values())
    return [e for e in unique if not any(o is not e and o in e.iterancestors() for o in unique)]


def redact_payload(body: bytes, content_type: str, traces: Traces, selectors: list[str],
                   media: set[str] | None = None) -> bytes | None:
    """The body without the traces, or None when it holds none."""
    charset = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    encoding = charset.group(1) if charset else "utf-8"
    try:
        text = body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        encoding, text = "utf-8", body.decode("utf-8", "replace")
    if not traces.found(text):
        return None
    ctype = (content_type or "").lower()
    out = None
    if "html" in ctype:
        out = redact_html(text, traces, selectors, media)
    elif "json" in ctype:
        out = redact_json(text, traces, media)
    out = redact_text(out if out is not None else text, traces)
    return out.encode(encoding, "replace")


def _digest(data: bytes, like: str | None) -> str:
    algorithm = (like or "sha256:").split(":", 1)[0].lower()
    digest = hashlib.new(algorithm.replace("-", ""), data).digest()
    return f"{algorithm}:{base64.b32encode(digest).decode('ascii')}"


HEADERS_KEPT = ("warc-target-uri", "warc-record-id", "warc-date", "content-length", "content-type")


def _header_traces(record, traces: Traces) -> bool:  # noqa: ANN001
    """A kept record's headers name the post (a shared stylesheet's WARC-Page-URI, a Referer)."""
    warc = any(traces.found(v) for n, v in record.rec_headers.headers if n.lower() not in HEADERS_KEPT)
    return warc or bool(record.http_headers and any(traces.found(v) for _, v in record.http_headers.headers))


def redact_member(member: bytes, traces: Traces, selectors: list[str], note: str) -> bytes | None:
    """One gzip member (one record) rewritten without the traces, as a new gzip member; None when the
    record holds none (it is then copied as it is). Headers naming the post are left out."""
    record = next(iter(ArchiveIterator(io.BytesIO(member))))
    headers = record.rec_headers
    http = record.http_headers
    content_type = (http.get_header("Content-Type") if http else headers.get_header("Content-Type")) or ""
    original = record.content_stream().read()
    body = None
    if record.rec_type in ("response", "resource", "metadata", "conversion") and is_textual(content_type):
        body = redact_payload(original, content_type, traces, selectors)
    if body is None and not _header_traces(record, traces):
        return None
    body = original if body is None else body
    head = b""
    if http is not None:
        http.headers = [(n, v) for n, v in http.headers if not traces.found(v)]
        if record.rec_type in ("response", "resource", "conversion"):  # stored decoded from now on
            http.remove_header("Content-Encoding")
            http.remove_header("Transfer-Encoding")
            http.replace_header("Content-Length", str(len(body)))
        head = http.to_bytes()
    block = head + body
    lines = [headers.protocol]
    for name, value in headers.headers:
        lowered = name.lower()
        if lowered == "content-length":
            value = str(len(block))
        elif lowered == "warc-block-digest":
            value = _digest(block, value)
        elif lowered == "warc-payload-digest" and record.rec_type != "revisit":  # a revisit's is its original's
            value = _digest(body, value)
        elif lowered == "warc-sma-redacted" or (lowered not in HEADERS_KEPT and traces.found(value)):
            continue
        lines.append(f"{name}: {value}")
    lines.append(f"WARC-SMA-Redacted: {note}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip header without a time: same bytes on resume
    return packer.compress(raw) + packer.flush()
