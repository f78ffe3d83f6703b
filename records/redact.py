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
from dataclasses import dataclass
from pathlib import Path
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
    """What names a destroyed post: its URLs (and their paths), its ids, the lines of its text."""

    needles: list[str]  # URLs, paths, ids: removed wherever they occur
    lines: list[str]  # the post's own text lines (whitespace normalised)

    def to_json(self) -> dict:
        return {"needles": self.needles, "lines": self.lines}

    @classmethod
    def from_json(cls, data: dict) -> Traces:
        return cls(list(data["needles"]), list(data["lines"]))

    def found(self, text: str) -> bool:
        if any(n in text for n in self.needles):
            return True
        flat = _norm(text)
        return any(line in flat for line in self.lines)


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
    if any(n in line for n in traces.needles) or any(t in flat for t in traces.lines):
        return True
    stem = flat
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


def redact_json(text: str, traces: Traces) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None

    def names_post(node) -> bool:  # noqa: ANN001 - a scalar of its own (not of a nested list) has a trace
        if isinstance(node, dict):
            return any(names_post(v) for v in node.values() if not isinstance(v, list))
        return isinstance(node, str) and traces.found(node)

    def prune(node):  # noqa: ANN001, ANN202 - the smallest list item that is the post goes
        if isinstance(node, list):
            return [prune(x) for x in node if not (isinstance(x, dict) and names_post(x))
                    and not (isinstance(x, str) and traces.found(x))]
        if isinstance(node, dict):  # a key that names the post ({url: thumbnail}) goes with its value
            return {k: prune(v) for k, v in node.items() if not traces.found(k)}
        if isinstance(node, str) and traces.found(node):
            return "" if any(t in _norm(node) for t in traces.lines) else _cut(node, traces)
        return node

    return json.dumps(prune(data), ensure_ascii=False, separators=(",", ":"))


def card_selectors() -> list[str]:
    """Every profile's selector for a post on a profile page (platform knowledge stays in profiles/)."""
    from crawler.profiles import all_profiles  # yaml only: no Scrapy or Playwright

    found = []
    for profile in all_profiles().values():
        selector = profile.page("profile").selectors.get("post")
        if selector and selector not in found:
            found.append(selector)
    return found


def redact_html(text: str, traces: Traces, selectors: list[str]) -> str | None:
    import lxml.html
    from lxml.cssselect import CSSSelector

    try:
        root = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        return None

    def names_post(el) -> bool:  # noqa: ANN001
        attrs = " ".join(str(v) for v in el.attrib.values())
        return any(n in attrs for n in traces.needles)

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
    for card in _outermost(cards):
        if card.getparent() is not None:
            card.drop_tree()
    for line in traces.lines:  # a post's text elsewhere (a quote, a pinned box): its smallest element
        while line in _norm(root.text_content()):
            holders = [el for el in root.iter() if isinstance(el.tag, str) and el.tag not in ("html", "body")
                       and line in _norm(el.text_content())]
            if not holders:
                break
            smallest = min(holders, key=lambda el: len(el.text_content()))
            smallest.drop_tree()
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


def redact_payload(body: bytes, content_type: str, traces: Traces, selectors: list[str]) -> bytes | None:
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
        out = redact_html(text, traces, selectors)
    elif "json" in ctype:
        out = redact_json(text, traces)
    out = redact_text(out if out is not None else text, traces)
    return out.encode(encoding, "replace")


def _digest(data: bytes, like: str | None) -> str:
    algorithm = (like or "sha256:").split(":", 1)[0].lower()
    digest = hashlib.new(algorithm.replace("-", ""), data).digest()
    return f"{algorithm}:{base64.b32encode(digest).decode('ascii')}"


