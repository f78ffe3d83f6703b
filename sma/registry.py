"""The account registry: one YAML file per organisation listing the accounts SMA archives.

docs/registry.md describes the file. load_registry() validates everything and reports every problem
with its file and line; the capture scenario of an account (A, B, C) is derived from its type and
comments, never read from the file. Kept light: no Scrapy, no Playwright (the CLI imports this).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from sma.registry_yaml import (
    LineDict,
    LineList,
    insert_list_item,
    load_with_lines,
    new_registry_text,
    write_text_atomic,
)
from sma.schedule import Schedule

ACCOUNT_TYPES = ("corporate", "hybrid", "personal")
REQUIRED_FIELDS = ("id", "platform", "url", "type", "comments", "process", "schedule")
OPTIONAL_FIELDS = ("session", "revisit_days", "category", "ended")
TOP_FIELDS = ("organisation", "accounts", "defaults", "processes", "hotspots")
ORGANISATION_FIELDS = ("id", "name")
DEFAULT_FIELDS = ("revisit_days",)
DEFAULT_REVISIT_DAYS = 7
ACCOUNT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
SESSION_NAME = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int  # 1-based; 0 when the problem has no line in the file (e.g. an account being added)
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class RegistryError(Exception):
    """Every problem found, one per line as FILE:LINE: message."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    # How the organisation's staff sign their replies ("^JV", "- Team Webcare"): never third parties.
    staff_signatures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Account:
    id: str
    platform: str
    url: str
    type: str  # corporate | hybrid | personal
    comments: bool
    process: str  # work process, e.g. publieksvoorlichting
    schedule: Schedule
    session: str | None
    revisit_days: int  # how long young posts are revisited for late comments
    line: int  # line of the account in the registry file
    category: str | None = None  # selection-list category code; default: its process, then its scenario
    ended: date | None = None  # when the organisation stopped using it (starts a dialogue's term)

    @property
    def scenario(self) -> str:
        """A: corporate, comments off; B: corporate with comments; C: hybrid/personal, on request only."""
        if self.type != "corporate":
            return "C"
        return "B" if self.comments else "A"

    @property
    def automatic(self) -> bool:
        """Whether scheduled runs capture it (never for hybrid and personal accounts)."""
        return self.scenario != "C"


@dataclass(frozen=True)
class Registry:
    path: Path
    organisation: Organisation
    accounts: tuple[Account, ...]
    processes: dict[str, str] = field(default_factory=dict)  # work process -> selection-list category code
    hotspots: tuple[str, ...] = ()  # "name YYYY-MM-DD..YYYY-MM-DD term ..." (records/hotspots.py)

    def account(self, account_id: str) -> Account:
        for account in self.accounts:
            if account.id == account_id:
                return account
        known = ", ".join(a.id for a in self.accounts) or "none"
        raise RegistryError([Problem(self.path, 0, f"unknown account {account_id!r} (known: {known})")])

    def scenario_counts(self) -> dict[str, int]:
        counts = {"A": 0, "B": 0, "C": 0}
        for account in self.accounts:
            counts[account.scenario] += 1
        return counts


