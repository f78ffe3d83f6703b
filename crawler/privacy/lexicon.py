"""Word lists the textual recognisers use, kept as data files in `crawler/privacy/data/`.

Lists, not a trained model: no model can be downloaded here, and a list says exactly why a word
was taken for a name (the ledger's reader, a privacy officer, can check it). Each file is lower
case, one entry per line or whitespace-separated single words; `#` starts a comment. Loaded once.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
# Handles such as @gemeenteutrecht, @Provincie_Utrecht, @politie_zwolle are public bodies as well.
PUBLIC_PREFIXES = ("gemeente", "provincie", "ministerie", "politie", "waterschap", "ggd", "veiligheidsregio",
                   "brandweer", "rijks", "omgevingsdienst", "hoogheemraadschap", "rtv", "omroep", "wetterskip",
                   "wijkagent", "veiligheidshuis")


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line.split("#", 1)[0].strip().lower() for line in text.splitlines() if line.split("#", 1)[0].strip()]


@cache
def words(name: str) -> frozenset[str]:
    """A file of whitespace-separated single words."""
    return frozenset(w for line in _lines(name) for w in line.split())


@cache
def entries(name: str) -> frozenset[str]:
    """A file of one (possibly multi-word) entry per line."""
    return frozenset(re.sub(r"\s+", " ", line) for line in _lines(name))


def first_names() -> frozenset[str]:
    return words("first_names.txt")


def ambiguous_names() -> frozenset[str]:
    return words("ambiguous_names.txt")


def surnames() -> frozenset[str]:
    return words("surnames.txt")


def places() -> frozenset[str]:
    return words("places.txt")


def officials() -> frozenset[str]:
    return entries("officials.txt")


def public_bodies() -> frozenset[str]:
    return entries("public_bodies.txt")


@cache
def public_parts() -> dict[str, frozenset[str]]:
    """`public_regions.txt` by section: regions, provinces, water boards, countries, agencies."""
    sections: dict[str, set[str]] = {}
    current = ""
    for line in _lines("public_regions.txt"):
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            continue
        sections.setdefault(current, set()).add(re.sub(r"[\s_-]+", "", line))
    return {name: frozenset(items) for name, items in sections.items()}


# Government servers on the fediverse (social.overheid.nl) and elsewhere: an account there is a body's.
_PUBLIC_DOMAIN = re.compile(r"(?:^|\.)(?:overheid\.nl|rijksoverheid\.nl|gov(?:\.\w\w)?|europa\.eu)$")
# What an agency's handle adds to its name: @RIVMnl, @IND_NL, @RWSverkeersinfo, @UWVnieuws.
_AGENCY_TAILS = ("", "nl", "nederland", "nieuws", "info", "verkeersinfo", "zakelijk", "online", "pers", "actueel",
                 "werkgevers", "klantenservice", "helpt", "webcare")
# Embassies, consulates and permanent missions: @NLinUK, @NLintheUSA, @NLatUN, @dutchembassyusa, @NLAmbassadeBE.
_MISSION = re.compile(r"^(?:nl(?:in|at|to)|(?:nl|dutch|netherlands)(?:embassy|ambassade|consulate|consulaat|"
                      r"mission|permrep)(?:in|to|at)?|ambassade(?:nl|vannederland)|nlpermrep)(?P<where>\w*)$")


def _public_handle(key: str) -> bool:
    parts = public_parts()
    if (m := _MISSION.match(key)) and (m["where"] in parts["countries"] or m["where"] == ""
                                       or m["where"].startswith(("the", "nl"))):
        return True
    if key.startswith("vr") and key[2:] in parts["regions"]:
        return True  # @VRUtrecht, @VRR, @VRRotterdamRijnmond: one of the 25 safety regions
    if key.startswith(("prov", "provincie")) and re.sub(r"^prov(?:incie)?", "", key) in parts["provinces"]:
        return True
    if key in parts["water boards"] or (key.startswith(("hh", "ws")) and key[2:] in parts["water boards"]):
        return True
    return any(key.startswith(agency) and key[len(agency):] in _AGENCY_TAILS for agency in parts["agencies"])


def is_public_body(value: str) -> bool:
    """Whether a handle or name is a Dutch government body's (`@Belastingdienst`, `@gemeenteUtrecht`,
    `@VRRotterdamRijnmond`, `@NLinUK`, `@rijksoverheid@social.overheid.nl`)."""
    local, _, domain = value.strip().lstrip("@").lower().partition("@")
    if domain and _PUBLIC_DOMAIN.search(domain):
        return True
    key = re.sub(r"\s+", " ", local)
    if key in public_bodies() or key.replace("_", "") in public_bodies():
        return True
    if key.startswith(PUBLIC_PREFIXES):
        return True
    return _public_handle(re.sub(r"[\s_.-]+", "", key))
