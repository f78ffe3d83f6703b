"""`ArchiveDir`: where everything lives in an archive directory (docs/architecture.md draws it).

    DIR/warcs/*.warc.gz                 the original WARCs (`*.warc.gz.open`: being written)
    DIR/pages.jsonl                     the original's pages
    DIR/access/warcs/, access/pages.jsonl   the pseudonymised access copy
    DIR/public/warcs/, public/pages.jsonl   the approved, redacted public version
    DIR/crawls/<crawl id>/              a crawl's summary, completeness, report, privacy files
    DIR/accounts/<account>/             an account's recapture history
    DIR/.sma/                           users, audit log, fixity manifest, search indexes, dedup cache
    DIR/.pywb/<view>/                   replay's derived state per view (always rebuildable)

A WARC's name is `<prefix>-<UTC 14 digits>-<crawl id>-<nnnnn>.warc.gz`. Folders SMA creates are
0700 and files 0600 (owner only): `make_dir` and `write_private` keep to that.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

OPEN_SUFFIX = ".open"  # a WARC still being written; never indexed, never replayed
WARC_SUFFIX = ".warc.gz"
DIR_MODE = 0o700
FILE_MODE = 0o600
# The copies of the archive: name -> folder (relative to DIR) holding its warcs/ and pages.jsonl.
COPY_DIRS: dict[str, str] = {"original": ".", "access": "access", "public": "public"}
COPIES: tuple[str, ...] = tuple(COPY_DIRS)


@dataclass(frozen=True)
class ArchiveDir:
    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    # -- the copies ----------------------------------------------------------------------------
    def copy(self, copy: str = "original") -> Path:
        """The folder of a copy ("original", "access", "public"): its warcs/ and pages.jsonl."""
        try:
            return self.root / COPY_DIRS[copy]
        except KeyError:
            raise KeyError(f"no copy {copy!r} (copies: {', '.join(COPIES)})") from None

    def warc_dir(self, copy: str = "original") -> Path:
        return self.copy(copy) / "warcs"

    def pages(self, copy: str = "original") -> Path:
        return self.copy(copy) / "pages.jsonl"

    def has_copy(self, copy: str = "original") -> bool:
        """True when the copy has a warcs/ folder: for the original, that DIR is an SMA archive (it has
        been crawled into); the access copy appears with privacy on, the public one with approvals."""
        return self.warc_dir(copy).is_dir()

    def closed_warcs(self, copy: str = "original") -> list[Path]:
        """The copy's closed, non-empty WARCs in name order: what may be indexed and replayed."""
        return closed_warcs(self.warc_dir(copy))

    def crawl_warcs(self, crawl_id: str | None = None, copy: str = "original") -> list[Path]:
        """A crawl's WARCs (closed and still open) in write order, or every one of the copy."""
        return crawl_warcs(self.warc_dir(copy), crawl_id)

    # -- per crawl, per account ----------------------------------------------------------------
    def crawl(self, crawl_id: str) -> Path:
        return self.root / "crawls" / crawl_id

    def account(self, account: str) -> Path:
        return self.root / "accounts" / account

    def account_states(self) -> list[Path]:
        """Every account's `state.json` (what its recapture history knows of its posts now), sorted."""
        return sorted((self.root / "accounts").glob("*/state.json"))

    # -- SMA's own state -----------------------------------------------------------------------
    @property
    def state(self) -> Path:
        return self.root / ".sma"

    @property
    def manifest(self) -> Path:
        """The SHA-256 fixity manifest (docs/fixity.md)."""
        return self.state / "fixity.jsonl"

    @property
    def users(self) -> Path:
        return self.state / "users.json"

    @property
    def audit_log(self) -> Path:
        return self.state / "audit.jsonl"

    def search_index(self, copy: str) -> Path:
        self.copy(copy)  # a KeyError for an unknown copy
        return self.state / "search" / f"{copy}.sqlite"

    @property
    def digests(self) -> Path:
        """The derived dedup cache."""
        return self.state / "digests"

    def pywb(self, view: str) -> Path:
        """Replay's derived working folder of one view."""
        return self.root / ".pywb" / view


def closed_warcs(warc_dir: Path) -> list[Path]:
    """Closed, non-empty `*.warc.gz` files of a folder, in name order (`.open` ones are being written)."""
    warc_dir = Path(warc_dir)
    if not warc_dir.is_dir():
        return []
    return sorted(p for p in warc_dir.glob(f"*{WARC_SUFFIX}") if p.is_file() and p.stat().st_size > 0)


def crawl_warcs(warc_dir: Path, crawl_id: str | None = None) -> list[Path]:
    """A crawl's WARC files in write order (closed and still open), or every file of the folder."""
    files = [p for p in Path(warc_dir).glob(f"*{WARC_SUFFIX}*")
             if p.name.endswith((WARC_SUFFIX, WARC_SUFFIX + OPEN_SUFFIX))]
    if crawl_id:
        files = [p for p in files if f"-{crawl_id}-" in p.name]
    return sorted(files, key=lambda p: p.name.removesuffix(OPEN_SUFFIX))


def crawl_id_of(warc: Path) -> str:
    """The crawl id in a WARC's name (`<prefix>-<14 digits>-<crawl id>-<nnnnn>.warc.gz`, the crawl id
    itself `<14 digits>-<hex>`); "" for a name of another form."""
    parts = Path(warc).name.removesuffix(OPEN_SUFFIX).removesuffix(WARC_SUFFIX).split("-")
    return "-".join(parts[-3:-1]) if len(parts) >= 5 and parts[-3].isdigit() and parts[-1].isdigit() else ""


def make_dir(path: Path) -> Path:
    """Creates the folder and any missing parents as 0700 (an existing one is tightened to 0700)."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    for folder in [path, *missing]:
        os.chmod(folder, DIR_MODE)  # mkdir's mode is cut by the umask
    return path


def write_private(path: Path, data: bytes | str) -> Path:
    """Writes the file atomically (a temporary file beside it, then a rename), 0600 from the start."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # an old temporary file left by a killed writer may be looser
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(payload)
    finally:
        if fd >= 0:
            os.close(fd)
    os.replace(tmp, path)
    return path
