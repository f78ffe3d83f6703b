"""Guessing at sign-in: per name and address throttling with doubling waits (LoginThrottle), and for a
flood of bad sign-ins slow answers (Tarpit) and a bounded number of audit entries (RefusalAudit), so
that a guessing client can crowd out neither the signed-in users nor the audit log's disk.

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


# -- sign-in throttling ------------------------------------------------------------------------
class _Backoff:
    """Attempts per key (a name at a client address, or a client address): `free` of them at once,
    then each further one must wait, doubling (1, 2, 4 ... max_wait s) before it is even checked.
    `begin` counts the attempt BEFORE its password is checked, so a burst of parallel guesses is
    refused, not verified; `forgive` takes a success's count back."""

    def __init__(self, free: int, max_wait: float) -> None:
        self.free = free
        self.max_wait = max_wait
        self._state: dict[str, tuple[int, float]] = {}  # key -> (count, not-before)

    def wait_left(self, key: str, now: float) -> float:
        return max(0.0, self._state.get(key, (0, 0.0))[1] - now)

    def _wait(self, count: int) -> float:
        return 0.0 if count < self.free else min(self.max_wait, 2.0 ** (count - self.free))

    def begin(self, key: str, now: float) -> None:
        count, not_before = self._state.get(key, (0, 0.0))
        count += 1
        self._state[key] = (count, max(not_before, now + self._wait(count)))
        if len(self._state) > 100_000:  # bounded memory under a spray of names or addresses
            self._state.pop(next(iter(self._state)))

    def failed(self, key: str, now: float) -> None:
        """The wait runs from the end of a failed check too (a slow verification must not use it up)."""
        if key in self._state:
            count, not_before = self._state[key]
            self._state[key] = (count, max(not_before, now + self._wait(count)))

    def forgive(self, key: str) -> None:
        self._state.pop(key, None)

    def take_back(self, key: str, now: float) -> None:
        """One attempt that succeeded no longer counts: the count is of failures only."""
        if key not in self._state:
            return
        count = self._state[key][0] - 1
        if count <= 0:
            self._state.pop(key)
        else:
            self._state[key] = (count, now + self._wait(count) if count >= self.free else 0.0)


class LoginThrottle:
    """Sign-in throttling per user name at a client address AND per client address.

    Each attempt is counted before its password is checked (a burst of parallel guesses is refused
    rather than verified). The name's count is kept per client address, so a guessing client locks
    out only itself: the user signs in from their own address, and signed-in sessions (and Basic
    clients whose password is in the VerifiedCache) never pass through here. The per-address count
    (more free failures, across all names) stops one client from spraying many names. Unknown names
    are counted like known ones, so the answer never tells which names are real. A success resets
    the name's count at that address (not the address's own count: a valid account must not buy
    guesses on others, so only the success's own attempt is taken back: the address's count is of its
    failures, and ten colleagues signing in through one proxy address are never slowed)."""

    FREE = 3  # per name at one client address
    CLIENT_FREE = 10  # per client address, all names
    MAX_WAIT = 300.0

    def __init__(self) -> None:
        self._pairs = _Backoff(self.FREE, self.MAX_WAIT)
        self._clients = _Backoff(self.CLIENT_FREE, self.MAX_WAIT)
        self._lock = threading.Lock()

    def wait_left(self, name: str, client: str = "") -> float:
        now = time.monotonic()
        with self._lock:
            return max(self._pairs.wait_left(f"{client}\0{name}", now), self._clients.wait_left(client, now))

    def begin(self, name: str, client: str = "") -> float:
        """0.0: go on and check the password (the attempt is counted already); else the seconds
        left before this client may try this name again (nothing counted, nothing checked)."""
        now = time.monotonic()
        pair = f"{client}\0{name}"
        with self._lock:
            wait = max(self._pairs.wait_left(pair, now), self._clients.wait_left(client, now))
            if wait <= 0:
                self._pairs.begin(pair, now)
                self._clients.begin(client, now)
            return wait

    def failed(self, name: str, client: str = "") -> None:
        now = time.monotonic()
        with self._lock:
            self._pairs.failed(f"{client}\0{name}", now)
            self._clients.failed(client, now)

    def succeeded(self, name: str, client: str = "") -> None:
        with self._lock:
            self._pairs.forgive(f"{client}\0{name}")
            self._clients.take_back(client, time.monotonic())
