"""Which WARC records belong to which post: the map appraisal lists and destruction removes.

A post's records are those of its page visits: the page's own exchanges (WARC-Target-URI is the
post URL), every exchange the page made (WARC-Page-URI is the post URL), its screenshot, DOM, text and
metadata resources (`urn:screenshot:<url>`, ...), the change records naming it, and the request
records concurrent to any of those. A sub-resource that another kept page's revisit points at (a
stylesheet first fetched on this post's page) is shared, not the post's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.layout import COPIES, COPY_DIRS, ArchiveDir

OWN_PREFIXES = ("urn:screenshot:", "urn:dom:", "urn:text:", "metadata:")
CHANGE_PREFIX = "urn:sma:change:"
# The copies' WARC folders, relative to DIR: "warcs", "access/warcs", "public/warcs".
TREES = tuple(str(Path(COPY_DIRS[copy]) / "warcs") for copy in COPIES)


@dataclass(frozen=True)
class RecordInfo:
    file: Path
    offset: int
    length: int
    type: str
    uri: str
    record_id: str
    date: str
    digest: str
    owner: str | None  # the post URL whose page visit made it, when it has one
    concurrent_to: str | None
    refers_to: tuple[str, str] | None  # a revisit's (target URI, date)


def warc_files(archive_dir: Path) -> list[Path]:
    """The closed WARCs of every copy (original, access, public), each copy's in name order."""
    layout = ArchiveDir(archive_dir)
    return [path for copy in COPIES for path in layout.closed_warcs(copy)]


def _owner(uri: str, page_uri: str | None, rec_type: str, payload: bytes | None) -> str | None:
    if page_uri:
        return page_uri
    for prefix in OWN_PREFIXES:
        if uri.startswith(prefix):
            return uri[len(prefix):]
    if uri.startswith(CHANGE_PREFIX) and payload is not None:
        for line in payload.decode("utf-8", "replace").splitlines():
            if line.startswith("url: "):
                return line[5:].strip()
        return None
    if rec_type in ("response", "revisit"):
        return uri  # the page's own document; the caller decides whether it is a post
    return None


def scan(path: Path) -> Iterator[RecordInfo]:
    with open(path, "rb") as fh:
        # HTTP headers are not needed here: not parsing them halves the time per record.
        iterator = ArchiveIterator(fh, no_record_parse=True)
        for record in iterator:
            headers = record.rec_headers
            uri = headers.get_header("WARC-Target-URI") or ""
            payload = record.content_stream().read() if uri.startswith(CHANGE_PREFIX) else None
            offset = iterator.get_record_offset()
            iterator.read_to_end(record)
            refers = headers.get_header("WARC-Refers-To-Target-URI")
            yield RecordInfo(
                file=path,
                offset=offset,
                length=iterator.get_record_length(),
                type=record.rec_type,
                uri=uri,
                record_id=headers.get_header("WARC-Record-ID") or "",
                date=headers.get_header("WARC-Date") or "",
                digest=headers.get_header("WARC-Payload-Digest") or headers.get_header("WARC-Block-Digest") or "",
                owner=_owner(uri, headers.get_header("WARC-Page-URI"), record.rec_type, payload),
                concurrent_to=headers.get_header("WARC-Concurrent-To"),
                refers_to=(refers, headers.get_header("WARC-Refers-To-Date") or "") if refers else None,
            )


def scan_all(archive_dir: Path) -> list[RecordInfo]:
    return [info for path in warc_files(archive_dir) for info in scan(path)]


def records_of(infos: list[RecordInfo], posts: set[str]) -> list[RecordInfo]:
    """The records that belong to these posts and to nothing kept (see the module text)."""
    own = {i.record_id for i in infos if i.owner in posts and i.type != "warcinfo"}
    # Shared: a kept revisit (in the same tree) points at it by target URI and date.
    kept_refs = {(i.file.parent, i.refers_to) for i in infos if i.refers_to and i.record_id not in own}
    for info in infos:
        if info.record_id in own and (info.file.parent, (info.uri, info.date)) in kept_refs and info.uri not in posts:
            own.discard(info.record_id)
    return [i for i in infos if i.record_id in own or (i.type == "request" and i.concurrent_to in own)]


def records_by_post(infos: list[RecordInfo], posts: set[str]) -> dict[str, list[RecordInfo]]:
    """Each post's own records, in one pass (records_of for many posts at once, for appraisal)."""
    from collections import defaultdict

    referrers: dict[tuple, set] = defaultdict(set)
    for info in infos:
        if info.refers_to:
            referrers[(info.file.parent, info.refers_to)].add(info.owner)
    owned: dict[str, str] = {}
    out: dict[str, list[RecordInfo]] = defaultdict(list)
    for info in infos:
        if info.owner not in posts or info.type == "warcinfo":
            continue
        others = referrers.get((info.file.parent, (info.uri, info.date)), set()) - {info.owner}
        if others and info.uri not in posts:
            continue  # shared with a page that is not this post
        owned[info.record_id] = info.owner
        out[info.owner].append(info)
    for info in infos:
        if info.type == "request" and info.concurrent_to in owned:
            out[owned[info.concurrent_to]].append(info)
    return out
