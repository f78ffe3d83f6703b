"""A post's thread over all its pages, and what of it the WARC really holds (docs/reader.md).

A thread is read on its post page and on the pages it points to: page 2..N of the thread
("Volgende", numbered pages, `rel=next`) and a reply's own page where deeper replies live. The
reader reports the comment-like entries it saw on each page (a key and one text of each, kept in
memory only); a `ThreadTally` joins them per post, and at the end of the crawl counts as
*captured* only the entries whose text is in a response or resource record of the crawl's WARC
files: what the archive holds, not what the browser once showed.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from warcio.archiveiterator import ArchiveIterator

from .reader import ReaderResult, load_words, thread_links


@dataclass
class Thread:
    post_url: str
    post_entry: str | None = None
    entries: dict[str, tuple[str, bool]] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)  # every page of the thread, the post page first
    queued: set[str] = field(default_factory=set)
    precise: bool = True  # the profile's comment selector is knowledge, not the generic guess

    def comments(self) -> dict[str, str]:
        """The entries that are comments: the profile's comment boxes where it knows any on this
        thread (its precision), else every entry but the post: also where the post was seen
        again under another key (its own text changed as the page loaded: a counter, a label),
        known by its text."""
        hinted = {k: text for k, (text, hint) in self.entries.items() if hint}
        if hinted and self.precise:
            return hinted
        post = self.entries.get(self.post_entry or "", (None, False))[0]
        return {k: text for k, (text, _) in self.entries.items() if k != self.post_entry and not _same_text(text, post)}


def _same_text(text: str, post: str | None) -> bool:
    """The post's text, or the post's text cut off ("…meer") or expanded: one is the other's start."""
    if post is None:
        return False
    a, b = re.sub(r"[….\s]+$", "", text), re.sub(r"[….\s]+$", "", post)
    return a == b or (min(len(a), len(b)) >= 20 and (a.startswith(b) or b.startswith(a)))


class ThreadTally:
    """Per post: the pages of its thread and the entries seen on them (`PageReading` owns one)."""

    def __init__(self, max_pages: int = 40, words: dict[str, list[str]] | None = None) -> None:
        self.max_pages = max_pages
        self.threads: dict[str, Thread] = {}
        self.words = words if words is not None else load_words()

    def read(self, post_url: str, page_url: str, readings: list[ReaderResult], precise: bool = True) -> list[str]:
        """Adds a page's readings to its post's thread; returns the thread's pages still to visit.
        `precise`: the profile's comment selector says what a comment is (not so the generic one's)."""
        thread = self.threads.setdefault(post_url, Thread(post_url, precise=precise))
        if not thread.pages:
            thread.queued.add(post_url)
        thread.pages.append(page_url)
        for reading in readings:
            if page_url == post_url and thread.post_entry is None:
                thread.post_entry = reading.first_entry
            for key, (text, hint) in reading.entries.items():
                known = thread.entries.get(key)
                thread.entries[key] = (text, hint or bool(known and known[1]))
        more = thread_links([u for r in readings for u in (*r.follow, *r.deeper)], post_url)
        fresh = [u for u in more if u not in thread.queued][: max(0, self.max_pages - len(thread.queued))]
        thread.queued.update(fresh)
        return fresh

    def seen(self, post_url: str) -> int:
        thread = self.threads.get(post_url)
        return len(thread.comments()) if thread else 0

    def in_archive(self, warc_files: list[str | Path]) -> dict[str, int]:
        """Per post: the comments seen whose text is in a record of these WARC files."""
        return self.counts(warc_files)[0]

    def in_snapshots(self, warc_files: list[str | Path]) -> dict[str, int]:
        """Per post: the comment-like boxes in the recorded DOM of its thread's pages (the latest
        snapshot of each), one per key over all pages. Not where the profile's comment selector
        knew the thread's comments: its precision stands."""
        return self.counts(warc_files)[1]

    def counts(self, warc_files: list[str | Path]) -> tuple[dict[str, int], dict[str, int]]:
        """`in_archive` and `in_snapshots` from one read of the WARC files (each read decompresses
        every record: two reads cost twice; the DOM only of threads whose boxes are counted)."""
        comments = {url: t.comments() for url, t in self.threads.items()}
        boxed = {url: t for url, t in self.threads.items()
                 if not (t.precise and any(hint for _, hint in t.entries.values()))}
        wanted = {text for texts in comments.values() for text in texts.values()}
        present, doms = scan_warcs(warc_files, wanted, {page for t in boxed.values() for page in t.pages})
        archived = {url: sum(1 for text in texts.values() if text in present) for url, texts in comments.items()}
        return archived, {url: self._boxes(url, thread, doms) for url, thread in boxed.items()}

    def _boxes(self, url: str, thread: Thread, doms: dict[str, str]) -> int:
        post_text = thread.entries.get(thread.post_entry or "", ("", False))[0] or None
        keys: set[str] = set()
        pages_of_thread = list(dict.fromkeys(thread.pages))
        # A comment's shape seen repeated on one page of the thread is a comment's shape on every
        # page: the last page of a paged thread may hold a single top-level comment.
        known: set[tuple[Any, ...]] = set()
        for page in pages_of_thread if len(pages_of_thread) > 1 else []:
            try:
                dom_entries(doms.get(page, ""), page, url, self.words, post_text, shapes_out=known)
            except RecursionError:
                continue
        for page in pages_of_thread:
            try:
                keys.update(key for key, _ in dom_entries(doms.get(page, ""), page, url, self.words, post_text,
                                                          known_shapes=known))
            except RecursionError:  # a hostile page's nesting: that page's boxes are not counted
                continue
        return len(keys)

    def pages_of(self, post_url: str) -> list[str]:
        thread = self.threads.get(post_url)
        return list(thread.pages) if thread else []


