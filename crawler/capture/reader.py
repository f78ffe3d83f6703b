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
from scrapy import signals

from archive.layout import ArchiveDir

from ..profiles import parse_count
from .network import NetworkRecorder
from .reader_js import INSTALL_JS

WORDS_FILE = Path(__file__).with_name("reader.yaml")
WORD_LISTS = ("deny", "reveal", "next_page", "pager", "sort_opener", "sort_all", "dismiss", "count_total",
              "count_partial", "count_posts")


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
    # Presses of one round tried back one at a time when they may have hidden text (the undo).
    undo_per_round: int = 8
    # Before it stops, the reader waits as a person does for a page that is still coming in
    # (a script loaded late, a list that fills in after a pause): once, and again after growth.
    patience_ms: int = 2000


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
    undone: int = 0  # presses kept pressed back: their press hid text ("Toon minder")
    pressed: list[str] = field(default_factory=list)
    follow: list[str] = field(default_factory=list)
    deeper: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    # Comment-like entries (key -> a text of theirs) and the first one (on a post page: the post).
    # In memory only, never in a report: the crawl checks the texts against its WARC records.
    entries: dict[str, tuple[str, bool]] = field(default_factory=dict)  # key -> (text, the profile's comment?)
    first_entry: str | None = None

    def brief(self) -> dict[str, Any]:
        """For reports: what it did, without the (long) link lists and no third party's text."""
        data = asdict(self)
        for private in ("links", "entries", "first_entry"):
            data.pop(private)
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
        patient = False
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
            if step["pressed"]:
                shrank = not step.get("dismissed") and after < step["before"] - 20
                if await self.undo(shrank, result):
                    after = await self.page.evaluate("() => window.__smaReader.textLength()")
            grew = after > longest
            longest = max(longest, after)
            if step["pressed"]:
                await self.page.evaluate("(grew) => window.__smaReader.noEffect(grew)", grew)
            # A region that says it is loading (aria-busy) is not the end of the page.
            busy = step["busy"] or await self.page.evaluate("() => window.__smaReader.busy()")
            if not step["pressed"] and step["bottom"] and not grew and not busy:
                idle += 1
                if idle >= limits.idle_rounds:
                    if patient:
                        result.note = "text stopped growing"
                        break
                    patient = True
                    await asyncio.sleep(limits.patience_ms / 1000)
                    # A second look from the top, screen by screen: a virtualised list shows again
                    # what it had detached (and its controls), a script that arrived late hears the
                    # scrolling it waits for ("load when near the end").
                    await self.page.evaluate("() => window.scrollTo(0, 0)")
                    await self.settle()
                    await self.page.evaluate("() => window.__smaReader.retry()")
                    idle = 0
                    continue
                await asyncio.sleep(0.1 * idle)
            else:
                idle = 0
                if grew:
                    patient = False
        try:
            seen = await self.page.evaluate("() => window.__smaReader.collect()")
        except Exception:  # noqa: BLE001 - navigated away: nothing more to read
            seen = {"follow": [], "deeper": [], "links": [], "items": 0, "hinted": 0, "names": [], "entries": []}
        here = self.page.url.split("#")[0]
        result.follow = [u for u in seen["follow"] if u.split("#")[0] != here]
        result.deeper = [u for u in seen.get("deeper", []) if u.split("#")[0] != here]
        result.entries = {k: (v[0], bool(v[1])) for k, v in seen.get("entries") or []}
        result.first_entry = seen.get("first")
        result.links = seen["links"]
        result.items_seen = seen["items"]
        result.hinted_seen = seen["hinted"]
        result.pressed = seen["names"]
        result.text_length = longest
        result.seconds = round(time.monotonic() - started, 2)
        return result

    async def undo(self, shrank: bool, result: ReaderResult) -> int:
        """Presses back, one at a time, the last round's presses that may have hidden text ("Toon
        minder"): a press stays undone (and is never pressed again) only when the text grew back;
        else it is pressed once more. `shrank`: the page's text got shorter in the round (also a
        virtualised list hollowing items as it scrolls, so no press is undone for that alone).
        Bounded by `undo_per_round` trials and the click budget. Returns the trials made."""
        budget = min(self.limits.undo_per_round, (self.limits.max_clicks - result.clicks) // 2)
        if budget <= 0:
            return 0
        count = await self.page.evaluate("([s, m]) => window.__smaReader.undoCandidates(s, m)", [shrank, budget])
        for index in range(count):
            await self.page.evaluate("(i) => window.__smaReader.undoOne(i)", index)
            await self.settle()
            kept = await self.page.evaluate("(i) => window.__smaReader.judgeUndo(i)", index)
            result.clicks += 1 if kept else 2
            result.undone += 1 if kept else 0
            if not kept:
                await self.settle()
        return count

    async def displayed_comments(self) -> int | None:
        """The thread size the page states in text or aria-labels ("12 reacties"), or None."""
        await self._install()
        raw = await self.page.evaluate("() => window.__smaReader.displayed()")
        values = [v for v in (parse_count(r) for r in raw) if v is not None]
        return max(values) if values else None

    async def displayed_posts(self) -> int | None:
        """The number of posts an account page states ("30 onderwerpen", "1.234 posts"), or None."""
        await self._install()
        raw = await self.page.evaluate("() => window.__smaReader.displayed('posts')")
        values = [v for v in (parse_count(r) for r in raw) if v is not None]
        return max(values) if values else None


# Paths that name an account (a third party's profile), never followed outside the account's path.
_OTHER_ACCOUNT = re.compile(
    r"/@[^/?]+|/(user|users|u|profile|people|in|member|members|channel|c|company)/|profile\.php")


def thread_links(urls: list[str], post_url: str) -> list[str]:
    """Further pages of a post's thread (its page 2..N, a reply's own page) on the post's host,
    never a page that names an account (a third party's profile)."""
    host = urlsplit(post_url).netloc
    found = []
    for url in urls:
        parts = urlsplit(url)
        if parts.netloc != host or url.split("#")[0].rstrip("/") == post_url.rstrip("/"):
            continue
        named = _OTHER_ACCOUNT.search(parts.path)
        if named and named.group(0) not in urlsplit(post_url).path:
            continue
        found.append(url.split("#")[0])
    return list(dict.fromkeys(found))


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
        # A slug (/t/goed-nieuws-de-subsidie/123) is part of the shape, like the id.
        target = re.sub(r"(?<=/)[a-z0-9]+(?:-[a-z0-9]+){2,}(?=/)", "{slug}", target)
        # An id: digits, a token with a digit, or a mixed-case code (Instagram's GVk-G-gCWo).
        shape, ids = re.subn(r"(?<=[/=:])(?:\d+|(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{6,}"
                             r"|(?=[\w-]*[a-z])(?=[\w-]*[A-Z])[A-Za-z0-9_-]{6,16})(?=$|[/?&#])", "{id}", target)
        if ids:
            shapes.setdefault(shape, []).append(url)
    found: list[str] = []
    for urls in shapes.values():
        unique = list(dict.fromkeys(urls))
        if len(unique) >= min_repeats:
            found.extend(unique)
    return found


class PageReading:
    """The crawl's reader component (`from_crawler`): its words and limits, a `Reader` per page,
    and the threads it read (`ThreadTally`): at the spider's close, each post's captured comments
    are counted from the crawl's WARC records."""

    def __init__(self, words: dict[str, list[str]], limits: ReaderLimits, max_thread_pages: int = 40,
                 archive_dir: str | None = None) -> None:
        from .threads import ThreadTally  # threads.py builds on this module

        self.words = words
        self.limits = limits
        self.threads = ThreadTally(max_thread_pages, words)  # its snapshot boxes skip the crawl's control words
        self.archive_dir = archive_dir
        self.crawler: Any = None

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
        reading = cls(load_words(Path(settings.get("SMA_READER_WORDS") or WORDS_FILE)), limits,
                      settings.getint("SMA_THREAD_MAX_PAGES", 40), settings.get("SMA_ARCHIVE_DIR"))
        reading.crawler = crawler
        # Connected before the crawl report's extension: the counts are in place when it writes.
        crawler.signals.connect(reading.spider_closed, signal=signals.spider_closed)
        return reading

    def spider_closed(self, spider: Any) -> None:
        """Captured comments from the WARC records: this crawl's files first, then the archive's
        older ones (an unchanged thread's payloads are revisits of an earlier crawl)."""
        from .threads import apply_to_report

        posts = (getattr(spider, "completeness", None) or {}).get("posts") or []
        if not posts or self.crawler is None:
            return
        mine = [Path(p) for p in self.crawler.stats.get_value("sma/warc_files", []) or []]
        older = ArchiveDir(self.archive_dir).closed_warcs() if self.archive_dir else []
        apply_to_report(self.threads, posts, [*mine, *[p for p in older if p not in mine]])

    def reader(self, page: Any, recorder: NetworkRecorder, item: str | None = None,
               dismiss_only: bool = False, allow_next: bool = False) -> Reader:
        """`dismiss_only`: scroll and close nags, press nothing that reveals (scenario A's threads);
        `allow_next` still pages the list ("Meer laden" of a timeline)."""
        words: dict[str, Any] = dict(self.words)
        if dismiss_only:
            words["dismissOnly"] = True
            words["allowNext"] = allow_next
        return Reader(page, recorder, words, self.limits, item)
