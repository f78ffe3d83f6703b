"""Word lists the textual recognisers use, kept as data files in `crawler/privacy/data/`.

Lists, not a trained model: no model can be downloaded here, and a list says exactly why a word
was taken for a name (the ledger's reader, a privacy officer, can check it). Each file is lower
case, one entry per line or whitespace-separated single words; `#` starts a comment. Loaded once.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
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


@cache
def first_names() -> frozenset[str]:
    return words("first_names.txt") | words("first_names_world.txt")


def ambiguous_names() -> frozenset[str]:
    return words("ambiguous_names.txt")


@cache
def surnames() -> frozenset[str]:
    return words("surnames.txt") | words("surnames_world.txt")


def common_words() -> frozenset[str]:
    """Everyday Dutch and English words (wordfreq's frequencies, `data/make_common_words.py`): after a relation
    word, a lower-case word that is none of these is taken for a name ('mijn zus debbie')."""
    return words("common_words.txt")


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
                 "werkgevers", "klantenservice", "helpt", "webcare", "groep", "group", "water", "netbeheer",
                 "energie", "storing", "storingen", "service", "support", "reizigers", "ov", "bv")
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
    if any(key.startswith(agency) and key[len(agency):] in _AGENCY_TAILS for agency in parts["agencies"]):
        return True
    return _municipal_handle(key)


# Municipalities whose name is also an everyday word: '@best', '@buren', '@hoorn' may be anyone's handle.
_WORD_TOWNS = frozenset(("best", "buren", "goes", "beek", "stein", "sluis", "putten", "hoorn", "leiden", "huizen",
                         "duiven", "bergen", "kampen", "hulst", "laren", "borne", "oss", "ede", "epe", "urk", "tiel"))


def _municipal_handle(key: str) -> bool:
    """'@almere', '@handhavingalmere', '@Almere_Handhaving', '@UtrechtNieuws', '@stadsdeelnoord': a municipality's
    own account or one of its departments'. A municipality whose name is a common word ('@best', '@buren') only
    with a department."""
    parts = public_parts()
    towns, departments = parts.get("municipalities", frozenset()), parts.get("departments", frozenset())
    if key in towns and key not in _WORD_TOWNS:
        return True
    for dept in departments:
        if key.startswith(dept) and (key[len(dept):] in towns or key[len(dept):] in _AREAS):
            return True  # '@handhavingalmere', '@stadsdeelnoord'
        if key.endswith(dept) and key[:-len(dept)] in towns and len(dept) >= 4:
            return True  # '@almerehandhaving', '@utrechtparkeren'
    return any(key.endswith(tail) and key[:-len(tail)] in towns for tail in _AGENCY_TAILS[1:])  # '@UtrechtNieuws'


@lru_cache(maxsize=8192)
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


# Words that make a handle an organisation's when it starts or ends with one (@StichtingPresent,
# @VanGoghMuseum, @bibliotheekutrecht, @radboudumc): foundations, associations, institutions.
ORGANISATION_WORDS = ("stichting", "vereniging", "museum", "bibliotheek", "bieb", "ziekenhuis", "hogeschool",
                      "universiteit", "university", "foundation", "association", "ombudsman", "rechtbank",
                      "rechtspraak", "omroep", "woningcorporatie", "wooncorporatie", "woonstichting", "zorggroep",
                      "federatie", "coöperatie", "cooperatie", "genootschap", "buurthuis", "wijkcentrum", "dorpshuis",
                      "dorpsraad", "wijkraad", "huurdersvereniging", "bewonersvereniging", "theater", "schouwburg",
                      "filmhuis", "poppodium", "dierentuin", "kinderboerderij", "vakbond", "woonbond", "umc",
                      "fonds", "ggz", "zorginstituut", "instituut", "kenniscentrum", "voedselbank", "jeugdzorg",
                      "welzijn", "academie", "college", "lyceum", "basisschool", "school", "kerk", "moskee",
                      "sportclub", "zwembad", "festival", "platform", "collectief", "netwerk", "alliantie",
                      "coalitie", "partij", "fractie", "raad", "bond", "unie", "buurtpreventie", "wijkteam",
                      "buurtteam", "repaircafe", "club", "fc", "vv", "sv", "hockeyclub", "voetbalclub")
# Only as a whole first/last segment or before a place ('@school_utrecht', '@groenlinks_fractie'), not glued to a
# citizen's words ('@lisa_bond' is a person; 'bond' needs a segment of its own *and* a place or a listed name).
_SHORT_ORG_WORDS = frozenset(("bieb", "umc", "ggz", "fonds", "kerk", "raad", "bond", "unie", "partij", "fractie",
                              "school", "college", "platform", "netwerk", "festival", "welzijn", "instituut", "club",
                              "fc", "vv", "sv", "wijkteam", "buurtteam"))


_AREAS = frozenset(("noord", "zuid", "oost", "west", "centrum", "stad", "dorp", "noordoost", "noordwest", "zuidoost",
                    "zuidwest"))


@cache
def organisations() -> frozenset[str]:
    return frozenset(re.sub(r"[\s_.-]+", "", e) for e in entries("organisations.txt"))


def _segments(handle: str) -> list[str]:
    """'StichtingPresent' -> ['stichting', 'present'], 'woonstichting_de_key' -> ['woonstichting', 'de', 'key']."""
    return [s.lower() for s in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z\u00e0-\u024f]+|\d+", handle)]


_ORG_WORD_RE = re.compile("|".join(sorted(ORGANISATION_WORDS, key=len, reverse=True)))


def _org_words_in(key: str) -> list[str]:
    """The organisation words a key starts or ends with (one regex pass instead of a loop over the list)."""
    if _ORG_WORD_RE.search(key) is None:
        return []
    return [w for w in ORGANISATION_WORDS if key.startswith(w) or key.endswith(w)]


def org_word_at_edge(word: str) -> bool:
    """Whether a word starts or ends with an organisation word of more than four letters ('Stichting...')."""
    return _ORG_WORD_RE.search(word) is not None and any(
        word.startswith(o) or word.endswith(o) for o in ORGANISATION_WORDS if len(o) > 4)


@lru_cache(maxsize=8192)
def is_organisation(value: str) -> bool:
    """Whether a handle or name is a Dutch organisation's (foundation, association, union, charity, museum,
    hospital, university, broadcaster, large company): `@StichtingPresent`, `@FNV`, `@Greenpeace_NL`. A
    citizen's handle with such a word glued to their own (`@museumfan_jan`, `@lisa_bond`) is not."""
    local = value.strip().lstrip("@").partition("@")[0]
    key = re.sub(r"[\s_.-]+", "", local.lower())
    if not key:
        return False
    orgs = organisations()
    if any(key.endswith(tail) and key[:len(key) - len(tail)] in orgs for tail in _AGENCY_TAILS):
        return True
    places = places_and_regions()
    if any(key[:k] in orgs and key[k:] in places for k in range(3, len(key) - 1)):
        return True  # '@LUMC_Leiden', '@AjaxAmsterdam'
    segments = _segments(local)
    if not segments:
        return False
    person = segments[0] in first_names()
    for word in _org_words_in(key):
        short = word in _SHORT_ORG_WORDS
        if key.startswith(word):
            rest = key[len(word):]
            if not rest or rest in places or rest in _AGENCY_TAILS or rest in _AREAS or (
                    not short and segments[0] == word):
                return True
        elif key.endswith(word) and not person:
            rest = key[:-len(word)]
            if rest in places or rest in orgs or (not short and (segments[-1] == word or len(segments) == 1)):
                return True
            if len(word) >= 8 and len(rest) >= 2 and rest not in first_names():
                return True  # '@KNVvereniging', '@ABCstichting': an acronym or name before a long organisation word
    return False


@cache
def places_and_regions() -> frozenset[str]:
    parts = public_parts()
    return frozenset(re.sub(r"[\s'-]+", "", p) for p in places()) | parts.get("regions", frozenset()) | parts.get(
        "provinces", frozenset())


def is_place(phrase: str) -> bool:
    """A Dutch place or region, also of several words ('Den Bosch', 'Alphen aan den Rijn', 'Bergen op Zoom')."""
    key = re.sub(r"[\s'_-]+", "", phrase.lower())
    return key in places_and_regions() or key in public_parts().get("municipalities", frozenset())
