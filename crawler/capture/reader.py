"""The reader: reads any page as a person does, with no selectors (docs/reader.md).

It scrolls in viewport steps (the window and inner scroll containers), remembers what it saw on
the way (virtualised lists drop items from the DOM), presses the controls that reveal content,
chosen by accessible name from the word lists in reader.yaml, never one that writes, and stops when
the page's text stops growing, within bounded rounds, clicks and seconds. It runs at the base of
every capture; a profile's actions run on top of it and add precision.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..profiles import parse_count
from .network import NetworkRecorder
from .reader_js import INSTALL_JS

WORDS_FILE = Path(__file__).with_name("reader.yaml")
WORD_LISTS = ("deny", "reveal", "next_page", "sort_opener", "sort_all", "dismiss", "count_total", "count_partial")


def load_words(path: Path = WORDS_FILE) -> dict[str, list[str]]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    words = {name: [str(w) for w in raw.get(name) or []] for name in WORD_LISTS}
    for patterns in words.values():
        for pattern in patterns:
            re.compile(pattern)  # a bad line fails at startup, not silently in the page
    return words


@dataclass
class ReaderLimits:
    max_rounds: int = 120
    max_clicks: int = 600
    max_seconds: float = 90.0
    idle_rounds: int = 2
    quiet_ms: int = 100
    settle_timeout_ms: int = 8_000
    clicks_per_round: int = 80


@dataclass
class ReaderResult:
    rounds: int = 0
    clicks: int = 0
    seconds: float = 0.0
    text_length: int = 0
    items_seen: int = 0
    hinted_seen: int = 0
    complete: bool = True
    note: str = ""
    pressed: list[str] = field(default_factory=list)
    follow: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    def brief(self) -> dict[str, Any]:
        """For reports: what it did, without the (long) link lists."""
        data = asdict(self)
        data.pop("links")
        data["pressed"] = data["pressed"][:40]
        return data


class Reader:
    """One page's reading. `item` (a profile's comment selector) is a hint: its matches are
    counted as they scroll past, so a virtualised thread is counted whole."""

    def __init__(self, page: Any, recorder: NetworkRecorder, words: dict[str, list[str]],
                 limits: ReaderLimits | None = None, item: str | None = None) -> None:
        self.page = page
        self.recorder = recorder
        self.words = words
        self.limits = limits or ReaderLimits()
        self.item = item

    async def _install(self) -> None:
        await self.page.evaluate(INSTALL_JS, {**self.words, "item": self.item})

    async def settle(self) -> None:
        await self.recorder.wait_idle(self.limits.quiet_ms, self.limits.settle_timeout_ms, from_now=True)

    async def read(self) -> ReaderResult:
        result = ReaderResult()
        started = time.monotonic()
        await self._install()
        # A reader starts at the top: virtualised lists show (and we remember) every item on the way.
        await self.page.evaluate("() => window.scrollTo(0, 0)")
        limits = self.limits
        idle = 0
        longest = 0
        while True:
            if result.rounds >= limits.max_rounds:
                result.complete, result.note = False, f"stopped after max_rounds={limits.max_rounds}"
                break
            if result.clicks >= limits.max_clicks:
                result.complete, result.note = False, f"stopped after max_clicks={limits.max_clicks}"
                break
            if time.monotonic() - started > limits.max_seconds:
                result.complete, result.note = False, f"stopped after max_seconds={limits.max_seconds:g}"
                break
            result.rounds += 1
            budget = min(limits.clicks_per_round, limits.max_clicks - result.clicks)
            try:
                step = await self.page.evaluate("(b) => window.__smaReader.round(b)", budget)
            except Exception as exc:  # noqa: BLE001 - a press navigated: the page is gone
                result.complete, result.note = False, f"page changed under the reader: {str(exc).splitlines()[0]}"
                break
            result.clicks += step["pressed"]
            await self.settle()
            after = await self.page.evaluate("() => window.__smaReader.textLength()")
            if step["pressed"] and after < step["before"] - 20:
                # A toggle that hid text ("Toon minder"): press it back, never again.
                await self.page.evaluate("() => window.__smaReader.undo()")
                await self.settle()
                after = await self.page.evaluate("() => window.__smaReader.textLength()")
            grew = after > longest
            longest = max(longest, after)
            # A region that says it is loading (aria-busy) is not the end of the page.
            busy = step["busy"] or await self.page.evaluate("() => window.__smaReader.busy()")
            if not step["pressed"] and step["bottom"] and not grew and not busy:
                idle += 1
                if idle >= limits.idle_rounds:
                    result.note = "text stopped growing"
                    break
                await asyncio.sleep(0.1 * idle)
            else:
                idle = 0
        try:
            seen = await self.page.evaluate("() => window.__smaReader.collect()")
        except Exception:  # noqa: BLE001 - navigated away: nothing more to read
            seen = {"follow": [], "links": [], "items": 0, "hinted": 0, "names": []}
        result.follow = [u for u in seen["follow"] if u.split("#")[0] != self.page.url.split("#")[0]]
        result.links = seen["links"]
        result.items_seen = seen["items"]
        result.hinted_seen = seen["hinted"]
        result.pressed = seen["names"]
        result.text_length = longest
        result.seconds = round(time.monotonic() - started, 2)
        return result

    async def displayed_comments(self) -> int | None:
        """The thread size the page states in text or aria-labels ("12 reacties"), or None."""
        await self._install()
        raw = await self.page.evaluate("() => window.__smaReader.displayed()")
        values = [v for v in (parse_count(r) for r in raw) if v is not None]
        return max(values) if values else None


# Paths that name an account (a third party's profile), never followed outside the account's path.
_OTHER_ACCOUNT = re.compile(
    r"/@[^/?]+|/(user|users|u|profile|people|in|member|members|channel|c|company)/|profile\.php")


def post_links(links: list[str], start_url: str, min_repeats: int = 3) -> list[str]:
    """Discovery without a profile: the links that repeat with an id (`/status/123`, `?v=abc123`)
    on the account's host, never a path that names another account (`/@someone`)."""
    start = urlsplit(start_url)
    account_path = start.path.rstrip("/")
    shapes: dict[str, list[str]] = {}
    for url in links:
        parts = urlsplit(url)
        if parts.netloc != start.netloc or url.rstrip("/") == start_url.rstrip("/"):
            continue
        if account_path and not parts.path.startswith(account_path + "/"):
            # Outside the account's path (/p/<id>, watch?v=<id>) only when it names no account.
            if _OTHER_ACCOUNT.search(parts.path + "?" + parts.query):
                continue
        target = parts.path + ("?" + parts.query if parts.query else "")
        shape, ids = re.subn(r"(?<=[/=:])(?:\d+|(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{6,})(?=$|[/?&#])", "{id}", target)
        if ids:
            shapes.setdefault(shape, []).append(url)
    found: list[str] = []
    for urls in shapes.values():
        unique = list(dict.fromkeys(urls))
        if len(unique) >= min_repeats:
            found.extend(unique)
    return found


