"""A flood of bad sign-ins: slow answers (Tarpit) and a bounded number of audit entries (RefusalAudit),
so that a guessing client can crowd out neither the signed-in users nor the audit log's disk.

Measured (bench/signin_load.py): the gateway's CPU was never the argon2 runs -- those are bounded by
VerificationPool, and 32 guessers with *unknown* names (no argon2 at all) slowed a signed-in user's
page as much as known ones. A refused guess costs about half a millisecond; 32 clients that send the
next guess the moment the refusal arrives keep waitress's single task queue 32 deep, and every page
request waits behind the whole queue (18-20x idle). Answering each failed or refused attempt only
after HOLD seconds takes each guessing connection down to 1/HOLD attempts per second, which empties
the queue.

The hold sleeps in the request's own waitress thread (a sleeping thread costs no CPU and holds no
lock), so the server runs SLOTS more threads than the page requests need, and at most SLOTS answers
are held at once: beyond them a failure is answered at once, as before, and never waits for a slot.
A legitimate user who mistypes waits HOLD seconds more for the error, as with login(1)'s FAIL_DELAY.
"""

from __future__ import annotations

import threading
import time


class Tarpit:
    HOLD = 0.5  # seconds a failed or refused sign-in answer is held
    SLOTS = 64  # answers held at once (the server adds this many threads: replay/server.py)

    def __init__(self, hold: float = HOLD, slots: int = SLOTS) -> None:
        self.hold_seconds = hold
        self._slots = threading.BoundedSemaphore(max(1, slots))
        self.answers = 0  # failed or refused sign-ins answered (tests, the benchmark)
        self.held = 0  # of them held
        self._released = threading.Event()  # set: no more holding (shutdown), held answers go at once

    def hold(self) -> None:
        """Sleeps HOLD seconds when a slot is free, else returns at once (never queues)."""
        self.answers += 1
        if self.hold_seconds <= 0 or self._released.is_set() or not self._slots.acquire(blocking=False):
            return
        try:
            self.held += 1
            self._released.wait(self.hold_seconds)
        finally:
            self._slots.release()

    def release(self) -> None:
        """Answers every held attempt now and holds no more (the server is stopping)."""
        self._released.set()


class RefusalAudit:
    """Which refused sign-ins get an audit entry: one per client and name per INTERVAL, at most
    NAMES such entries per client per INTERVAL; the rest are counted into that client's next entry.
    Keyed by name alone, a spray of random names made an fsync'd entry of every refusal (0.6 ms of
    the gateway's time and a disk write each, in the benchmark)."""

    INTERVAL = 10.0
    NAMES = 5
    LIMIT = 10_000  # keys kept (bounded memory under a spray of addresses)

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], float] = {}  # (client, name) -> audited at
        self._clients: dict[str, tuple[float, int, int]] = {}  # client -> (window start, entries, unaudited)
        self._lock = threading.Lock()

    def should_audit(self, client: str, name: str) -> int | None:
        """None: count it, write nothing; else write an entry now, carrying this many refusals
        that were not audited since the client's previous entry."""
        now = time.monotonic()
        with self._lock:
            if len(self._names) > self.LIMIT or len(self._clients) > self.LIMIT:
                self._names.clear()
                self._clients.clear()
            start, entries, unaudited = self._clients.get(client, (now, 0, 0))
            if now - start > self.INTERVAL:
                start, entries = now, 0
            seen = self._names.get((client, name))
            if (seen is not None and now - seen <= self.INTERVAL) or entries >= self.NAMES:
                self._clients[client] = (start, entries, unaudited + 1)
                return None
            self._names[(client, name)] = now
            self._clients[client] = (start, entries + 1, 0)
            return unaudited
