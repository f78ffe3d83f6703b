"""Generic page behaviours driven by a profile's action list: scroll, expand, close, choose.

Every action reports what it matched, so the completeness report can name the action or selector
that stopped matching when a platform changes its pages.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from ..profiles import PageSpec, Profile, SelectorWaits, parse_count
from .network import NetworkRecorder
from .reader import Reader, load_words

logger = logging.getLogger(__name__)

# quiet_ms: the recorder knows every request in flight, so a short quiet after the last one suffices.
# max_seconds: what one scroll or click_all action may take (SMA_ACTION_MAX_SECONDS, docs/limits.md).
DEFAULTS = {"quiet_ms": 100, "settle_timeout_ms": 8_000, "max_rounds": 400, "idle_rounds": 3, "max_clicks": 2_000,
            "max_seconds": 600.0}

# Visible-and-enabled filter evaluated in the page: Playwright's per-element checks are one
# round-trip each, which is too slow for threads with hundreds of buttons.
_VISIBLE_JS = """(els) => els.filter(e => { const r = e.getBoundingClientRect();
  const s = getComputedStyle(e); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'
  && s.display !== 'none' && !e.disabled; }).length"""
_VISIBLE_INDEXES_JS = _VISIBLE_JS.replace(").length", ").map(e => els.indexOf(e))")
_CLICK_VISIBLE_JS = (
    "(els, budget) => { const shown = (" + _VISIBLE_JS.removesuffix(".length") + ")(els);"
    " const todo = shown.slice(0, budget);"
    " const done = (window.__smaClicked = window.__smaClicked || new WeakSet());"
    " todo.forEach(e => { done.add(e); e.scrollIntoView({block: 'center'}); e.click(); });"
    " return [todo.length, shown.length]; }"
)
# Visible matches never clicked before: buttons that clicks revealed (chains of "show replies").
_FRESH_JS = (
    "(els) => { const done = window.__smaClicked || new WeakSet(); return (" + _VISIBLE_JS.removesuffix(".length")
    + ")(els).filter(e => !done.has(e)).length; }"
)


@dataclass
class ActionResult:
    name: str
    do: str
    selector: str
    matched: int = 0
    rounds: int = 0
    complete: bool = True
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class PageDriver:
    """Runs a page spec's actions on a live page, collecting links on the way."""

    def __init__(self, page: Any, recorder: NetworkRecorder, profile: Profile, spec: PageSpec,
                 waits: SelectorWaits | None = None) -> None:
        self.page = page
        # The crawl's memory of drifted selectors: a `wait_for` known to match nothing is only probed.
        self.waits = waits
        self.recorder = recorder
        self.profile = profile
        self.spec = spec
        self.limits = {**DEFAULTS, **profile.limits}
        if getattr(recorder, "action_max_seconds", 0):
            self.limits["max_seconds"] = recorder.action_max_seconds  # the crawl's setting wins
        self.collected: dict[str, None] = {}
        self.dialogs_closed = 0
        # A timeline read in pieces (SMA_TIMELINE_PIECE_POSTS): a scroll stops once this many posts
        # are in the page and the rest is read from a next page (next_piece); 0 = one page.
        self.piece_posts = 0
        self.piece_full = False
        self.piece_hint: dict[str, Any] = {}

    def selector(self, key_or_selector: str) -> str:
        """Actions may name a selector of the page spec (`post_link`) or give one inline."""
        return self.spec.selectors.get(key_or_selector, key_or_selector)

    async def settle(self) -> None:
        await self.recorder.wait_idle(self.limits["quiet_ms"], self.limits["settle_timeout_ms"], from_now=True)

    async def count(self, selector: str, visible: bool = False) -> int:
        loc = self.page.locator(selector)
        if not visible:
            return await loc.count()
        return await loc.evaluate_all(_VISIBLE_JS)

    async def close_dialogs(self) -> int:
        closed = 0
        for sel in self.profile.dialogs:
            loc = self.page.locator(sel)
            for _ in range(5):
                if await self.count(sel, visible=True) == 0:
                    break
                try:
                    await loc.first.click(timeout=3_000)
                    closed += 1
                    await self.settle()
                except Exception as exc:  # noqa: BLE001 - a dialog that vanished on its own
                    logger.debug("dialog %s: %s", sel, exc)
                    break
        self.dialogs_closed += closed
        return closed

    async def collect(self, selector: str) -> int:
        hrefs = await self.page.locator(selector).evaluate_all(
            "(els) => els.map(e => e.getAttribute('href') || e.getAttribute('data-href')).filter(Boolean)"
        )
        before = len(self.collected)
        for href in hrefs:
            self.collected.setdefault(urljoin(self.page.url, href).split("#")[0], None)
        return len(self.collected) - before

    async def run(self, actions: list[dict[str, Any]] | None = None) -> list[ActionResult]:
        results = []
        await self.close_dialogs()
        for action in actions if actions is not None else self.spec.actions:
            handler = getattr(self, f"_do_{action['do']}")
            result = ActionResult(
                name=action.get("name", action["do"]),
                do=action["do"],
                selector=str(action.get("selector") or action.get("collect") or action.get("opener") or ""),
            )
            try:
                await handler(action, result)
            except Exception as exc:  # noqa: BLE001 - one failing action must not lose the page
                result.complete = False
                result.note = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            if action.get("required", True) and result.matched == 0 and action["do"] != "scroll":
                result.note = result.note or "matched nothing"
            results.append(result)
            await self.close_dialogs()
        return results

    # -- actions -------------------------------------------------------------------------------
    async def _do_scroll(self, action: dict[str, Any], result: ActionResult) -> None:
        """Scrolls a viewport at a time, so virtualised lists show (and we collect) every item."""
        collect = self.selector(action["collect"]) if action.get("collect") else None
        end = action.get("end")
        max_rounds = int(action.get("max_rounds", self.limits["max_rounds"]))
        idle_limit = int(action.get("idle_rounds", self.limits["idle_rounds"]))
        idle = 0
        last_height = -1
        deadline = time.monotonic() + float(self.limits["max_seconds"])
        items = self.spec.selectors.get("post") or collect
        if action.get("next_piece"):
            self.piece_hint = dict(action["next_piece"])
        for rounds in range(1, max_rounds + 1):
            if time.monotonic() > deadline:  # a timeline that never ends
                result.complete = False
                result.note = f"stopped after max_seconds={self.limits['max_seconds']:g}"
                return
            if end and await self.count(end) > 0:
                if collect:
                    result.matched += await self.collect(collect)
                result.note = "reached end marker"
                return
            if self.piece_posts and items and (held := await self.count(items)) >= self.piece_posts:
                # One piece of the timeline: the rest from a next page, not an ever-growing DOM.
                if collect:
                    result.matched += await self.collect(collect)
                self.piece_full = True
                result.note = f"piece bound: {held} posts in the page (SMA_TIMELINE_PIECE_POSTS={self.piece_posts})"
                return
            result.rounds = rounds
            if collect:
                result.matched += await self.collect(collect)
            at_bottom, height = await self.page.evaluate(
                "() => { window.scrollBy(0, Math.round(window.innerHeight * 0.85));"
                " const h = document.documentElement.scrollHeight;"
                " return [window.scrollY + window.innerHeight >= h - 4, h]; }"
            )
            await self.settle()
            await self.close_dialogs()
            grew = False
            if collect:
                new = await self.collect(collect)
                result.matched += new
                grew = new > 0
            if end and await self.count(end) > 0:
                if collect:
                    result.matched += await self.collect(collect)
                result.note = "reached end marker"
                return
            new_height = await self.page.evaluate("document.documentElement.scrollHeight")
            grew = grew or new_height != height or new_height != last_height
            last_height = new_height
            if at_bottom and not grew:
                idle += 1
                if idle >= idle_limit:
                    result.note = "nothing more loaded"
                    return
                await asyncio.sleep(0.2 * idle)
            else:
                idle = 0
        result.complete = False
        result.note = f"stopped after max_rounds={max_rounds}"

    async def _do_click_all(self, action: dict[str, Any], result: ActionResult) -> None:
        """Clicks every visible match, then the ones those clicks revealed, until none is left."""
        sel = self.selector(action["selector"])
        max_clicks = int(action.get("max_clicks", self.limits["max_clicks"]))
        stalled = 0
        deadline = time.monotonic() + float(self.limits["max_seconds"])
        while result.matched < max_clicks:
            if time.monotonic() > deadline:
                result.complete = False
                result.note = f"stopped after max_seconds={self.limits['max_seconds']:g}"
                return
            result.rounds += 1
            loc = self.page.locator(sel)
            budget = max_clicks - result.matched
            if action.get("trusted"):
                clicked, seen = await self._click_trusted(loc, budget)
            else:
                # As in-page archiving behaviours do: one round-trip clicks every visible button.
                clicked, seen = await loc.evaluate_all(_CLICK_VISIBLE_JS, budget)
            result.matched += clicked
            await self.settle()
            await self.close_dialogs()
            if clicked == 0:
                return
            remaining = await self.count(sel, visible=True)
            # Newly revealed buttons are progress even when as many as were clicked appear.
            fresh = 0 if action.get("trusted") else await loc.evaluate_all(_FRESH_JS)
            if remaining >= seen and not fresh:
                stalled += 1
                if stalled >= 3:
                    result.complete = False
                    result.note = "buttons stay after clicking"
                    return
            else:
                stalled = 0
        result.complete = await self.count(sel, visible=True) == 0
        if not result.complete:
            result.note = f"stopped after max_clicks={max_clicks}"

    async def _click_trusted(self, loc: Any, budget: int) -> tuple[int, int]:
        """Real mouse clicks (trusted events), one round-trip each, for pages that check."""
        handles = await loc.element_handles()
        visible = set(await loc.evaluate_all(_VISIBLE_INDEXES_JS)) if handles else set()
        clicked = 0
        for index, handle in enumerate(handles):
            if clicked >= budget:
                break
            if index not in visible:
                continue
            try:
                await handle.click(timeout=3_000)
                clicked += 1
            except Exception as exc:  # noqa: BLE001 - detached by an earlier click's re-render
                logger.debug("click: %s", exc)
        return clicked, len(visible)

    async def _do_click(self, action: dict[str, Any], result: ActionResult) -> None:
        sel = self.selector(action["selector"])
        if await self.count(sel, visible=True) == 0:
            result.complete = not action.get("required", True)
            return
        await self.page.locator(sel).first.click(timeout=5_000)
        result.matched = 1
        await self.settle()

    async def _do_close_dialog(self, action: dict[str, Any], result: ActionResult) -> None:
        sel = self.selector(action["selector"])
        while await self.count(sel, visible=True) > 0 and result.matched < 10:
            await self.page.locator(sel).first.click(timeout=5_000)
            result.matched += 1
            await self.settle()

    async def _do_choose_menu(self, action: dict[str, Any], result: ActionResult) -> None:
        """Opens each matching menu and picks an item (e.g. 'All comments' instead of 'Most relevant')."""
        opener, item = self.selector(action["opener"]), self.selector(action["item"])
        openers = await self.page.locator(opener).element_handles()
        for handle in openers:
            if not await handle.is_visible():
                continue
            await handle.scroll_into_view_if_needed(timeout=3_000)
            await handle.click(timeout=5_000)
            if self.waits is None:
                await self.page.locator(item).first.wait_for(state="visible", timeout=5_000)
            elif (missed := await self.waits.wait(self.page, item, 5_000, self.recorder, visible=True)) is not None:
                raise TimeoutError(missed)  # an item known drifted is only probed
            await self.page.locator(item).first.click(timeout=5_000)
            result.matched += 1
            await self.settle()

    async def _do_scroll_into_view(self, action: dict[str, Any], result: ActionResult) -> None:
        sel = self.selector(action["selector"])
        for handle in await self.page.locator(sel).element_handles():
            await handle.scroll_into_view_if_needed(timeout=5_000)
            result.matched += 1
            await self.settle()

    async def _do_wait_for(self, action: dict[str, Any], result: ActionResult) -> None:
        sel = self.selector(action["selector"])
        timeout = int(action.get("timeout_ms", 10_000))
        if self.waits is None:
            await self.page.locator(sel).first.wait_for(state="attached", timeout=timeout)
        elif (missed := await self.waits.wait(self.page, sel, timeout, self.recorder)) is not None:
            raise TimeoutError(missed)
        result.matched = 1

    # -- reading -------------------------------------------------------------------------------
    async def next_piece(self, post_links: list[str], cursors: list[str]) -> str | None:
        """Where the timeline goes on after this page's piece: `post_links` are the account's post
        pages in this page's order. By the profile's hint (`next_piece: {param: max_id}` on its
        scroll action: the page's URL with <param>=<the last post's id>) or else by the page's own
        timeline requests: a `Link: rel=next` (`cursors`, as Mastodon's API sends) whose cursor is
        the id of a post in this page, set on the page's URL."""
        if not post_links:
            return None
        last = _post_id(post_links[-1])
        here = urlsplit(self.page.url)
        param = str(self.piece_hint.get("param") or "")
        if not param:
            seen = {_post_id(u) for u in post_links}
            for cursor in reversed(cursors):
                found = [k for k, v in parse_qsl(urlsplit(cursor).query) if v in seen]
                if found:
                    param = found[0]
                    break
        if not param or not last:
            return None
        query = [(k, v) for k, v in parse_qsl(here.query) if k != param] + [(param, last)]
        return urlunsplit((here.scheme, here.netloc, here.path, urlencode(query), ""))

    async def selector_counts(self) -> dict[str, int]:
        """How often each named selector of the page spec matches now: zero means the platform
        changed (or this page has none of it), which the completeness report names."""
        return {name: await self.count(sel) for name, sel in self.spec.selectors.items()}

    async def read_counters(self, words: dict[str, list[str]] | None = None) -> dict[str, int | None]:
        """The profile's counters; `words`: the crawl's reader words (`SMA_READER_WORDS`), used
        where the page's text is read for a post total (default: the bundled `reader.yaml`)."""
        values: dict[str, int | None] = {}
        for name, spec in self.spec.counters.items():
            loc = self.page.locator(spec["selector"])
            if await loc.count() == 0:
                values[name] = None
                continue
            raw = await loc.first.get_attribute(spec["attr"]) if spec.get("attr") else await loc.first.inner_text()
            values[name] = parse_count(raw)
        if "posts" not in self.spec.counters and self.spec is self.profile.pages.get("profile"):
            # No post counter in the profile (the generic one, a site no profile knows): what the
            # account page says ("30 onderwerpen", "1.234 posts"), read as a person does. A counter
            # that drifted stays unknown: its platform prints its own count, which the text may miss.
            # The reader is in the page already (it read it); its words are the crawl's.
            words = words if words is not None else load_words()
            shown = await Reader(self.page, self.recorder, words).displayed_posts()
            if shown is not None:
                values["posts"] = shown
                # Marks the count as read from text: fewer posts found than it says is a shortfall
                # even when --max-posts chose fewer (crawler/completeness.py).
                values["posts_from_text"] = 1
        return values


def _post_id(url: str) -> str:
    """A post page's id: the last token of its path (or query) with a digit (`/@a/1141599`)."""
    parts = urlsplit(url)
    tokens = re.findall(r"[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*", parts.path)
    tokens = tokens or re.findall(r"(?<==)[\w-]*\d[\w-]*", parts.query)
    return tokens[-1] if tokens else ""