class PageReading:
    """The crawl's reader component (`from_crawler`): its words and limits, and a `Reader` per page."""

    def __init__(self, words: dict[str, list[str]], limits: ReaderLimits) -> None:
        self.words = words
        self.limits = limits

    @classmethod
    def from_crawler(cls, crawler: Any) -> PageReading:
        settings = crawler.settings
        defaults = ReaderLimits()
        limits = ReaderLimits(
            max_rounds=settings.getint("SMA_READER_MAX_ROUNDS", defaults.max_rounds),
            max_clicks=settings.getint("SMA_READER_MAX_CLICKS", defaults.max_clicks),
            max_seconds=settings.getfloat("SMA_READER_MAX_SECONDS", defaults.max_seconds),
            idle_rounds=settings.getint("SMA_READER_IDLE_ROUNDS", defaults.idle_rounds),
        )
        return cls(load_words(Path(settings.get("SMA_READER_WORDS") or WORDS_FILE)), limits)

    def reader(self, page: Any, recorder: NetworkRecorder, item: str | None = None,
               dismiss_only: bool = False, allow_next: bool = False) -> Reader:
        """`dismiss_only`: scroll and close nags, press nothing that reveals (scenario A's threads);
        `allow_next` still pages the list ("Meer laden" of a timeline)."""
        words: dict[str, Any] = dict(self.words)
        if dismiss_only:
            words["dismissOnly"] = True
            words["allowNext"] = allow_next
        return Reader(page, recorder, words, self.limits, item)
