"""Which copy of the archive each role reads, where that copy lives, and where its index lives.

One index per copy, built only from that copy's WARCs: a researcher's query opens the access
copy's index, which never held an original byte (not a filter over a shared index).
"""

from __future__ import annotations

import os
from pathlib import Path

# The same mapping as the replay gateway's views (replay/routes.py ROLE_VIEW).
ROLE_COPY: dict[str, str] = {
    "archivist": "original",
    "researcher": "access",
    "woo-officer": "access",
    "public": "public",
}
COPY_DIRS: dict[str, str] = {"original": ".", "access": "access", "public": "public"}
COPY_LABELS: dict[str, str] = {
    "original": "original",
    "access": "pseudonymised",
    "public": "public version",
}
COPIES: tuple[str, ...] = tuple(COPY_DIRS)


class SearchError(ValueError):
    """Bad input to search or dataset: one clear line for the user."""


def copy_for_role(role: str) -> str:
    try:
        return ROLE_COPY[role]
    except KeyError:
        raise SearchError(f"unknown role {role!r} (known: {', '.join(ROLE_COPY)})") from None


def copy_dir(archive_dir: Path, copy: str) -> Path:
    """The folder holding the copy's warcs/ and pages.jsonl."""
    return (Path(archive_dir) / COPY_DIRS[copy]).resolve()


def index_dir(archive_dir: Path) -> Path:
    return Path(archive_dir) / ".sma" / "search"


def index_path(archive_dir: Path, copy: str) -> Path:
    return index_dir(archive_dir) / f"{copy}.sqlite"


def secure_dir(path: Path) -> Path:
    """Creates the folder (and a missing DIR/.sma) as 0700; archive files must not be world-readable."""
    path = Path(path)
    for folder in (path.parent, path):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
    return path
