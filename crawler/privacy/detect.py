"""Third parties' personal data in captured text: what the page structure says (learn) and what
the text says (recognisers), found wherever it occurs (find).

The organisation's own identities and its staff signatures are never findings. No Scrapy or
Playwright here: replay imports this module too.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from crawler.privacy import forms, lexicon
from crawler.privacy.recognizers_presidio import TextAnalyzer

FINDING_TYPES = ("name", "handle", "email", "phone", "bsn", "iban", "postcode", "address", "plate", "birthdate",
                 "mention", "url", "userid")
PERSON_TYPES = ("name", "handle", "mention", "url")
# When spans overlap, the more specific finding wins (a learned handle inside an e-mail address
# loses to the address; a mention of a known commenter is still one person).
_PRIORITY = {"url": 0, "email": 1, "iban": 2, "bsn": 3, "phone": 4, "address": 5, "postcode": 5, "plate": 6,
             "birthdate": 7, "mention": 8, "handle": 9, "name": 10, "userid": 11}
_SEGMENT = re.compile(r"[A-Za-z0-9_.~-]+")
_URL_HOST = r"(?:https?:(?:\\?/){2}[^\s\"'<>\\/]+)?"
_AT_BEFORE = re.compile(r"(?:@|%40|\\u0040|&#64;|&#x40;)$")


@dataclass(frozen=True)
class ThirdParty:
    """One commenter as the page shows them (structural)."""

    name: str | None
    handle: str | None
    profile_url: str | None
    avatar_url: str | None


@dataclass(frozen=True)
class Finding:
    type: str  # one of FINDING_TYPES
    value: str  # exactly as it occurs in the scanned text
    start: int
    end: int
    source: str  # "structural" | "text" | "propagated"


def unescape_form(text: str) -> str:
    """Undo the spellings forms.py matches: HTML entities, JSON escapes, URL encoding."""
    text = html.unescape(text)
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text).replace("\\/", "/")
    return unquote(text)


def normalise_form(text: str) -> str:
    """unescape_form, then case and spacing ('Pieter+Jansen', 'pieter_jansen' -> 'pieter jansen')."""
    return re.sub(r"[\s_+\-]+", " ", unescape_form(text).lower()).strip()


def handle_key(handle: str) -> str:
    """'@Jan_12@social.example' -> 'jan_12': a handle without '@' and instance, lower-case."""
    return unescape_form(handle).strip().lstrip("@").split("@")[0].lower()


def url_key(url: str) -> str:
    """A profile or avatar URL without scheme and host (pages link them relative as often as not)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def completed(person: ThirdParty) -> ThirdParty:
    """A commenter as far as the page tells: a handle shown only in the profile link's last path
    segment ('/facebook/jan_12', '/@jan_12') is their handle too; a "name" that is the handle
    again (a platform showing '@jan_12' where others show the name) is no name."""
    handle, name = person.handle, person.name
    if not handle and person.profile_url:
        segment = urlsplit(person.profile_url).path.rstrip("/").rsplit("/", 1)[-1]
        if re.fullmatch(r"@?[A-Za-z0-9_][A-Za-z0-9_.-]{1,60}", segment) and "." not in segment.strip("."):
            handle = segment
    if name and handle and normalise_form(handle_key(name)) == normalise_form(handle_key(handle)) and (
            name.strip().startswith("@") or " " not in name.strip()):
        name = None
    if (handle, name) == (person.handle, person.name):
        return person
    return ThirdParty(name=name, handle=handle, profile_url=person.profile_url, avatar_url=person.avatar_url)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps any of the spans sorted by start (few: own names, signatures)."""
    return any(start < e for _s, e in spans[:bisect.bisect_left(spans, (end, end))])


_CACHED_CHARS = 1_000  # texts up to this size have their findings kept (a crawl's JSON strings, headers)
_CACHED_TEXTS = 50_000  # at most ~50 MB; then the kept findings start again


class PiiDetector:
    def __init__(self, own_identities: Iterable[str] = (), staff_signatures: Iterable[str] = (),
                 analyzer: TextAnalyzer | None = None) -> None:
        # The textual recognisers; share one analyser between detectors (its engine costs ~1 s to build).
        self.analyzer = analyzer if analyzer is not None else TextAnalyzer()
        self.own_identities = [o for o in own_identities if o and o.strip()]
        self.staff_signatures = [s for s in staff_signatures if s and s.strip()]
        self._own_keys = {normalise_form(o) for o in self.own_identities} | {
            normalise_form(handle_key(o)) for o in self.own_identities}
        self._own_re = forms.compile_values(self.own_identities + [handle_key(o) for o in self.own_identities])
        self.own_avatars: set[str] = set()  # image URLs of the own account, read from the pages
        self._staff_re = (re.compile("|".join(re.escape(s.strip()) for s in self.staff_signatures))
                          if self.staff_signatures else None)
        self.presidio = True  # False: the same recognisers without Presidio's engine (identical matches)
        # Findings of long values (over find's own cache bound) by what was learned and the value: rewrite.py.
        self.long_values: dict[tuple[int, str], list[Finding]] = {}
        self._people: list[ThirdParty] = []
        self._learned: dict[str, str] = {}  # normalised form -> finding type ("name", "handle")
        self._urls: dict[str, str] = {}  # url_key -> url
        self._ids: set[str] = set()  # per-person ids (API account ids, numeric user ids)
        self._id_re: re.Pattern[str] | None = None
        self._value_re: re.Pattern[str] | None = None
        self._url_re: re.Pattern[str] | None = None
        self._url_by_segment: dict[str, list[str]] = {}
        self._url_patterns: dict[str, re.Pattern[str]] = {}
        self._dirty = False
        # find() of a text is a function of the text and what was learned: the same strings recur in
        # every record of a crawl (account objects in each status, headers, UI texts), so their
        # findings are kept until the next value is learned.
        self._found: dict[tuple[str, bool], list[Finding]] = {}

    # --- what the page structure says --------------------------------------------------------
    def is_own(self, value: str) -> bool:
        return normalise_form(value) in self._own_keys or normalise_form(handle_key(value)) in self._own_keys

    def learn(self, people: Iterable[ThirdParty]) -> None:
        """Structural facts about commenters; every later find() finds them anywhere."""
        for given in people:
            person = completed(given)
            if any(v and self.is_own(v) for v in (person.name, person.handle)):
                if person.avatar_url:  # its avatar is the organisation's too: no box, no ledger entry
                    self.own_avatars.add(person.avatar_url)
                continue  # the organisation answering under its own post is not a third party
            if given in self._people:
                continue
            self._people.append(given)  # as the page gave it; callers recognise their own objects
            if person.name and len(person.name.strip()) >= 3:
                self._learned.setdefault(normalise_form(person.name), "name")
            if person.handle and len(handle_key(person.handle)) >= 2:
                self._learned[normalise_form(handle_key(person.handle))] = "handle"
            for url in (person.profile_url, person.avatar_url):
                # A URL that spells the person's name or handle is found through that (and keeps
                # its shape: '/@jan_12' -> '/@Burger-4F2A'); others are found whole.
                if url and url_key(url) not in ("/", "") and not self._spells_person(url, person):
                    self._urls[url_key(url)] = url
            self._dirty = True

    @staticmethod
    def _spells_person(url: str, person: ThirdParty) -> bool:
        path = normalise_form(url_key(url))
        values = [normalise_form(handle_key(person.handle)) if person.handle else "", normalise_form(person.name or "")]
        return any(v and re.search(r"(?<![a-z0-9])" + re.escape(v) + r"(?![a-z0-9])", path) for v in values)

    def learn_ids(self, ids: Iterable[str]) -> None:
        """Per-person identifiers (a commenter's API id): found as whole tokens everywhere after."""
        new = {i for i in ids if i and len(i) >= 6} - self._ids
        if new:
            self._ids |= new
            self._dirty = True

    def ids(self) -> set[str]:
        return set(self._ids)

    def people(self) -> list[ThirdParty]:
        return list(self._people)

    def knows(self, value: str) -> bool:
        """Whether a name, handle or URL was learned from page structure (not found by a recogniser):
        what the structural benchmark counts."""
        if normalise_form(value) in self._learned or normalise_form(handle_key(value)) in self._learned:
            return True
        if "/" not in value:
            return False
        key = url_key(value)
        return key in self._urls or any(self._spells_person(value, completed(p)) for p in self._people)

    def _compile(self) -> None:
        if not self._dirty:
            return
        self._found.clear()
        values = []
        for person in map(completed, self._people):
            if person.name and normalise_form(person.name) in self._learned:
                values.append(person.name.strip())
            if person.handle and normalise_form(handle_key(person.handle)) in self._learned:
                values.append(handle_key(person.handle))
        self._value_re = forms.compile_values(values)
        self._id_re = (re.compile(r"(?<![A-Za-z0-9_-])(?:" + "|".join(
            re.escape(i) for i in sorted(self._ids, key=len, reverse=True)) + r")(?![A-Za-z0-9_-])")
            if self._ids else None)
        # Most learned URLs end in a distinctive segment (an avatar's file name, a handle): they are
        # found from that token (one pass, a dict lookup), and only then matched in full. One regex
        # alternation of hundreds of URLs, tried at every "/", costs seconds per 100 KB.
        self._url_by_segment = {}
        slow = []
        for key in sorted(self._urls, key=len, reverse=True):
            segment = key.rstrip("/").rsplit("/", 1)[-1].lstrip("@").lower()
            if "?" not in key and len(segment) >= 4 and _SEGMENT.fullmatch(segment) and segment[-1] != ".":
                self._url_by_segment.setdefault(segment, []).append(key)
            else:
                slow.append(key)
        self._url_re = (re.compile("|".join(_URL_HOST + forms.value_regex(k) + r"(?![\w/-])" for k in slow),
                                   re.IGNORECASE) if slow else None)
        self._dirty = False

    def _url_pattern(self, key: str) -> re.Pattern[str]:
        if key not in self._url_patterns:
            self._url_patterns[key] = re.compile(_URL_HOST + forms.value_regex(key) + r"(?![\w/-])", re.IGNORECASE)
        return self._url_patterns[key]

    def _url_findings(self, text: str) -> list[Finding]:
        found = [Finding("url", m.group(0), m.start(), m.end(), "propagated")
                 for m in self._url_re.finditer(text)] if self._url_re else []
        if not self._url_by_segment:
            return found
        tokens = self._segment_tokens(text)
        if tokens is None:
            return found
        for token in tokens.finditer(text):
            end = token.start() + len(token.group(0).rstrip("."))
            for key in self._segment_token_key(token.group(0)) or ():
                window = max(0, token.start() - 6 * len(key) - 200)
                hit = next((m for m in self._url_pattern(key).finditer(text, window, min(len(text), end + 1))
                            if m.end() == end), None)
                if hit:
                    found.append(Finding("url", hit.group(0), hit.start(), hit.end(), "propagated"))
                    break
        return found

    def _segment_token_key(self, token: str) -> list[str] | None:
        word = token.rstrip(".").lower()
        keys = self._url_by_segment.get(word)
        if keys is None and word[:2] in ("2f", "40"):  # after %2F or %40
            keys = self._url_by_segment.get(word[2:])
        return keys

    def _segment_tokens(self, text: str) -> re.Pattern[str] | None:
        """A pattern of exactly the text's tokens that end a learned URL, or None if none does.

        Walking every token of a 100 KB page in Python costs milliseconds; the distinct tokens
        (findall in C, a set) are few, and most texts hold none of the learned segments. The pattern
        matches a token only as a whole _SEGMENT run, so it yields the tokens finditer would, in order."""
        hits = [t for t in set(_SEGMENT.findall(text)) if self._segment_token_key(t) is not None]
        if not hits:
            return None
        return re.compile(r"(?<![A-Za-z0-9_.~-])(?:" + "|".join(
            re.escape(t) for t in sorted(hits, key=len, reverse=True)) + r")(?![A-Za-z0-9_.~-])")

    # --- finding -----------------------------------------------------------------------------
    def find(self, text: str) -> list[Finding]:
        """Textual recognisers plus every learned name/handle/URL; non-overlapping, sorted."""
        self._compile()
        key = (text, self.presidio)
        cached = self._found.get(key)
        if cached is not None:
            return list(cached)
        findings = self._find(text)
        if len(text) <= _CACHED_CHARS:
            if len(self._found) >= _CACHED_TEXTS:
                self._found.clear()
            self._found[key] = findings
        return list(findings)

    def _find(self, text: str) -> list[Finding]:
        self._compile()
        candidates: list[tuple[Finding, float]] = []
        candidates += [(f, 1.0) for f in self._url_findings(text)]
        if self._value_re:
            for m in self._value_re.finditer(text):
                kind = self._learned.get(normalise_form(m.group(0)), "name")
                if kind == "handle" and re.search(r"\s|\+|%20|&nbsp;|&#160;|\\u00a0", m.group(0)):
                    kind = "name"  # a handle that spells the name, but this is the name as written
                start = m.start()
                # "@handle" of a known commenter: the "@" belongs to the finding (it is a mention).
                at = _AT_BEFORE.search(text, max(0, start - 6), start)
                if at and kind == "handle":
                    start -= len(at.group(0))
                    kind = "mention"
                candidates.append((Finding(kind, text[start:m.end()], start, m.end(), "propagated"), 1.0))
        if self._id_re:
            candidates += [(Finding("userid", m.group(0), m.start(), m.end(), "structural"), 1.0)
                           for m in self._id_re.finditer(text)]
        for match in self.analyzer.analyze(text, self.presidio):
            candidates.append((Finding(match.type, text[match.start:match.end], match.start, match.end, "text"),
                               match.score))
        return self._resolve(text, candidates)

    def _resolve(self, text: str, candidates: list[tuple[Finding, float]]) -> list[Finding]:
        excluded = sorted(self._excluded_spans(text))
        # Longest span first, then the more specific type: overlapping shorter findings are dropped.
        candidates.sort(key=lambda c: (-(c[0].end - c[0].start), _PRIORITY.get(c[0].type, 99), -c[1]))
        starts: list[int] = []  # taken spans, sorted by start (they never overlap each other)
        ends: list[int] = []
        taken: list[Finding] = []
        for finding, _score in candidates:
            if _overlaps(excluded, finding.start, finding.end):
                continue
            if finding.type in ("name", "mention", "handle") and (
                    self.is_own(finding.value) or (finding.source == "text" and lexicon.is_public_body(finding.value))):
                continue
            i = bisect.bisect_right(starts, finding.start)
            if (i > 0 and ends[i - 1] > finding.start) or (i < len(starts) and starts[i] < finding.end):
                continue
            starts.insert(i, finding.start)
            ends.insert(i, finding.end)
            taken.append(finding)
        return sorted(taken, key=lambda f: f.start)

    def _excluded_spans(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for pattern in (self._own_re, self._staff_re):
            if pattern:
                spans += [m.span() for m in pattern.finditer(text)]
        return spans
