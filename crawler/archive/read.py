"""Reading an archive back: every record of every closed WARC file, payload decoded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from archive.layout import ArchiveDir


@dataclass
class Record:
    type: str
    uri: str
    warc_headers: StatusAndHeaders
    http_headers: StatusAndHeaders | None
    payload: bytes
    path: Path

    @property
    def status(self) -> int | None:
        if self.http_headers is None or self.type not in ("response", "revisit"):
            return None
        return int(self.http_headers.get_statuscode() or 0)


def warc_files(archive_dir: Path) -> list[Path]:
    """The original's closed WARCs (archive.layout owns where they are)."""
    return ArchiveDir(archive_dir).closed_warcs()


def iter_records(archive_dir: Path) -> Iterator[Record]:
    for path in warc_files(archive_dir):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                yield Record(
                    type=rec.rec_type,
                    uri=rec.rec_headers.get_header("WARC-Target-URI") or "",
                    warc_headers=rec.rec_headers,
                    http_headers=rec.http_headers,
                    payload=rec.content_stream().read(),
                    path=path,
                )