def spellings(text: str) -> list[str]:
    """How a text appears in a body: as is, HTML-escaped, JSON-escaped (both ASCII modes)."""
    return list(dict.fromkeys([text, html.escape(text, quote=False), html.escape(text),
                               json.dumps(text, ensure_ascii=False)[1:-1], json.dumps(text)[1:-1]]))


def texts_in_warcs(warc_files: list[str | Path], texts: set[str]) -> set[str]:
    """The texts found in a response or resource record (HTML, JSON, WebSocket frames, the DOM).

    Whitespace is normalised the way the reader normalised it, so a text wrapped over lines in
    the HTML is still found."""
    return scan_warcs(warc_files, texts, set())[0]


_MEDIA_TYPES = ("image/", "video/", "audio/", "font/")


def _media(record: Any) -> bool:
    """A picture, video, sound or font body (a screenshot too): no comment's text is read from it."""
    headers = record.http_headers if record.rec_type == "response" and record.http_headers else record.rec_headers
    kind = (headers.get_header("Content-Type") or "").strip().lower()
    return kind.startswith(_MEDIA_TYPES) and "svg" not in kind


def scan_warcs(warc_files: list[str | Path], texts: set[str], pages: set[str]) -> tuple[set[str], dict[str, str]]:
    """One read of the WARC files: which of `texts` a response or resource record holds
    (`texts_in_warcs`), and the latest recorded DOM (`urn:dom:<page>`) of each of `pages`
    (`snapshots`). It stops once every text is found and no DOM is asked for."""
    left = {t: spellings(t) for t in texts}
    found: set[str] = set()
    latest: dict[str, tuple[str, str]] = {}
    for path in warc_files:
        if not (left or pages) or not Path(path).exists():
            continue
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type not in ("response", "resource"):
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                dom_of = uri[8:] if record.rec_type == "resource" and uri.startswith("urn:dom:") else None
                if dom_of is not None and dom_of in pages:
                    date = record.rec_headers.get_header("WARC-Date") or ""
                    raw = record.content_stream().read().decode("utf-8", "replace")
                    if dom_of not in latest or date >= latest[dom_of][0]:
                        latest[dom_of] = (date, raw)
                elif not left or _media(record):
                    continue
                else:
                    raw = record.content_stream().read().decode("utf-8", "replace")
                if left:
                    body = " ".join(raw.split())
                    for text in [t for t, ways in left.items() if any(w in body for w in ways)]:
                        found.add(text)
                        del left[text]
                if not (left or pages):
                    break
    return found, {page: dom for page, (_, dom) in latest.items()}


