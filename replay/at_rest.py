"""Archive files closed at rest: folders 0700, files 0600, owner only (BIO: least privilege).

`sma` runs with umask 077 (sma/cli.py), so everything it and its pywb processes create is
owner-only from the start. `close_at_rest` tightens what an older version or another tool left
open (0644 WARCs, 0755 folders): `sma replay` runs it on the archive before serving, and says how
many paths it changed. Symlinks are not followed (they are neither changed nor walked into).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def close_at_rest(archive_dir: Path) -> int:
    """chmods every folder to 0700 and every regular file to 0600 (group/other bits off, and the
    execute bits of files); returns how many were changed."""
    changed = 0
    root = Path(archive_dir)
    for path in [root, *_walk(root)]:
        try:
            st = path.lstat()
        except OSError:
            continue  # removed while walking (a rotated log, a renamed .open WARC)
        if stat.S_ISDIR(st.st_mode):
            want = DIR_MODE
        elif stat.S_ISREG(st.st_mode):
            want = FILE_MODE
        else:
            continue
        if stat.S_IMODE(st.st_mode) != want:
            os.chmod(path, want, follow_symlinks=False)
            changed += 1
    return changed


def loose_paths(archive_dir: Path) -> list[tuple[str, str]]:
    """(relative path, octal mode) of every folder not 0700 and every file not 0600."""
    root = Path(archive_dir)
    found: list[tuple[str, str]] = []
    for path in [root, *_walk(root)]:
        st = path.lstat()
        want = DIR_MODE if stat.S_ISDIR(st.st_mode) else FILE_MODE if stat.S_ISREG(st.st_mode) else None
        if want is not None and stat.S_IMODE(st.st_mode) != want:
            found.append((str(path.relative_to(root)), oct(stat.S_IMODE(st.st_mode))))
    return found


def _walk(root: Path) -> list[Path]:
    paths: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        paths += [Path(folder) / name for name in dirs + files]
    return paths
