"""Platform capture profiles: platform knowledge as data (profiles/*.yaml), read here.

See profiles/README.md for the schema. Nothing in Python names a platform: a new platform is a
new YAML file.
"""

from __future__ import annotations

import asyncio
import re
import time
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from sma import config

ACTION_KINDS = {"scroll", "click_all", "click", "choose_menu", "close_dialog", "scroll_into_view", "wait_for"}
PAGE_KINDS = ("profile", "post")
# `third_parties:` (privacy): CSS selectors of a commenter's block and, relative to it, of what
# identifies them; `avatar_url` regexes of third-party avatar URLs; the organisation's staff
# signatures on this platform.
THIRD_PARTY_SELECTORS = ("item", "name", "handle", "profile_link", "avatar")
THIRD_PARTY_LISTS = ("avatar_url", "staff_signatures")
# Read this attribute instead of the element's text (a name shown only as a tooltip, say).
THIRD_PARTY_ATTRS = ("name_attr", "handle_attr")


class ProfileError(ValueError):
    """A profile file that does not follow the schema."""


@dataclass
class PageSpec:
    """What SMA knows of one kind of page (a profile page, a post page)."""

    ready: str | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    counters: dict[str, dict[str, str]] = field(default_factory=dict)
    actions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Profile:
    name: str
    title: str
    urls: dict[str, list[re.Pattern[str]]]
    detect: dict[str, Any] | None
    login_wall: list[str]
    dialogs: list[str]
    pages: dict[str, PageSpec]
    limits: dict[str, Any]
    path: Path | None = None
    third_parties: dict[str, Any] = field(default_factory=dict)
    # What a post page says, for edit/deletion detection on recapture (post_text, published, comment_id, gone).
    content: dict[str, Any] = field(default_factory=dict)
    # Markers of a logged-in and a logged-out page, checked when a crawl uses a login session.
    session: dict[str, str] = field(default_factory=dict)

    def page(self, kind: str) -> PageSpec:
        return self.pages.get(kind) or PageSpec()

    def classify(self, url: str) -> str | None:
        """'profile' or 'post' when this profile's URL patterns know the URL."""
        for kind in PAGE_KINDS:
            if any(p.search(url) for p in self.urls.get(kind, [])):
                return kind
        return None


def _page_spec(raw: dict[str, Any] | None, where: str) -> PageSpec:
    raw = dict(raw or {})
    actions = raw.pop("actions", []) or []
    for i, action in enumerate(actions):
        if not isinstance(action, dict) or action.get("do") not in ACTION_KINDS:
            raise ProfileError(f"{where}.actions[{i}]: 'do' must be one of {sorted(ACTION_KINDS)}")
    counters = raw.pop("counters", {}) or {}
    for name, spec in counters.items():
        if isinstance(spec, str):
            counters[name] = {"selector": spec}
        elif not isinstance(spec, dict) or "selector" not in spec:
            raise ProfileError(f"{where}.counters.{name}: needs a selector")
    ready = raw.pop("ready", None)
    return PageSpec(ready=ready, selectors={k: str(v) for k, v in raw.items()}, counters=counters, actions=actions)


def _content_spec(raw: Any, name: str) -> dict[str, Any]:
    spec = dict(raw or {})
    for key in ("published", "comment_id"):
        value = spec.get(key)
        if isinstance(value, str):
            spec[key] = {"selector": value}
        elif value is not None and not (isinstance(value, dict) and ("selector" in value or "attr" in value)):
            raise ProfileError(f"{name}.content.{key}: needs a selector or an attr")
    spec["gone"] = list(spec.get("gone") or [])
    return spec


