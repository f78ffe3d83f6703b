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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from .reader import ReaderResult, thread_links


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
        thread (its precision), else every entry but the post."""
        hinted = {k: text for k, (text, hint) in self.entries.items() if hint}
        if hinted and self.precise:
            return hinted
        return {k: text for k, (text, _) in self.entries.items() if k != self.post_entry}


class ThreadTally:
    """Per post: the pages of its thread and the entries seen on them (`PageReading` owns one)."""

    def __init__(self, max_pages: int = 40) -> None:
        self.max_pages = max_pages
        self.threads: dict[str, Thread] = {}

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
        wanted = {text for t in self.threads.values() for text in t.comments().values()}
        present = texts_in_warcs(warc_files, wanted)
        return {url: sum(1 for text in t.comments().values() if text in present)
                for url, t in self.threads.items()}

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
    if not texts:
        return set()
    left = {t: spellings(t) for t in texts}
    found: set[str] = set()
    for path in warc_files:
        if not left or not Path(path).exists():
            continue
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type not in ("response", "resource"):
                    continue
                body = " ".join(record.content_stream().read().decode("utf-8", "replace").split())
                for text in [t for t, ways in left.items() if any(w in body for w in ways)]:
                    found.add(text)
                    del left[text]
                if not left:
                    break
    return found


def apply_to_report(tally: ThreadTally, posts: list[dict[str, Any]], warc_files: list[str | Path]) -> None:
    """Sets each post's `comments_captured` to what the archive holds of its thread (the DOM's
    count stays, as `comments_in_dom`)."""
    archived = tally.in_archive(warc_files)
    for post in posts:
        url = post.get("url")
        if url not in archived:
            continue
        post["comments_in_dom"] = post.get("comments_captured")
        post["thread_pages"] = tally.pages_of(url)
        post["comments_captured"] = archived[url]
