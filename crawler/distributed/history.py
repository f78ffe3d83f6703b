"""The account history when several workers capture one account: each post page's commit re-reads
`state.json` under a file lock, so no worker's commit overwrites another's (the lock is `fcntl`'s, which
NFSv4 and local disks honour)."""

from __future__ import annotations

import fcntl
from typing import Any

from ..archive.history import AccountHistory, PostState


def commit_shared(history: AccountHistory, url: str, state: PostState, changes: list[dict[str, Any]]) -> None:
    history.dir.mkdir(parents=True, exist_ok=True)
    with open(history.dir / "state.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fresh = AccountHistory(history.dir.parent.parent, history.key)
        fresh.profile_url = fresh.profile_url or history.profile_url
        fresh.commit(url, state, changes)
        history.posts[url] = state
