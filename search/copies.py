"""Which copy of the archive each role reads, where that copy lives, and where its index lives.

One index per copy, built only from that copy's WARCs: a researcher's query opens the access
copy's index, which never held an original byte (not a filter over a shared index).
"""

from __future__ import annotations

from pathlib import Path

from archive.layout import COPIES, COPY_DIRS, ArchiveDir, make_dir

# The same mapping as the replay gateway's views (replay/routes.py ROLE_VIEW).
ROLE_COPY: dict[str, str] = {
    "archivist": "original",
    "researcher": "access",
    "woo-officer": "access",
    "public": "public",
}
COPY_LABELS: dict[str, str] = {
    "original": "original",
    "access": "pseudonymised",
    "public": "public version",
}
__all__ = ["COPIES", "COPY_DIRS", "COPY_LABELS", "ROLE_COPY", "SearchError", "copy_dir", "copy_for_role",
           "index_dir", "index_path", "secure_dir", "warc_dir"]


class SearchError(ValueError):
    """Bad input to search or dataset: one clear line for the user."""


def copy_for_role(role: str) -> str:
    try:
        return ROLE_COPY[role]
    except KeyError:
        raise SearchError(f"unknown role {role!r} (known: {', '.join(ROLE_COPY)})") from None


def copy_dir(archive_dir: Path, copy: str) -> Path:
    """The folder holding the copy's warcs/ and pages.jsonl (archive.layout.ArchiveDir.copy)."""
    return ArchiveDir(archive_dir).copy(copy).resolve()


def warc_dir(archive_dir: Path, copy: str) -> Path:
    """The copy's warcs/ folder."""
    return copy_dir(archive_dir, copy) / "warcs"


def index_dir(archive_dir: Path) -> Path:
    return ArchiveDir(archive_dir).state / "search"


def index_path(archive_dir: Path, copy: str) -> Path:
    return ArchiveDir(archive_dir).search_index(copy)


def secure_dir(path: Path) -> Path:
    """Creates the folder (and a missing DIR/.sma) as 0700; archive files must not be world-readable."""
    path = Path(path)
    make_dir(path.parent)
    return make_dir(path)