def redact_member(member: bytes, traces: Traces, selectors: list[str], note: str) -> bytes | None:
    """One gzip member (one record) rewritten without the traces, as a new gzip member; None when the
    record holds none (it is then copied as it is)."""
    record = next(iter(ArchiveIterator(io.BytesIO(member))))
    headers = record.rec_headers
    http = record.http_headers
    content_type = (http.get_header("Content-Type") if http else headers.get_header("Content-Type")) or ""
    if not is_textual(content_type):
        return None
    body = redact_payload(record.content_stream().read(), content_type, traces, selectors)
    if body is None:
        return None
    head = b""
    if http is not None:
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
        elif lowered == "warc-payload-digest":
            value = _digest(body, value)
        elif lowered == "warc-sma-redacted":
            continue
        lines.append(f"{name}: {value}")
    lines.append(f"WARC-SMA-Redacted: {note}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip header without a time: same bytes on resume
    return packer.compress(raw) + packer.flush()


def find_redactions(path: Path, keep_ids: set[str], traces: Traces) -> tuple[list[str], set[str]]:
    """Ids of the kept records of one WARC that hold a trace, and the visit keys (page response ids)
    of the DOM/text snapshots among them, whose screenshots show the post."""
    found: list[str] = []
    visits: set[str] = set()
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            headers = record.rec_headers
            record_id = headers.get_header("WARC-Record-ID") or ""
            if record_id not in keep_ids or record.rec_type not in ("response", "resource", "metadata", "conversion"):
                continue
            http = record.http_headers
            content_type = (http.get_header("Content-Type") if http else headers.get_header("Content-Type")) or ""
            if not is_textual(content_type):
                continue
            body = record.content_stream().read()
            if traces.found(body.decode("utf-8", "replace")):
                found.append(record_id)
                uri = headers.get_header("WARC-Target-URI") or ""
                visits.add(headers.get_header("WARC-Concurrent-To") or record_id)
                if http is not None and "html" in content_type.lower() and not uri.startswith("urn:"):
                    visits.add(record_id)
    return found, visits


def content_selectors() -> list[str]:
    """Every profile's selector for a post's own text on its page (`content.post_text`)."""
    from crawler.profiles import all_profiles

    found = []
    for profile in all_profiles().values():
        selector = (profile.content or {}).get("post_text")
        if isinstance(selector, dict):
            selector = selector.get("selector")
        if selector and selector not in found:
            found.append(selector)
    return found


def post_text_from_dom(html: str, selectors: list[str]) -> str:
    """The post's own text on its page, by the profiles' post_text selectors ('' when none matches)."""
    import lxml.html
    from lxml.cssselect import CSSSelector

    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for selector in selectors:
        try:
            found = CSSSelector(selector)(root)
        except Exception:  # noqa: BLE001, S112
            continue
        if found:
            return "\n".join(el.text_content() for el in found)
    return ""


def traces_for(archive_dir: Path, posts: set[str], drop: list, texts: dict[str, str]) -> Traces:
    """What names the posts inside kept records: URLs, ids, and the lines of their own text (the
    profiles' post_text on the post page's DOM; else the page text less what kept posts share)."""
    kept_posts, accounts = set(), set()
    for state in (archive_dir / "accounts").glob("*/state.json"):
        data = json.loads(state.read_text(encoding="utf-8"))
        kept_posts |= set(data.get("posts", {}))
        accounts.add(data.get("url") or "")
    kept_posts -= posts
    kept_texts = [text for url, text in texts.items() if url in kept_posts]
    page_texts = [texts.get(url, "") for url in posts]
    own = []
    doms = [i for i in drop if i.uri.startswith("urn:dom:") and i.file.parent == archive_dir / "warcs"]
    selectors = content_selectors()
    for info in doms:
        with open(info.file, "rb") as fh:
            fh.seek(info.offset)
            member = fh.read(info.length)
        record = next(iter(ArchiveIterator(io.BytesIO(member))))
        own.append(post_text_from_dom(record.content_stream().read().decode("utf-8", "replace"), selectors))
    lines = text_lines(own, kept_texts)
    if own and any(own):  # the page text's lines inside the post's own text (innerText breaks lines)
        flat_own = " ".join(" ".join(t.split()) for t in own)
        lines = sorted(set(lines) | {line for line in text_lines(page_texts, kept_texts) if line in flat_own},
                       key=lambda s: (-len(s), s))
    else:
        lines = text_lines(page_texts, kept_texts)
    return Traces(url_needles(posts, (kept_posts | accounts) - {""}), lines)

def plan_redactions(archive_dir: Path, infos: list, drop_ids: set[str], traces: Traces, files: dict) -> dict:
    """Kept records holding a trace, per file; the screenshots of those page visits join `files`."""
    redact: dict[str, list[str]] = {}
    by_file: dict[Path, list] = {}
    for info in infos:
        by_file.setdefault(info.file, []).append(info)
    for path, file_infos in by_file.items():
        keep = {i.record_id for i in file_infos if i.record_id not in drop_ids}
        found, visits = find_redactions(path, keep, traces)
        name = str(path.relative_to(archive_dir))
        if found:
            redact[name] = found
        shots = [i.record_id for i in file_infos if i.record_id in keep and i.uri.startswith("urn:screenshot:")
                 and i.concurrent_to in visits]
        if shots:
            files.setdefault(name, []).extend(shots)
    return redact