def _third_parties(raw: Any, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ProfileError(f"{where}.third_parties: must be a mapping")
    unknown = set(raw) - set(THIRD_PARTY_SELECTORS) - set(THIRD_PARTY_LISTS) - set(THIRD_PARTY_ATTRS)
    if unknown:
        raise ProfileError(f"{where}.third_parties: unknown keys {sorted(unknown)}")
    if not raw.get("item"):
        raise ProfileError(f"{where}.third_parties: needs 'item' (one commenter's block)")
    spec: dict[str, Any] = {}
    for key in THIRD_PARTY_SELECTORS + THIRD_PARTY_ATTRS:
        if raw.get(key) is not None:
            if not isinstance(raw[key], str) or not raw[key].strip():
                raise ProfileError(f"{where}.third_parties.{key}: must be a non-empty string")
            spec[key] = raw[key]
    for key in THIRD_PARTY_LISTS:
        values = raw.get(key) or []
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise ProfileError(f"{where}.third_parties.{key}: must be a list of strings")
        spec[key] = list(values)
    for pattern in spec["avatar_url"]:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ProfileError(f"{where}.third_parties.avatar_url: bad regex {pattern!r}: {exc}") from exc
    return spec


def load_profile(path: Path) -> Profile:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from exc
    name = raw.get("name") or Path(path).stem
    try:
        urls = {kind: [re.compile(p) for p in (raw.get("urls", {}) or {}).get(kind, [])] for kind in PAGE_KINDS}
    except re.error as exc:
        raise ProfileError(f"{path}: bad URL pattern: {exc}") from exc
    detect = raw.get("detect")
    if isinstance(detect, str):
        detect = {"selector": detect, "min_count": 1}
    pages = {kind: _page_spec(raw.get(f"{kind}_page"), f"{name}.{kind}_page") for kind in PAGE_KINDS}
    return Profile(
        name=name,
        title=raw.get("title", name),
        urls=urls,
        detect=detect,
        login_wall=list(raw.get("login_wall", []) or []),
        dialogs=list(raw.get("dialogs", []) or []),
        pages=pages,
        limits=dict(raw.get("limits", {}) or {}),
        content=_content_spec(raw.get("content"), name),
        session={k: str(v) for k, v in (raw.get("session") or {}).items() if k in ("logged_in", "logged_out")},
        path=Path(path),
        third_parties=_third_parties(raw.get("third_parties"), name),
    )


def profiles_dir() -> Path:
    """The folder of platform profiles: `SMA_PROFILES`, else the project's profiles/ (read when asked)."""
    return config.PROFILES.path()


def all_profiles(directory: Path | None = None) -> dict[str, Profile]:
    return {p.stem: load_profile(p) for p in sorted(Path(directory or profiles_dir()).glob("*.yaml"))}


def resolve(url: str, name: str = "auto", directory: Path | None = None) -> tuple[Profile, bool]:
    """The profile for a crawl and whether the URL itself matched it.

    `auto` picks the first profile whose URL patterns know the URL; when none does, the generic
    profile, whose page check then decides whether the page is a social profile at all.
    """
    profiles = all_profiles(directory)
    if name != "auto":
        if name not in profiles:
            raise ProfileError(f"unknown profile {name!r} (known: {', '.join(sorted(profiles))})")
        profile = profiles[name]
        return profile, profile.classify(url) is not None
    for profile in profiles.values():
        if profile.name != "generic" and profile.classify(url) == "profile":
            return profile, True
    if "generic" not in profiles:
        raise ProfileError(f"no profile matches {url} and there is no generic profile")
    return profiles["generic"], False


def parse_count(text: str | None) -> int | None:
    """Reads counters as platforms print them: '64', '1.234', '1,2K', '3 mln', '12 berichten'."""
    if text is None:
        return None
    m = re.search(r"(\d+(?:[.,\s]\d+)*)\s*([KkMm]|mln|mld)?", str(text))
    if not m:
        return None
    number, suffix = m.group(1), (m.group(2) or "").lower()
    if suffix:
        value = float(number.replace(" ", "").replace(",", "."))
        return int(round(value * (1_000 if suffix == "k" else 1_000_000)))
    return int(re.sub(r"[.,\s]", "", number))


@dataclass
class Miss:
    """A profile selector that matched nothing when waited for: since which page, how often since."""

    selector: str
    since: str  # the page where it first matched nothing
    at: str  # when (UTC, ISO 8601)
    pages: int = 1  # pages where it matched nothing since
    probes: int = 0  # of those, pages that waited only a probe (not the full timeout)
    waited_s: float = 0.0  # seconds spent waiting for it in all

    def as_dict(self) -> dict[str, Any]:
        return {"since": self.since, "at": self.at, "pages": self.pages, "probes": self.probes,
                "waited_s": round(self.waited_s, 2)}


# DOM changes since the page's first wait (a MutationObserver's count): a page that stopped changing.
_CHANGES_JS = """() => { if (!window.__smaChanges) { const c = window.__smaChanges = {n: 0};
  new MutationObserver((ms) => { c.n += ms.length; }).observe(document,
    {subtree: true, childList: true, attributes: true, characterData: true}); }
  return window.__smaChanges.n; }"""


async def _there(page: Any, selector: str, visible: bool) -> bool:
    locator = page.locator(selector)
    return await locator.first.is_visible() if visible else bool(await locator.count())


class SelectorWaits:
    """The crawl's memory of the profile selectors it waits for (a page spec's `ready`, a `wait_for`
    action): a component built by `from_crawler`, one per crawl. A selector not known drifted is
    waited for until it is attached, the full timeout, or (given the page's network recorder) until
    the page has settled without it: no request in flight for `quiet_ms` and no DOM change for
    `still_ms`. One that matched nothing is known drifted: later pages wait for it only `probe_ms`
    (`SMA_DRIFT_PROBE_MS`), the same page not again. A known drifted selector that appears (in a
    probe, or on the page once it is read: `recheck`) is no longer drifted: the next page waits for
    it in full again. The spider reports which selector drifted on which page (`completeness.drift`,
    as before); this record is `completeness.waits`."""

    def __init__(self, probe_ms: int = 1_500, quiet_ms: int = 2_500, still_ms: int = 1_500) -> None:
        self.probe_ms = max(1, int(probe_ms))
        self.quiet_ms, self.still_ms = int(quiet_ms), int(still_ms)
        self.missed: dict[str, Miss] = {}
        self.recovered: list[dict[str, Any]] = []  # known drifted selectors that matched again
        # Per live page: each selector waited for there, 'matched' or 'missed'.
        self._on_page: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Any) -> SelectorWaits:
        settings = crawler.settings
        return cls(settings.getint("SMA_DRIFT_PROBE_MS", 1_500), settings.getint("SMA_DRIFT_QUIET_MS", 2_500),
                   settings.getint("SMA_DRIFT_STILL_MS", 1_500))

    def drifted(self, selector: str) -> bool:
        return selector in self.missed

    async def wait(self, page: Any, selector: str, timeout_ms: int, recorder: Any = None,
                   visible: bool = False) -> str | None:
        """Waits until `selector` is attached (or `visible`): None once it is, else why not. The full
        `timeout_ms` (or until the page settled, with its `recorder`) for a selector not known
        drifted, a probe for one that is."""
        seen = self._on_page.setdefault(page, {})
        known = self.missed.get(selector)
        limit = timeout_ms if known is None else min(timeout_ms, self.probe_ms)
        started = time.monotonic()
        if known is not None and seen.get(selector) == "missed":
            # Missed on this page already (a page's `ready` and its `wait_for` are often one selector).
            if not await _there(page, selector, visible):
                return f"known drifted since {known.since}: not waited for again on this page"
            reason, missed = None, False
        else:
            reason, missed = await self._until(page, selector, limit, recorder if known is None else None, visible)
        if reason is None:
            seen[selector] = "matched"
            if known is not None:
                self._recover(selector, page)
            return None
        if not missed:
            return reason  # not the selector's fault (a closed page): nothing learnt
        waited = time.monotonic() - started
        # Another page may have missed it meanwhile (pages are read concurrently): the first stays "since".
        current = self.missed.get(selector)
        if current is None:
            when = datetime.now(UTC).isoformat(timespec="seconds")
            self.missed[selector] = Miss(selector, str(page.url), when, waited_s=waited)
        else:
            current.pages += 1
            current.probes += int(limit < timeout_ms or "(meanwhile)" in reason)
            current.waited_s += waited
        seen[selector] = "missed"
        return reason

    async def _until(self, page: Any, selector: str, limit_ms: int, recorder: Any,
                     visible: bool) -> tuple[str | None, bool]:
        """(None, False) once `selector` is attached, else (why not, whether the selector is to blame)."""
        started = time.monotonic()
        deadline = started + limit_ms / 1000
        changes, changed = -1, started
        while True:
            try:
                if await _there(page, selector, visible):
                    return None, False
                count = await page.evaluate(_CHANGES_JS) if recorder is not None else 0
            except Exception as exc:  # noqa: BLE001 - a navigation in between, or a closed page
                if page.is_closed():
                    return (str(exc).splitlines()[0] if str(exc) else type(exc).__name__), False
                count = -2
            now = time.monotonic()
            if count != changes:
                changes, changed = count, now
            if now >= deadline:
                return f"Timeout {limit_ms}ms exceeded waiting for {selector!r}", True
            if (other := self.missed.get(selector)) is not None and (now - started) * 1000 >= self.probe_ms:
                # Another page (read at the same time) found it drifted meanwhile: this one waited a probe.
                return f"known drifted since {other.since} (meanwhile): probed {now - started:.1f} s", True
            if recorder is not None and (now - changed) * 1000 >= self.still_ms \
                    and await recorder.wait_idle(self.quiet_ms, 60):
                return (f"the page settled without it after {now - started:.1f} s (no request for "
                        f"{self.quiet_ms} ms, no change for {self.still_ms} ms)"), True
            await asyncio.sleep(min(0.2, max(0.0, deadline - now)))

    def _recover(self, selector: str, page: Any) -> None:
        miss = self.missed.pop(selector)
        self.recovered.append({"selector": selector, "drifted_since": miss.since, "matched_on": str(page.url)})

    async def recheck(self, page: Any) -> list[str]:
        """After a page is read: the selectors that missed on it but match now (slow, not drifted),
        forgotten as drifted so that later pages wait for them in full again."""
        back = []
        for selector, seen in list(self._on_page.get(page, {}).items()):
            if seen == "missed" and selector in self.missed:
                try:
                    found = await page.locator(selector).count()
                except Exception:  # noqa: BLE001 - a closed page
                    found = 0
                if found:
                    self._recover(selector, page)
                    back.append(selector)
        return back

    def record(self) -> dict[str, Any]:
        """For completeness.json: each selector known drifted now, and those that matched again."""
        return {"probe_ms": self.probe_ms, "drifted": {s: m.as_dict() for s, m in self.missed.items()},
                "recovered": list(self.recovered)}
