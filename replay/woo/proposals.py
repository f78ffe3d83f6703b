"""The pages a Woo request's subject and period propose, found with the access copy's search index
(search/query.py, `Searcher(archive, "woo-officer")`), not a matcher of its own.

A post page is proposed when the post was PUBLISHED in the request's period (the index's post time:
`content.published` of the profile, the capture time only where the page shows none) and the post or
one of its comments holds a term of the subject (full text, hashtags, author pseudonyms; diacritics
and case folded, whole words; a quoted phrase as a phrase). Terms are alternatives: "everything about
X or Y"; the officer chooses what goes on the request. The period is compared in UTC, as the index
stores times.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from archive.layout import ArchiveDir
from search.index import build
from search.query import Filters, Searcher

from .access import AccessArchive, Page
from .model import WooRequest

BATCH = 1000  # rows per query while walking all matches of a term

# One build at a time per process: two requests opening the review page must not read the same new
# WARC twice into the index.
_BUILD_LOCK = threading.Lock()


@dataclass
class Proposal:
    page: Page
    hits: int  # matching posts and comments on the page
    published: str  # the post's publication time (RFC 3339, UTC)
    terms: list[str] = field(default_factory=list)  # the subject's terms the page matched


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")[:14]


def _all_hits(searcher: Searcher, text: str, filters: Filters) -> list:
    hits: list = []
    while True:
        total, batch = searcher.search(text, filters, limit=BATCH, offset=len(hits))
        hits += batch
        if not batch or len(hits) >= total:
            return hits


def _query(term: str) -> str:
    # A term with a space came from a quoted phrase in the subject: searched as that phrase.
    return f'"{term}"' if " " in term else term


def propose(access: AccessArchive, woo: WooRequest) -> list[Proposal]:
    """The captured post pages the request's subject and period find, best match first."""
    archive_dir = Path(access.archive_dir)
    if not ArchiveDir(access.archive_dir).has_copy("access"):
        return []  # no pseudonymised copy (privacy off): nothing a Woo officer may open
    with _BUILD_LOCK:
        build(archive_dir, "access")  # incremental: reads only WARCs the index has not seen
    searcher = Searcher(archive_dir, "woo-officer")
    try:
        posts = _all_hits(searcher, "", Filters(kind="post", since=woo.period_from, until=woo.period_to))
        in_period = {h.page_url: h for h in posts}
        hits: dict[str, int] = {}
        matched: dict[str, list[str]] = {}
        for term in woo.terms():
            for hit in _all_hits(searcher, _query(term), Filters()):
                if hit.page_url not in in_period:
                    continue
                hits[hit.page_url] = hits.get(hit.page_url, 0) + 1
                if term not in matched.setdefault(hit.page_url, []):
                    matched[hit.page_url].append(term)
    finally:
        searcher.close()
    by_url: dict[str, list[Page]] = {}
    for page in access.pages():
        by_url.setdefault(page.url, []).append(page)
    out = []
    for url, count in hits.items():
        post = in_period[url]
        captures = by_url.get(url)
        if not captures:
            continue  # indexed but no longer in the access copy's page list
        # The capture the index read (its items are the newest capture's), else the newest capture.
        page = next((p for p in captures if _digits(p.ts) == _digits(post.captured)),
                    max(captures, key=lambda p: p.ts))
        out.append(Proposal(page, count, post.published or post.captured, matched[url]))
    return sorted(out, key=lambda p: (-p.hits, p.published, p.page.id))
