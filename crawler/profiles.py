"""Platform capture profiles: platform knowledge as data (profiles/*.yaml), read here.

See profiles/README.md for the schema. Nothing in Python names a platform: a new platform is a
new YAML file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
