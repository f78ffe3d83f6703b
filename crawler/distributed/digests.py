"""The payload-digest index in Redis: what the archive already holds, shared by every worker, so that a
payload written by one worker (this crawl or an earlier one) becomes a `revisit` record in another's WARC.

`ArchiveWriter` asks `seen.get((url, digest))` and records with `seen.setdefault(...)`; this mapping
answers from Redis (HSETNX, so the first writer of a payload wins everywhere) with a local cache of hits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import redis

from ..archive.dedup import load_seen
from ..archive.read import warc_files

Key = tuple[str, str]
First = tuple[str, str]
SEED_BATCH = 1000


class RedisSeen:
    def __init__(self, server: redis.Redis, namespace: str = "sma") -> None:
        self.server = server
        self.key = f"{namespace}:digests"
        self.files_key = f"{namespace}:digests:files"
        self._cache: dict[Key, First] = {}

    @staticmethod
    def _field(key: Key) -> str:
        return f"{key[0]} {key[1]}"

    def get(self, key: Key, default: First | None = None) -> First | None:
        if key in self._cache:
            return self._cache[key]
        raw = self.server.hget(self.key, self._field(key))
        if raw is None:
            return default
        first = tuple(json.loads(raw))
        self._cache[key] = first  # type: ignore[assignment]
        return first  # type: ignore[return-value]

    def setdefault(self, key: Key, value: First) -> First:
        """Records the first copy of a payload; returns whichever copy Redis holds."""
        if self.server.hsetnx(self.key, self._field(key), json.dumps(list(value))):
            self._cache[key] = value
            return value
        return self.get(key) or value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and self.get(key) is not None  # type: ignore[arg-type]

    def __len__(self) -> int:
        return int(self.server.hlen(self.key))

    def seed(self, archive_dir: Path) -> int:
        """Digests of WARC files that reached the archive without a worker (`sma crawl`, earlier runs):
        each file once per namespace. Returns the number of files read."""
        new = [p for p in warc_files(archive_dir) if not self.server.sismember(self.files_key, p.name)]
        if not new:
            return 0
        seen = load_seen(archive_dir)  # reads each file once; cached in .sma/digests/
        self._put(((self._field(k), json.dumps(list(v))) for k, v in seen.items()))
        self.server.sadd(self.files_key, *[p.name for p in new])
        return len(new)

    def _put(self, rows: Iterable[tuple[str, str]]) -> None:
        pipe = self.server.pipeline(transaction=False)
        for n, (field, value) in enumerate(rows, 1):
            pipe.hsetnx(self.key, field, value)
            if n % SEED_BATCH == 0:
                pipe.execute()
        pipe.execute()

    def written(self, names: Iterable[str]) -> None:
        """WARC files a worker wrote: their digests are in Redis already, never read them again."""
        names = list(names)
        if names:
            self.server.sadd(self.files_key, *names)