def load_registry(path: Path, profiles_dir: Path | None = None) -> Registry:
    """Reads and validates a registry file; RegistryError lists every problem found."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError([Problem(path, 0, "no such registry file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError([Problem(path, 0, f"cannot read the registry: {exc}")]) from None
    return _parse(path, text, _platforms(profiles_dir, path))


def _platforms(profiles_dir: Path | None, path: Path) -> dict[str, Any]:
    """The platforms accounts may be on: every capture profile except the catch-all `generic`."""
    from crawler.profiles import ProfileError, all_profiles  # light: PyYAML and re only

    try:
        profiles = all_profiles(Path(profiles_dir) if profiles_dir else None)
    except ProfileError as exc:
        raise RegistryError([Problem(path, 0, f"cannot check platforms: {exc}")]) from None
    return {name: profile for name, profile in profiles.items() if name != "generic"}


def _parse(path: Path, text: str, platforms: dict[str, Any], known_lines: int | None = None) -> Registry:
    """Validates registry text. Problems past `known_lines` (an entry being added) get line 0."""
    problems: list[Problem] = []

    def report(line: int, message: str) -> None:
        if known_lines is not None and line > known_lines:
            line = 0
        problems.append(Problem(path, line, message))

    try:
        data, duplicates = load_with_lines(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "not valid YAML"
        raise RegistryError([Problem(path, mark.line + 1 if mark else 1, f"invalid YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        raise RegistryError([Problem(path, 1, f"invalid YAML: {exc}")]) from None
    for line, key in duplicates:
        report(line, f"{key!r} is given twice")
    if not isinstance(data, LineDict):
        report(1, "the registry must be a mapping with 'organisation' and 'accounts'")
        raise RegistryError(problems)
    _unknown_fields(data, TOP_FIELDS, "", report)

    organisation = _organisation(data, report)
    default_revisit = DEFAULT_REVISIT_DAYS
    defaults = data.get("defaults")
    if "defaults" in data and not isinstance(defaults, LineDict):
        report(data.line_of("defaults"), "'defaults' must be a mapping, e.g. {revisit_days: 7}")
    elif isinstance(defaults, LineDict):
        _unknown_fields(defaults, DEFAULT_FIELDS, "defaults: ", report)
        if "revisit_days" in defaults:
            value = defaults["revisit_days"]
            if _positive_int(value):
                default_revisit = value
            else:
                report(defaults.line_of("revisit_days"), _revisit_message("defaults: ", value))

    accounts: list[Account] = []
    raw_accounts = data.get("accounts")
    if "accounts" not in data:
        report(1, "missing 'accounts' (a list of accounts)")
    elif raw_accounts is not None and not isinstance(raw_accounts, LineList):
        report(data.line_of("accounts"), "'accounts' must be a list of accounts")
    else:
        first_ids: dict[str, int] = {}
        first_urls: dict[str, tuple[str, int]] = {}
        for index, raw in enumerate(raw_accounts or []):
            line = raw_accounts.lines[index]
            account = _account(raw, index, line, platforms, default_revisit, report)
            # Duplicates are checked on the raw entry, so an entry with other problems is checked too.
            raw_id, raw_url = _text(raw, "id"), _text(raw, "url")
            if raw_id and raw_id in first_ids:
                report(line, f"account {raw_id!r}: duplicate account id (first at line {first_ids[raw_id]})")
                continue
            if raw_id:
                first_ids[raw_id] = line
            if raw_url and _url_key(raw_url) in first_urls:
                other, other_line = first_urls[_url_key(raw_url)]
                label = repr(raw_id) if raw_id else f"#{index + 1}"
                report(raw.line_of("url"), f"account {label}: url {raw_url} is already account {other!r} "
                                           f"(line {other_line})")
                continue
            if raw_url:
                first_urls[_url_key(raw_url)] = (raw_id or f"#{index + 1}", line)
            if account is not None:
                accounts.append(account)
    processes, hotspots = _records_fields(data, report)
    if problems:
        raise RegistryError(sorted(problems, key=lambda p: p.line or 10**9))
    assert organisation is not None
    return Registry(path, organisation, tuple(accounts), processes, hotspots)


def _records_fields(data: LineDict, report) -> tuple[dict[str, str], tuple[str, ...]]:
    """`processes` (work process -> category code) and `hotspots` (one line each), for appraisal."""
    processes: dict[str, str] = {}
    raw = data.get("processes")
    if "processes" in data:
        if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, (str, int, float))
                                                for k, v in raw.items()):
            report(data.line_of("processes"), "'processes' must map a work process to a category code")
        else:
            processes = {k.strip(): str(v).strip() for k, v in raw.items()}
    hotspots: list[str] = []
    raw = data.get("hotspots")
    if "hotspots" in data:
        from records.hotspots import Hotspot, HotspotError  # light: re and dataclasses only

        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            report(data.line_of("hotspots"), "'hotspots' must be a list of 'name YYYY-MM-DD..YYYY-MM-DD terms'")
        else:
            for index, line in enumerate(raw):
                try:
                    Hotspot.parse(line)
                    hotspots.append(line.strip())
                except HotspotError as exc:
                    report(raw.lines[index] if isinstance(raw, LineList) else data.line_of("hotspots"), str(exc))
    return processes, tuple(hotspots)


def _organisation(data: LineDict, report) -> Organisation | None:
    raw = data.get("organisation")
    if "organisation" not in data:
        report(1, "missing 'organisation' (id and name of the archive's creator)")
        return None
    line = data.line_of("organisation")
    if not isinstance(raw, LineDict):
        report(line, "'organisation' must be a mapping with 'id' and 'name'")
        return None
    _unknown_fields(raw, (*ORGANISATION_FIELDS, "staff_signatures"), "organisation: ", report)
    signatures = raw.get("staff_signatures") or []
    if not isinstance(signatures, list) or not all(isinstance(x, str) and x.strip() for x in signatures):
        report(raw.line_of("staff_signatures"), "organisation: 'staff_signatures' must be a list of texts")
        signatures = []
    values: dict[str, Any] = {}
    for name in ORGANISATION_FIELDS:
        value = raw.get(name)
        if name not in raw:
            report(line, f"organisation: missing required field {name!r}")
        elif not isinstance(value, str) or not value.strip():
            report(raw.line_of(name), f"organisation: {name!r} must be non-empty text")
        else:
            values[name] = value.strip()
    if len(values) != len(ORGANISATION_FIELDS):
        return None
    return Organisation(**values, staff_signatures=tuple(x.strip() for x in signatures))


def _account(
    raw: Any, index: int, line: int, platforms: dict[str, Any], default_revisit: int, report
) -> Account | None:
    if not isinstance(raw, LineDict):
        report(line, f"account #{index + 1} must be a mapping with {', '.join(REQUIRED_FIELDS)}")
        return None
    raw_id = raw.get("id")
    label = f"account {raw_id!r}" if isinstance(raw_id, str) and raw_id else f"account #{index + 1}"
    ok = True

    def bad(field: str | None, message: str) -> None:
        nonlocal ok
        ok = False
        report(raw.line_of(field) if field else line, f"{label}: {message}")

    meant = _unknown_fields(raw, REQUIRED_FIELDS + OPTIONAL_FIELDS, f"{label}: ", report)
    for name in REQUIRED_FIELDS:
        if name in meant and name not in raw:
            ok = False  # the typo's own message already says "did you mean ...?"
        elif name not in raw or raw[name] is None:
            bad(None, f"missing required field {name!r}")
    for name in ("id", "platform", "url", "type", "process"):
        if raw.get(name) is not None and (not isinstance(raw[name], str) or not raw[name].strip()):
            bad(name, f"{name!r} must be non-empty text, not {raw[name]!r}")
    if not ok:
        return None  # the checks below need the basic fields

    account_id, platform, url = raw["id"].strip(), raw["platform"].strip(), raw["url"].strip()
    if not ACCOUNT_ID.fullmatch(account_id):
        bad("id", "id may only contain letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit)")
    if platform not in platforms:
        bad("platform", f"unknown platform {platform!r} (known: {', '.join(sorted(platforms))})")
    url_problem = _url_problem(url, platforms.get(platform), platforms)
    if url_problem:
        bad("url", url_problem)
    if raw["type"] not in ACCOUNT_TYPES:
        bad("type", f"type {raw['type']!r} must be one of {', '.join(ACCOUNT_TYPES)}")
    if not isinstance(raw["comments"], bool):
        bad("comments", f"comments must be true or false, not {raw['comments']!r}")
    schedule = None
    try:
        schedule = Schedule.parse(raw["schedule"])
    except ValueError as exc:
        bad("schedule", f"bad schedule: {exc}")
    session = raw.get("session")
    if session is not None and (not isinstance(session, str) or not SESSION_NAME.fullmatch(session)):
        bad("session", f"session name {session!r} may only contain letters, digits, '_' and '-'")
    revisit_days = raw.get("revisit_days", default_revisit)
    if not _positive_int(revisit_days):
        bad("revisit_days", _revisit_message("", revisit_days))
    category = raw.get("category")
    if category is not None and (not isinstance(category, (str, int, float)) or not str(category).strip()):
        bad("category", f"category must be a selection-list code, not {category!r}")
    ended = raw.get("ended")
    if ended is not None and not (isinstance(ended, date) and not isinstance(ended, datetime)):
        bad("ended", f"ended must be a date (YYYY-MM-DD), not {ended!r}")
    if not ok or schedule is None:
        return None
    return Account(
        id=account_id,
        platform=platform,
        url=url,
        type=raw["type"],
        comments=raw["comments"],
        process=raw["process"].strip(),
        schedule=schedule,
        session=session,
        revisit_days=revisit_days,
        line=line,
        category=str(category).strip() if category is not None else None,
        ended=ended,
    )


def _url_problem(url: str, profile: Any, platforms: dict[str, Any]) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"url {url!r} is not an http(s) URL"
    if profile is None or profile.classify(url) == "profile":
        return None
    if profile.classify(url) == "post":
        return f"url {url} is a {profile.name} post, not the account's profile URL"
    others = [name for name, other in sorted(platforms.items()) if other.classify(url) == "profile"]
    hint = f" (it matches platform {others[0]!r})" if others else ""
    return f"url {url} is not a {profile.name} profile URL{hint}"


def _url_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}?{parts.query}"


def _text(raw: Any, key: str) -> str | None:
    value = raw.get(key) if isinstance(raw, LineDict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _revisit_message(prefix: str, value: Any) -> str:
    return f"{prefix}revisit_days must be a positive whole number of days, not {value!r}"


def _unknown_fields(raw: LineDict, allowed: Iterable[str], prefix: str, report) -> set[str]:
    """Reports fields not in `allowed`; returns the allowed names the typos were probably meant as."""
    allowed, meant = tuple(allowed), set()
    for key in raw:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
            report(raw.line_of(key), f"{prefix}unknown field {key!r} ({hint})")
            meant.update(close)
    return meant


# ---- adding an account -------------------------------------------------------------------------------


def add_account(path: Path, account: dict[str, Any], organisation: Organisation | None = None,
                profiles_dir: Path | None = None) -> Account:
    """Appends an account to the registry as text (the user's comments and layout stay), after
    validating the whole file with it; nothing is written when there is any problem. Creates the
    file with an organisation block when it does not exist and `organisation` is given."""
    path = Path(path)
    platforms = _platforms(profiles_dir, path)
    if path.exists():
        old = path.read_text(encoding="utf-8")
    elif organisation is not None:
        old = new_registry_text(organisation.id, organisation.name)
    else:
        raise RegistryError([Problem(path, 0, "no such registry file; give the organisation to create it")])
    _parse(path, old, platforms)  # the file as it is must be valid before anything is added
    order = [f for f in REQUIRED_FIELDS + OPTIONAL_FIELDS if account.get(f) is not None]
    order += [f for f in account if f not in order and account[f] is not None]  # unknown: validation reports
    try:
        new = insert_list_item(old, "accounts", [(name, account[name]) for name in order])
    except ValueError as exc:
        raise RegistryError([Problem(path, 0, str(exc))]) from None
    known_lines = old.count("\n") + (0 if old.endswith("\n") or not old else 1)
    registry = _parse(path, new, platforms, known_lines=known_lines)
    write_text_atomic(path, new)
    return registry.account(str(account["id"]).strip())