def apply_to_report(tally: ThreadTally, posts: list[dict[str, Any]], warc_files: list[str | Path]) -> None:
    """Sets each post's `comments_captured` to what the archive holds of its thread (the DOM's
    count stays, as `comments_in_dom`): the reader's entries whose text is in a record, or the
    comment-like boxes of the recorded DOM snapshots (`comments_in_snapshot`; plain <div>s the
    reader does not take for entries), whichever is more: each is a count of distinct comments
    the archive holds, neither is added to the other (no comment counted twice)."""
    archived, boxed = tally.counts(warc_files)
    for post in posts:
        url = post.get("url")
        if url not in archived:
            continue
        post["comments_in_dom"] = post.get("comments_captured")
        post["thread_pages"] = tally.pages_of(url)
        post["comments_captured"] = max(archived[url], boxed.get(url, 0))
        if url in boxed:
            post["comments_in_snapshot"] = boxed[url]


# -- comments in the recorded DOM (urn:dom: resource records) -------------------------------------
# The reader counts entries with list or article semantics; a thread rendered as plain <div>s is in
# the archive whole all the same. The DOM snapshot recorded for each page of the thread is read
# again here, with no selectors: a box is an element with an avatar or a time inside and text of
# its own (text inside a nested box is the nested box's, as the reader has it). Counted are only
# boxes whose shape (tag, classes, attribute names) repeats on the page, never the post page's
# first box (the post), never one in the page's chrome, never one that links to another post
# (a "more videos" card): when unsure, fewer, so that a report can say short, never complete.
_SKIP = {"script", "style", "noscript", "template", "head", "header", "footer", "nav", "aside", "dialog", "form"}
_SKIP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog", "search"}
_MEDIA = {"img", "time", "picture"}


def _post_shape(url: str) -> str:
    """A URL's path with its ids and handles as {x}: /@org/video/123 and /@someone/video/456 alike."""
    parts = urlsplit(url).path.rstrip("/").split("/")
    return "/".join("{x}" if re.search(r"\d", p) or p.startswith("@") or p.count("-") >= 2 else p
                    for p in parts) + (
        "?" + re.sub(r"=[^&]*", "={x}", urlsplit(url).query) if urlsplit(url).query else "")


def _shape(el: Any) -> tuple[Any, ...]:
    return el.tag, frozenset((el.get("class") or "").split()), frozenset(k for k in el.keys() if k != "style")


def _post_index(found: list[tuple[Any, list[str]]], root: Any, post_text: str | None,
                repeated: list[bool]) -> int | None:
    """Which box of a post page is the post: the one with the reader's post text or the page's
    title (og:title, <title>, without its site name and ellipsis); none when that text is on the
    page outside the boxes; else the first repeated box (a post shaped as its comments), so that
    the post is never counted as a comment."""
    marks = [post_text] if post_text else []
    for raw in [*root.xpath("//meta[@property='og:title']/@content"), *root.xpath("//title/text()")]:
        mark = re.split(r"\s+[|·–—-]\s+[^|·–—-]*$", " ".join(raw.split()))[0].rstrip("….").strip()
        if len(mark) >= 8:
            marks.append(mark)
    for i, (_, own) in enumerate(found):
        if any(m in " ".join(own) for m in marks):
            return i
    body = root.find("body")
    text = " ".join((body.text_content() if body is not None else "").split())
    if any(m in text for m in marks):
        return None
    return next((i for i, r in enumerate(repeated) if r), None)


