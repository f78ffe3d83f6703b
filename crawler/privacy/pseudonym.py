"""Keyed, deterministic pseudonyms: HMAC-SHA256(key, type + normalised value).

One citizen gets one pseudonym ("Burger-4F2A") whether a page shows their name, handle, @mention
or profile URL: `link()` takes what the detector learned from the page structure and maps each of a
person's spellings to one identity (the handle, or the name when the platform shows no handle).
Without the key nothing can be recomputed or reversed; with the same key every process and every
later capture derives the same pseudonyms. Four hex digits are readable but collide at 1 in 65,536
per pair: when people linked together share them, they get six (and so on), a later person never
gets a pseudonym that starts like an earlier one's, and every collision is recorded in
`collisions`, so it can never go unnoticed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

from crawler.privacy.detect import (
    PERSON_TYPES,
    ThirdParty,
    completed,
    handle_key,
    normalise_form,
    unescape_form,
    url_key,
)
from crawler.privacy.recognizers import normalise_phone

PERSON_PREFIX = "Burger-"
SHORT = 4
LABELS = {"email": "e-mail", "phone": "telefoon", "bsn": "BSN", "iban": "IBAN", "postcode": "postcode",
          "plate": "kenteken", "birthdate": "geboortedatum", "address": "adres"}
_MONTHS = {m: i for i, m in enumerate(("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                                       "september", "oktober", "november", "december"), start=1)}


def normalise(finding_type: str, value: str) -> str:
    """The type's canonical form, so '06-12345678' and '+31 6 1234 5678' are one number."""
    v = normalise_form(value) if finding_type in PERSON_TYPES else value.strip()
    if finding_type == "phone":
        return normalise_phone(v)
    if finding_type in ("bsn", "iban", "plate", "postcode"):
        return re.sub(r"[\s.\-]", "", v).upper()
    if finding_type == "email":
        return normalise_form(v).replace(" ", "")
    if finding_type == "birthdate":
        return _iso_date(v)
    if finding_type == "address":
        return re.sub(r"[\s,.\-]+", " ", v.lower()).strip()
    return v


