"""Recognisers for the forms citizens really write, beyond one fixed layout per type.

- licence plates in every sidecode, any case, with hyphens, spaces or none ("12bdf3" needs a
  context word: lower-case letter/digit runs are common in identifiers);
- dates of birth: after a birth word with or without dot or colon ("geb 3-4-85", "geboortedatum:"),
  "ik ben van 12 maart 1984", "* 12-03-1984", and a bare date of an old year right after a name
  ("Jan de Vries, 12-03-1984"); event dates ("vanaf 12 maart 2025", "op 12-03-1984 is de wet ...")
  are not birth dates;
- e-mail addresses written to dodge harvesters: "jan [at] gmail [punt] com", "jan(at)ziggo.nl";
- addresses: recognizers_address.py (re-exported here: `addresses`, `_venue`).
"""

from __future__ import annotations

import re

from crawler.privacy.recognizers import _MONTH_RE, SIDECODES, Match, folded, has_context
from crawler.privacy.recognizers_address import (  # noqa: F401  (re-exported: callers import them here)
    NOT_STREETS,
    STREET_PREFIXES,
    STREET_SUFFIXES,
    _venue,
    addresses,
)

_PLATE_LETTER = "[BCDFGHJKLMNPQRSTVWXZbcdfghjklmnpqrstvwxz]"
PLATE_CONTEXT = ("kenteken", "nummerbord", "auto", "kentekenplaat", "wagen", "busje", "scooter", "motor", "camper",
                 "geflitst", "boete", "parkeer", "parkeren", "geparkeerd", "bekeuring", "rdw", "apk", "gestolen",
                 "rijdt", "reed", "voertuig", "aanhanger", "caravan", "taxi", "bus", "bestelbus", "brommer", "plaat",
                 "kentekens", "flitser", "parkeerboete", "vergunning", "bumper")
# Vehicles named by make, model or kind just before or after a lower-case plate ("zwarte BMW weer, kx409d",
# "rode polo jrd93t rijdt"): a plate written without hyphens or capitals is kept only with such a word.
VEHICLE_WORDS = ("bmw", "audi", "mercedes", "volkswagen", "vw", "polo", "golf", "opel", "corsa", "astra", "ford",
                 "fiesta", "focus", "toyota", "yaris", "aygo", "peugeot", "renault", "clio", "citroen", "citroën",
                 "fiat", "kia", "hyundai", "volvo", "skoda", "seat", "tesla", "mazda", "nissan", "suzuki", "honda",
                 "mini", "porsche", "dacia", "jeep", "landrover", "suv", "bestelwagen", "vrachtwagen", "truck",
                 "quad", "motorfiets", "pick-up", "pickup")
# After the plate: the verb or the car ("jrd93t rijdt elke nacht", "kx409d met 100 door het dorp").
_AFTER_PLATE = re.compile(r"\W{0,3}(?:\w+\s+){0,2}?(?:rijdt|reed|rijden|scheurt|scheurde|racet|"
                          r"geparkeerd|parkeert|met \d{2,3}(?:\s?km(?:/u)?)?\s+(?:door|over|langs|op)\b|"
                          r"met (?:hoge|grote) snelheid|door rood|km/u)",
                          re.IGNORECASE)
BIRTH_WORDS = (r"(?:geboren|geb\.?|geboortedatum|geboortedag|geb\.?\s?datum|gebdatum|verjaardag|jarig|d\.?o\.?b\.?|"
               r"geboorte|ik\s+ben\s+van|is\s+van|zijn\s+van|\*|°|born|date\s+of\s+birth|birth\s?date|birthday|"
               r"(?:vrouw|man|moeder|vader|zoon|dochter|partner|broer|zus)\s+(?:is\s+)?van)")
# English forms: '3 March 1979', '3rd of March 1979', 'March 3, 1979', 'September 21st, 1990'.
_EN_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
             r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)")
