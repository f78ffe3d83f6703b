"""Planning a destruction's rewrites of kept records (records/redact.py says what is rewritten, how).

`traces_for` gathers what names the destroyed posts (URLs, ids, their own text lines);
`plan_redactions` finds every kept record that holds a trace, and the screenshots and media that go
with those page visits. Both run once, before anything changes; the plan is journalled.
"""

from __future__ import annotations

import io
import json
import re
import zlib
from pathlib import Path
from urllib.parse import urljoin

from warcio.archiveiterator import ArchiveIterator

from archive.layout import ArchiveDir

from .redact import Traces, _header_traces, card_selectors, is_textual, redact_payload, text_lines, url_needles


def _may_hold(member: bytes, traces: Traces) -> bool:
    """A fast look at the inflated record as stored: False means it holds no trace. Only the headers
    of a record whose body is not text (an image) are looked at; a body stored with a
    Content-Encoding cannot be read this way and is always looked at closely."""
    try:
        raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(member)
    except zlib.error:
        return True
    warc_end = raw.find(b"\r\n\r\n")
    http_end = raw.find(b"\r\n\r\n", warc_end + 4, warc_end + 65536) if raw[warc_end + 4:warc_end + 9] in (
        b"HTTP/", b"GET /", b"POST ") else -1
    head_end = http_end if http_end >= 0 else warc_end
    head = raw[:max(head_end, 0)].decode("latin-1").lower()
    if "\ncontent-encoding:" in head and "content-encoding: identity" not in head:
        return True
    types = re.findall(r"\ncontent-type:\s*([^\r\n]*)", head)
    if types and not is_textual(types[-1]):
        return traces.found(raw[:max(head_end, 0)].decode("utf-8", "replace"))
    return traces.found(raw.decode("utf-8", "replace"))


def find_redactions(path: Path, keep: list, traces: Traces,
                    selectors: list[str]) -> tuple[list[str], set[str], set[tuple[str, str]]]:
    """Ids of the kept records (RecordInfos) of one WARC that hold a trace; the visit keys (page
    response ids) of the DOM/text snapshots among them, whose screenshots show the post; and (page
    URL, media URL) of the media only the removed cards showed, which that page's visit fetched."""
    found: list[str] = []
    visits: set[str] = set()
    media: set[tuple[str, str]] = set()
    with open(path, "rb") as fh:
        for info in keep:
            if info.type == "warcinfo":
                continue
            fh.seek(info.offset)
            member = fh.read(info.length)
            if not _may_hold(member, traces):
                continue
            record = next(iter(ArchiveIterator(io.BytesIO(member))))
            headers, http = record.rec_headers, record.http_headers
            content_type = (http.get_header("Content-Type") if http else headers.get_header("Content-Type")) or ""
            body = record.content_stream().read()
            in_body = record.rec_type in ("response", "resource", "metadata", "conversion") and \
                is_textual(content_type) and traces.found(body.decode("utf-8", "replace"))
            if not in_body:
                if _header_traces(record, traces):
                    found.append(info.record_id)
                continue
            found.append(info.record_id)
            uri = headers.get_header("WARC-Target-URI") or ""
            visits.add(headers.get_header("WARC-Concurrent-To") or info.record_id)
            if http is not None and "html" in content_type.lower() and not uri.startswith("urn:"):
                visits.add(info.record_id)
            page = headers.get_header("WARC-Page-URI") or re.sub(r"^(urn:[a-z]+:|metadata:)", "", uri)
            refs: set[str] = set()
            redact_payload(body, content_type, traces, selectors, refs)
            media |= {(page, urljoin(page, ref)) for ref in refs if not ref.startswith("data:")}
    return found, visits, media


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
    for state in ArchiveDir(archive_dir).account_states():
        data = json.loads(state.read_text(encoding="utf-8"))
        kept_posts |= set(data.get("posts", {}))
        accounts.add(data.get("url") or "")
    kept_posts -= posts
    kept_texts = [text for url, text in texts.items() if url in kept_posts]
    page_texts = [texts.get(url, "") for url in posts]
    own = []
    doms = [i for i in drop if i.uri.startswith("urn:dom:") and i.file.parent == ArchiveDir(archive_dir).warc_dir()]
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
    selectors = card_selectors()
    for path, file_infos in by_file.items():
        keep = {i.record_id for i in file_infos if i.record_id not in drop_ids}
        found, visits, media = find_redactions(path, [i for i in file_infos if i.record_id in keep], traces,
                                               selectors)
        name = str(path.relative_to(archive_dir))
        if found:
            redact[name] = found
        gone = {i.record_id for i in file_infos if i.record_id in keep and (
            (i.uri.startswith("urn:screenshot:") and i.concurrent_to in visits)  # shows the post
            or (i.type in ("response", "revisit") and (i.owner, i.uri) in media))}  # the post's media
        gone |= {i.record_id for i in file_infos if i.type == "request" and i.concurrent_to in gone}
        if gone:
            files.setdefault(name, []).extend(sorted(gone))
    return redact