def _iso_date(value: str) -> str:
    v = value.lower()
    if m := re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", v):
        return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    if m := re.search(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", v):
        return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    if m := re.search(r"(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})", v):
        month = next((n for name, n in _MONTHS.items() if name.startswith(m[2][:3])), 0)
        return f"{m[3]}-{month:02d}-{int(m[1]):02d}"
    return v


class Pseudonymiser:
    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes | bytearray) or len(key) < 16:
            raise ValueError("the pseudonymisation key must be at least 16 bytes")
        self._key = bytes(key)
        self._identity: dict[str, str] = {}  # "form:<name or handle>"/"url:<path>" -> person identity
        self._issued: dict[str, str] = {}  # person identity -> pseudonym
        self._owners: dict[str, str] = {}  # pseudonym -> person identity
        self._linked: set[ThirdParty] = set()
        self._seen_len, self._seen_last = 0, None
        self.collisions: list[tuple[str, str]] = []  # pairs of identities that shared 4 hex digits

    def _digest(self, domain: str, value: str) -> str:
        return hmac.new(self._key, f"{domain}\x00{value}".encode(), hashlib.sha256).hexdigest().upper()

    # --- people ------------------------------------------------------------------------------
    def link(self, people: Iterable[ThirdParty]) -> None:
        """Map each person's name, handle, profile and avatar URL to one identity. Idempotent."""
        people = list(people)
        # Called before every rewrite with the detector's whole list, which only ever grows: when
        # it has not (same length, same last person), there is nothing to do.
        if people and len(people) == self._seen_len and people[-1] is self._seen_last:
            return
        self._seen_len, self._seen_last = len(people), (people[-1] if people else None)
        new = [completed(p) for p in people if p not in self._linked]
        self._linked.update(people)
        for person in new:
            identity = self._identity_of_person(person)
            if person.name:
                self._identity.setdefault(f"form:{normalise_form(person.name)}", identity)
            if person.handle:
                self._identity[f"form:{normalise_form(handle_key(person.handle))}"] = identity
            for url in (person.profile_url, person.avatar_url):
                if url:
                    self._identity.setdefault(f"url:{url_key(url)}", identity)
        # Issue in a fixed order, so a given learned set always yields the same pseudonyms; people
        # of this set who share four hex digits with each other or an earlier one all get six.
        fresh = sorted({self._identity_of_person(p) for p in new} - set(self._issued))
        short = [self._digest("person", i)[:SHORT] for i in fresh]
        taken = {p[len(PERSON_PREFIX):][:SHORT] for p in self._owners}
        for identity, prefix in zip(fresh, short, strict=True):
            clash = short.count(prefix) > 1 or prefix in taken
            if clash:
                self.collisions.append((prefix, identity))
            self._issue(identity, SHORT + 2 if clash else SHORT)

    @staticmethod
    def _identity_of_person(person: ThirdParty) -> str:
        if person.handle:
            return f"handle:{handle_key(person.handle)}"
        if person.name:
            return f"name:{normalise_form(person.name)}"
        # Known only by a picture or profile URL (structural detection without a profile).
        return f"url:{url_key(person.profile_url or person.avatar_url or '')}"

    def identity(self, finding_type: str, value: str) -> str:
        """The person behind a name/handle/mention/URL value."""
        if finding_type in ("handle", "mention"):
            key = handle_key(value)
            return self._identity.get(f"form:{normalise_form(key)}", f"handle:{key}")
        if finding_type == "url":
            key = url_key(unescape_form(value))
            return self._identity.get(f"url:{key}", f"url:{key}")
        return self._identity.get(f"form:{normalise_form(value)}", f"name:{normalise_form(value)}")

    def _issue(self, identity: str, length: int = SHORT) -> str:
        if identity in self._issued:
            return self._issued[identity]
        digest = self._digest("person", identity)
        # Never hand out a pseudonym that equals, or is the start of, another person's.
        while any(p.startswith(PERSON_PREFIX + digest[:length]) for p in self._owners):
            self.collisions.append((digest[:length], identity))
            length += 2
        pseudonym = PERSON_PREFIX + digest[:length]
        self._issued[identity] = pseudonym
        self._owners[pseudonym] = identity
        return pseudonym

    # --- any value ---------------------------------------------------------------------------
    def pseudonym(self, finding_type: str, value: str) -> str:
        """Deterministic and keyed. People: 'Burger-4F2A' ('@Burger-4F2A' for a mention); other
        types: a typed placeholder that keeps the text readable, e.g. '[telefoon 7C1D]'."""
        if finding_type in PERSON_TYPES:
            person = self._issue(self.identity(finding_type, value))
            return f"@{person}" if finding_type == "mention" else person
        digest = self._digest(finding_type, normalise(finding_type, value))
        if finding_type == "userid":
            return self.same_shape(value)
        return f"[{LABELS.get(finding_type, finding_type)} {digest[:SHORT]}]"

    def same_shape(self, value: str) -> str:
        """A keyed stand-in for a per-person id with the same length and alphabet, so URLs and JSON
        that carry it keep their shape (the copy's links still match its records)."""
        digest = int(self._digest("userid", value), 16)
        out = []
        for i, ch in enumerate(value):
            digest, r = divmod(digest, 36) if digest else divmod(int(self._digest("userid", f"{value}{i}"), 16), 36)
            if ch.isdigit():
                out.append(str(r % 9 + 1) if i == 0 else str(r % 10))
            elif ch.isalpha():
                letter = "abcdefghijklmnopqrstuvwxyz"[r % 26]
                out.append(letter.upper() if ch.isupper() else letter)
            else:
                out.append(ch)
        return "".join(out)

    def url_token(self, value: str) -> str:
        """A stable path segment for a third-party URL that names nobody in its text."""
        return self._digest("url", url_key(value))[:8].lower()