_ORD = r"(?:st|nd|rd|th)"
_DATE = (r"(?:[0-3]?\d[ \t]?[-/.][ \t]?[01]?\d[ \t]?[-/.][ \t]?(?:19|20)\d\d"
         r"|[0-3]?\d(?:\s*|-)(?:" + _MONTH_RE + r")\.?(?:\s*|-)(?:19|20)\d\d"
         r"|(?:19|20)\d\d-[01]\d-[0-3]\d)")
_DATE_EN = (r"(?:[0-3]?\d" + _ORD + r"?(?:\s+of)?\s+" + _EN_MONTH + r"\.?,?\s+(?:19|20)\d\d"
            r"|" + _EN_MONTH + r"\.?\s+[0-3]?\d" + _ORD + r"?,?\s+(?:19|20)\d\d)")
# English forms are looked for only in texts with an English birth word (they cost a pass over every letter).
_EN_HINT = re.compile(r"[Bb]orn|BORN|[Bb]irth|BIRTH|DOB|[Dd]ob\b|[Dd]\.[Oo]\.[Bb]")  # case-sensitive: a fast scan
_DATE_SHORT = r"(?:[0-3]?\d[-/.][01]?\d[-/.](?:'?\d\d)|[0-3]?\d\s+(?:" + _MONTH_RE + r")\.?\s+'\d\d)"
_BIRTH_BEFORE = re.compile(BIRTH_WORDS + r"[\s:.,]{0,4}(?:op|is|in|:|van|de|on|was)?[\s:]{0,3}$", re.IGNORECASE)
# A death date ('† 12-01-2020', 'overleden 12-01-2020', 'gest. 3-4-2001', 'died on March 3, 2019') is no birth
# date, even when a birth word stands earlier in the sentence.
_DEATH = re.compile(r"†|✝|\boverl\w*|\bgestorven\b|\bgest\b\.?|\bsterfdatum\b|\bdied\b|\bpassed away\b|"
                    r"\bdeath\b|\bdeceased\b|\bbegraven\b|\bcremated\b|\bgecremeerd\b", re.IGNORECASE)
_BIRTH_MARK = re.compile(BIRTH_WORDS, re.IGNORECASE)
_ANY_DATE_RE = re.compile(r"(?<![\w/-])(?<!\d\.)(?P<value>" + _DATE + "|" + _DATE_SHORT + r")(?![\d])", re.IGNORECASE)
_BARE_DATE_RE = re.compile(r"(?<![\w/.-])(?P<value>" + _DATE + r")(?![\d])", re.IGNORECASE)
_EN_DATE_RE = re.compile(r"(?<![\w/.-])(?P<value>" + _DATE_EN + r")(?![\d])", re.IGNORECASE)
# A name-like word, then a comma or parenthesis, then the date: "Jan de Vries, 12-03-1984".
_AFTER_NAME = re.compile(r"[A-Za-zÀ-ÿ]{2,}\s*(?:[,(]|\s-)\s*(?:geb\.?\s*|\*\s*)?$")
_EVENT_WORDS = ("op", "vanaf", "sinds", "per", "tot", "datum", "d.d.", "dd", "brief", "besluit", "vonnis",
                "uitspraak", "voor", "na", "tussen", "vóór", "van", "t/m", "deadline", "betaald", "ontvangen")
_TLD = r"(?:nl|com|net|org|eu|be|de|info|biz|io|me|uk|co\.uk|fr|live|online|email|mail|nu|tv|pl|es|it|ma|tr)"
_AT_FORM = (r"(?:\s?[\[\(\{<]\s?(?:at|a|apenstaartje|apestaartje|@)\s?[\]\)\}>]\s?|\s+(?:at|apenstaartje)\s+|\s@\s|"
            r"@\s|\s@)")
_DOT_FORM = r"(?:\s\.\s?|\.|\s?[\[\(\{<]\s?(?:dot|punt|\.)\s?[\]\)\}>]\s?|\s+(?:dot|punt)\s+)"
# A dot in the local part written out: 'jan punt de vries at ...', 'wendy [punt] kok (at) ...'; after the word,
# only tussenvoegsels may stand before the next part (so no sentence is swallowed).
_LOCAL_DOT = (r"(?:(?:\s?[\[\(\{<]\s?(?:dot|punt)\s?[\]\)\}>]\s?|\s+(?:dot|punt)\s+)"
              r"(?:(?:de|van|der|den|te|ten|ter|het|la|le|el|al|op|in|'t)\s+){0,3}[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}){0,3}")