def dom_entries(dom: str, page_url: str, post_url: str, words: dict[str, list[str]],
                post_text: str | None = None, known_shapes: set[tuple[Any, ...]] | None = None,
                shapes_out: set[tuple[Any, ...]] | None = None) -> list[tuple[str, str]]:
    """The comment-like boxes of one recorded DOM in document order: (key, longest own text); the
    key is the box's own texts, sorted (a redesign that reorders a box's parts keeps its key).
    `known_shapes`: boxes' shapes repeated on another page of the same thread (a box of such a
    shape counts here even alone); `shapes_out` collects this page's repeated boxes' shapes."""
    known = known_shapes or set()
    if not dom.strip():
        return []
    try:
        root = lxml.html.document_fromstring(dom)
    except (ValueError, lxml.etree.ParserError):
        return []
    control = [re.compile(p, re.I) for name in ("count_total", "reveal", "next_page") for p in words.get(name, [])]
    media: dict[Any, bool] = {}

    def skipped(el: Any) -> bool:
        return not isinstance(el.tag, str) or el.tag in _SKIP or (el.get("role") or "").lower() in _SKIP_ROLES

    def has_media(el: Any) -> bool:
        found = el.tag in _MEDIA or el.get("datetime") is not None
        for child in el:
            if not skipped(child):
                found = has_media(child) or found
        media[el] = found
        return found

    has_media(root)
    # The boxes: children of one parent that share a shape, two or more, with an avatar or a time
    # each (a list of comments; replies are such a list inside a comment).
    shapes: set[tuple[Any, ...]] = set()
    for parent in root.iter():
        if not isinstance(parent.tag, str) or not media.get(parent):
            continue
        groups: dict[tuple[Any, ...], list[Any]] = {}
        for child in parent:
            if isinstance(child.tag, str) and media.get(child):
                groups.setdefault(_shape(child), []).append(child)
        shapes.update(shape for shape, group in groups.items() if len(group) >= 2 or shape in known)
    # ...and a box of such a shape alone in its list (a comment's one reply).
    records = {el for el in root.iter() if isinstance(el.tag, str) and media.get(el) and _shape(el) in shapes}
    order: list[Any] = []
    texts: dict[Any, list[str]] = {}

    def add(box: Any, text: str | None, quiet: bool) -> None:
        s = " ".join((text or "").split())
        if box is None or quiet or not s or (len(s) <= 40 and any(r.search(s) for r in control)):
            return
        texts.setdefault(box, []).append(s)

    def walk(el: Any, box: Any, quiet: bool) -> None:
        if el in records:
            box = el
            order.append(el)
        # The reader skips the text of controls and times: a control's name, a date shown two ways.
        quiet = quiet or el.tag in ("button", "time") or (el.get("role") or "").lower() == "button"
        add(box, el.text, quiet)
        for child in el:
            if not skipped(child):
                walk(child, box, quiet)
            add(box, child.tail, quiet)

    walk(root, None, False)
    found = [(el, texts[el]) for el in order if el in texts and len(max(texts[el], key=len)) >= 8]
    post_shape = _post_shape(post_url)
    shaped = []
    for el, own in found:
        hrefs = [urljoin(page_url, a.get("href")).split("#")[0] for a in el.iter("a")
                 if a.get("href") and not a.get("href").startswith(("#", "javascript:"))]
        if any(_post_shape(h) == post_shape and h.rstrip("/") != post_url.rstrip("/") for h in hrefs):
            continue  # a card of another post
        shaped.append((_shape(el), el, own))
    counts = Counter(shape for shape, _, _ in shaped)
    repeated = [counts[shape] >= 2 or shape in known for shape, _, _ in shaped]
    if shapes_out is not None:
        shapes_out.update(shape for shape, _, _ in shaped if counts[shape] >= 2)
    if page_url.split("#")[0].rstrip("/") == post_url.rstrip("/"):
        post = _post_index([(el, own) for _, el, own in shaped], root, post_text, repeated)
        if post is not None:
            repeated[post] = False
    elif post_text:
        # A further page that shows the post again: it is the post there too.
        repeated = [keep and not any(post_text in t for t in own)
                    for (_, _, own), keep in zip(shaped, repeated, strict=True)]
    return [("\n".join(sorted(own)), max(own, key=len))
            for (_, _, own), keep in zip(shaped, repeated, strict=True)
            if keep]


def snapshots(warc_files: list[str | Path], pages: set[str]) -> dict[str, str]:
    """The latest recorded DOM (`urn:dom:<page>`) of each of these pages in these WARC files."""
    return scan_warcs(warc_files, set(), pages)[1]