_OBFUSCATED_EMAIL = re.compile(r"(?<![\w.+%-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}" + _LOCAL_DOT + _AT_FORM
                               + r"[A-Za-z0-9-]+(?:" + _DOT_FORM + r"[A-Za-z0-9-]+)*" + _DOT_FORM + _TLD + r"(?![\w-])",
                               re.IGNORECASE)
def _plate_regex() -> re.Pattern[str]:
    parts = []
    for code in SIDECODES:
        groups = ["(?:" + (r"\d" if g[0] == "9" else _PLATE_LETTER) + "{" + str(len(g)) + "})" for g in code.split("-")]
        parts.append(r"(?:[-\s]?)".join(groups))
    return re.compile(r"(?<![\w#-])(?:" + "|".join(parts) + r")(?![\w-])")


_PLATE_RE = _plate_regex()


def plates(text: str) -> list[Match]:
    found = []
    for m in _PLATE_RE.finditer(text):
        value = m.group(0)
        groups = re.findall(r"\d+|[A-Za-z]+", value)
        # The sidecode's groups, as written or (no separators) as the letter/digit runs show them.
        if len(groups) != 3 or not any(g.isalpha() for g in groups) or not any(g.isdigit() for g in groups):
            continue
        hyphens, spaces = value.count("-"), len(re.findall(r"\s", value))
        context = has_context(text, m.start(), PLATE_CONTEXT, 50)
        if not context and not value.isupper():
            context = (has_context(text, m.start(), VEHICLE_WORDS, 30)
                       or _AFTER_PLATE.match(text, m.end(), m.end() + 40) is not None)
        if hyphens == 2:
            score = 0.6
        elif spaces or hyphens:
            score = 0.45 if value.isupper() or not any(c.isalpha() for c in value) else 0.2
        else:
            score = 0.55 if value.upper() == value else 0.3
        score += 0.35 if context else 0.0
        if score >= 0.5:
            found.append(Match("plate", m.start(), m.end(), min(score, 1.0)))
    return found


def _year(value: str) -> int:
    years = re.findall(r"(?:19|20)\d\d", value)
    if years:
        return int(years[-1])
    two = re.findall(r"'?(\d\d)$", value.strip())
    return (1900 + int(two[0]) if int(two[0]) > 25 else 2000 + int(two[0])) if two else 0


_BIRTH_NEAR = re.compile(r"geboorte\w*|geboren|\bgeb\b|\bborn\b|date of birth|°|\bDOB\b", re.IGNORECASE)
_SAME_BLOCK = re.compile(r"[\n\r<>]")
_BORN_AFTER = re.compile(r"^\W{0,3}(?:\w+\s+){0,2}(?:geboren|born)\b", re.IGNORECASE)


# A birth year alone: 'ze is van 1938', 'ik ben van 1952', 'born 2009', 'geboren in 1961', 'bouwjaar' never.
_BIRTH_YEAR = re.compile(r"(?:\b(?:ik ben|ze is|zij is|hij is|die is) (?:van|uit)|\bborn(?: in)?|\bgeboren(?: in)?|"
                         r"\bgeb\.?(?: in)?|\bgeboortejaar:?)[ \t\xa0]+(?P<value>(?:19|20)\d\d)(?![\d-])",
                         re.IGNORECASE)


# A date in parentheses after a relative: 'mijn zoon (03-09-2017)', 'Mijn moeder (14-02-1939, woont ...)'.
_RELATIVE_PAREN = re.compile(r"\b(?:zoon|zoontje|dochter|dochtertje|moeder|vader|opa|oma|kind|kindje|kleinzoon|"
                             r"kleindochter|broer|zus|man|vrouw|son|daughter|mother|father)\b[^()\n]{0,30}\([ \t]*$",
                             re.IGNORECASE)


def _death_date(text: str, start: int) -> bool:
    """A death word nearer before the date than any birth word (in the same line)."""
    window = _SAME_BLOCK.split(text[max(0, start - 60):start])[-1]
    deaths = [m.start() for m in _DEATH.finditer(window)]
    if not deaths:
        return False
    births = [m.start() for m in _BIRTH_MARK.finditer(window)]
    return not births or births[-1] < deaths[-1]


# Substrings one of which every match holds (in folded text): the pattern is skipped without them (speed).
_BIRTH_YEAR_HINT = ("ik ben", "ze is", "zij is", "hij is", "die is", "born", "geb")
_BIRTH_NEAR_HINT = ("geb", "born", "birth", "°", "dob")


def birthdates(text: str) -> list[Match]:
    fold = folded(text)
    found = [Match("birthdate", m.start("value"), m.end("value"), 0.7) for m in _BIRTH_YEAR.finditer(text)
             if 1900 <= int(m.group("value")) <= 2026] if any(h in fold for h in _BIRTH_YEAR_HINT) else []
    found += _birthdates(text, _ANY_DATE_RE, _BARE_DATE_RE, any(h in fold for h in _BIRTH_NEAR_HINT))
    if _EN_HINT.search(text):
        found += _birthdates(text, _EN_DATE_RE, _EN_DATE_RE, True)
    return [m for m in found if not _death_date(text, m.start)]


def _birthdates(text: str, any_date: re.Pattern[str], bare_date: re.Pattern[str], birth_near: bool) -> list[Match]:
    """birth_near: False when the text holds no word _BIRTH_NEAR or _BORN_AFTER could match."""
    found: list[Match] = []
    bare = list(bare_date.finditer(text))
    found += [Match("birthdate", m.start("value"), m.end("value"), 0.7) for m in bare
              if text.rfind("(", max(0, m.start() - 50), m.start()) >= 0
              and _RELATIVE_PAREN.search(text, max(0, m.start() - 50), m.start())
              and 1900 <= _year(m.group("value")) <= 2026]
    taken = {m.start for m in found}
    for m in any_date.finditer(text):  # dates first, then what stands before them (fast on big bodies)
        if _BIRTH_BEFORE.search(text, max(0, m.start() - 40), m.start()) and 1900 <= _year(m.group("value")) <= 2026:
            found.append(Match("birthdate", m.start("value"), m.end("value"), 0.85))
            taken.add(m.start("value"))
    for m in bare:
        if m.start("value") in taken:
            continue
        year = _year(m.group("value"))
        # The birth word in the same line and element: a page's next comment header ("Fleur · 14 jan 2025")
        # is not the birth date of the comment above it that said "geboren".
        near = birth_near and (_BIRTH_NEAR.search(_SAME_BLOCK.split(text[max(0, m.start() - 100):m.start()])[-1])
                or _BORN_AFTER.match(_SAME_BLOCK.split(text[m.end():m.end() + 30])[0]))
        if near and 1900 <= year <= 2026:  # 'mijn geboortedatum is onjuist ... 06-10-1959', 'op 4 juli 1948 geboren'
            found.append(Match("birthdate", m.start("value"), m.end("value"), 0.75))
            continue
        if not 1900 <= year <= 2012:
            continue
        before = text[max(0, m.start() - 40):m.start()]
        if (("," in before or "(" in before or "-" in before) and _AFTER_NAME.search(before)
                and not has_context(text, m.start(), _EVENT_WORDS, 12)):
            found.append(Match("birthdate", m.start("value"), m.end("value"), 0.6))
    return found


def emails(text: str) -> list[Match]:
    """Obfuscated spellings only; the plain form is recognizers.SPECS' e-mail pattern."""
    return [Match("email", m.start(), m.end(), 0.85) for m in _OBFUSCATED_EMAIL.finditer(text)
            if not re.fullmatch(r"[^@]+@[^@\s]+", m.group(0))]


def recognise(text: str) -> list[Match]:
    return plates(text) + birthdates(text) + emails(text) + addresses(text)
