"""Names and @mentions in free text, without a trained model.

Citizens write names as they like: "Pieter van den Berg", "jan de vries", "mevrouw Jansen", "Hoi
Sanne,", "groetjes, Anouk", "mijn zoon Daan". A blank spaCy pipeline has no NER, so names are found
from word lists (crawler/privacy/data/: first names, surnames, tussenvoegsels) and from what marks a
person in Dutch: an honorific, a relation word, a greeting, a sign-off, "ik ben/heet". Candidates
start at every word, so a capitalised word just before a name ("Gisteren Pieter Jansen") does not
hide it. Public office holders named in office ("minister De Jonge"), government bodies, places,
months and professions ("de bakker") are not names.
"""

from __future__ import annotations

import re

from crawler.privacy import lexicon
from crawler.privacy.recognizers import Match
from crawler.privacy.recognizers_caps import as_names_are_written, staff_signed
from crawler.privacy.recognizers_mentions import MENTION_RE, mentions  # re-exported: callers import them here
from crawler.privacy.recognizers_origins import (
    _BEFORE_UNLISTED,
    firm_named,
    unknown_first_before_origin_surname,
    unlisted_marked,
    unlisted_surname_after,
)
from crawler.privacy.recognizers_origins import _FIRM_WORDS as FIRM_WORDS
from crawler.privacy.recognizers_people import (
    _NOT_SECOND,
    _double_surname_end,
    _pet_before,
    _unknown_before_verb,
)
from crawler.privacy.recognizers_text import _SPACE_ONLY, _not_names, _Text
from crawler.privacy.recognizers_words import (  # noqa: F401  (re-exported: the word lists)
    _LAUGH,
    COMMON,
    GREETINGS,
    HONORIFICS,
    INTERJECTIONS,
    INTRODUCERS,
    MONTHS_DAYS,
    OFFICES,
    PROFESSIONS,
    RELATIONS,
    SHOPS,
    SIGN_OFFS,
    TUSSENVOEGSELS,
)
from crawler.privacy.recognizers_words import CONTEXT_BEFORE as _CONTEXT_BEFORE

_NICK = re.compile(r"[ \t\xa0]*\(([A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?)\)[ \t\xa0]+")
_SOFT_GAP = re.compile(r"[ \t\xa0]*[,:(]?[ \t\xa0]*")
_SIGN_GAP = re.compile(r"[ \t\xa0]*[,.!:\-–~]*[ \t\xa0]*(?:\r?\n[ \t\xa0]*[-–~]?[ \t\xa0]*)?")
_INTRO_BEFORE = frozenset(("ik", "mijn", "naam", "heet", "hij", "zij", "ze", "die", "dat", "is", "name", "zijn",
                           "am")) | RELATIONS
# Initials and a surname: 'A. Koç', 'E.M. Verschuren', 'Th. van der Linden', 'P.H.M. Cornelissen'.
_INITIALS_NAME = re.compile(
    r"(?<![\w.])(?:(?:[A-Z]|Th|Chr|Ph|Joh|Fr|Wm)\.){1,4}[ \t\xa0]?"
    r"(?:\([A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?\)[ \t\xa0]?)?"  # the call name in parentheses: 'H.J.M. (Hans) Teunissen'
    r"(?:(?:van der|van den|van de|van 't|in 't|op de|van|de|der|den|ter|ten|te|el|al|Oude)[ \t\xa0]+)?"
    r"(?P<surname>[A-ZÀ-ÖØ-Þ][\w'’]+(?:-(?:(?:van|de|der|den|ter)[ \t\xa0]+)*[A-ZÀ-ÖØ-Þa-z][\w'’]+)?)")


def _is_first(t: _Text, i: int) -> bool:
    w = t.lower[i]
    if w not in lexicon.first_names() and not (
            "-" in w and all(p in lexicon.first_names() for p in w.split("-"))):  # Jan-Willem, Gert-Jan
        return False
    return t.capitalised(i) or w not in lexicon.ambiguous_names()


def _is_surname(t: _Text, i: int, after_particle: bool) -> bool:
    w = t.lower[i]
    if len(w) < 2 or (t.tokens[i][2].isupper() and len(w) <= 3):
        return False  # 'Ilona van de IC': an acronym is no surname
    if w in _not_names():
        # Many surnames are places ('Geert Hoogeveen', 'Rob van Dongen'): right after a first name or
        # a particle, capitalised, a place is the surname (never a month, day or common word).
        return (w in lexicon.places() and w not in COMMON and w not in MONTHS_DAYS and t.capitalised(i)
                and (after_particle or _is_first(t, i - 1)))
    if t.capitalised(i):
        return w not in FIRM_WORDS  # 'instructeur Ferry van Rijschool Succes': a firm, no surname
    return w in lexicon.surnames() and not (after_particle and w in PROFESSIONS and w not in _TITLE_SURNAMES
                                            and t.lower[i - 1] == "de")


def _surname_end(t: _Text, i: int) -> int | None:
    """Index of the last token of a surname starting at token i (particles first), or None."""
    k, n, particles = i, len(t.tokens), 0
    while k < n and (t.lower[k] in TUSSENVOEGSELS or (t.lower[k] == "oude" and t.capitalised(k))) and (
            particles < 3 and (k == i or t.joined(k))):  # 'Oude Kamphuis', 'Oude Elferink'

        k, particles = k + 1, particles + 1
    if particles == 1 and t.lower[i] in ("uit", "in", "op", "te", "ben", "het", "la", "le"):
        return None  # 'Kees uit Zierikzee', 'Ellen op Zwanenlaan': a preposition, not a particle
    if k < n and (k == i or t.joined(k)) and _is_surname(t, k, particles > 0):
        return k
    return None


def _lower_full_name(t: _Text, i: int, end: int | None) -> bool:
    """'jan de vries': an ambiguous first name in lower case, a particle and a listed surname."""
    return (end is not None and t.lower[i] in lexicon.first_names() and end > i + 1
            and t.lower[i + 1] in TUSSENVOEGSELS and t.lower[end] in lexicon.surnames()
            and (t.lower[end] not in PROFESSIONS or t.lower[end] in _TITLE_SURNAMES))


# Surnames in PROFESSIONS that are titles, no trade: 'milan de graaf' is a person, not a count.
_TITLE_SURNAMES = frozenset(("graaf", "koning", "prins", "ridder", "haan"))


def _first_before_unknown(t: _Text, i: int) -> bool:
    """'Ben Sutedja', 'Ratna en Ben Sutedja': a capitalised listed first name that is also a particle ('ben', 'el',
    'la'), right before a capitalised word that is no common word, place or body (a surname then, not 'ben Ali')."""
    return (t.capitalised(i) and t.lower[i] in lexicon.first_names() and i + 1 < len(t.tokens) and t.joined(i + 1)
            and t.capitalised(i + 1) and not t.tokens[i + 1][2].isupper()
            and t.lower[i + 1] not in lexicon.common_words() and t.lower[i + 1] not in _not_names()
            and t.lower[i + 1] not in TUSSENVOEGSELS)


def _full_name_end(t: _Text, i: int) -> int | None:
    """Token i as a first name: the index of its surname's last token, or None."""
    k = i + 1
    # Initials and middle names: 'Jan P. de Vries', 'Anna Maria Jansen'.
    while k < len(t.tokens) and t.joined(k) and (re.fullmatch(r"[A-Z]\.?", t.tokens[k][2])
                                                 or (_is_first(t, k) and t.capitalised(k))) and k - i <= 3:
        k += 1
    if k < len(t.tokens) and t.joined(k):
        end = _surname_end(t, k)
        if end is not None:
            return end
    nick = _NICK.match(t.text, t.tokens[k - 1][1]) if k + 1 < len(t.tokens) else None
    if nick is not None and t.tokens[k][0] == nick.start(1) and t.tokens[k + 1][0] == nick.end():
        end = _surname_end(t, k + 1)  # 'Johannes (Hans) van Leeuwen': the call name in parentheses
        if end is not None:
            return end
    # 'Jan Pieter' without a surname: the last middle name ends the name.
    return k - 1 if k - 1 > i and _is_first(t, k - 1) else None


def _marker(t: _Text, i: int) -> str | None:
    """What marks token i as a person's name, from the words before it."""
    if i == 0:
        return None
    prev = t.lower[i - 1]
    gap = t.gap(i)
    prev_raw = t.tokens[i - 1][2]
    if prev_raw.endswith(".") and len(prev_raw) > 2 and prev not in HONORIFICS and prev not in SIGN_OFFS:
        return None  # 'ik ben. Knap werk': a sentence ended there
    if prev in OFFICES or (i > 1 and t.lower[i - 2] in OFFICES and prev in TUSSENVOEGSELS):
        return "office"
    if prev in HONORIFICS and (_SPACE_ONLY.fullmatch(gap) or gap.strip() == "."):
        return "honorific"
    if prev == "de" and i > 1 and t.lower[i - 2] in ("heer", "familie"):
        return "honorific"
    if prev in SIGN_OFFS and _SIGN_GAP.fullmatch(gap):
        return "sign-off"
    if prev in ("van", "from") and i > 1 and t.lower[i - 2] in SIGN_OFFS and _SPACE_ONLY.fullmatch(gap):
        return "sign-off"  # 'Groetjes van Lieve', 'love from Sarah'
    if prev in GREETINGS and _SOFT_GAP.fullmatch(gap) and (i == 1 or t.sentence_start(i - 1)):
        return "greeting"
    if prev in RELATIONS and _SOFT_GAP.fullmatch(gap):
        return "relation"
    if prev in INTRODUCERS and _SOFT_GAP.fullmatch(gap) and i > 1 and t.lower[i - 2] in _INTRO_BEFORE:
        return "intro"
    if prev in ("heet", "genaamd", "namens", "named", "called", "i'm") and _SOFT_GAP.fullmatch(gap):
        return "intro"
    if (prev in INTERJECTIONS or (prev[:1] in _LAUGH_START and _LAUGH.fullmatch(prev))) and _SOFT_GAP.fullmatch(gap):
        return "address"  # 'omg Sanne', 'haha Youssef': someone addressed
    if gap.strip() in ("-", "–", "~") and i >= len(t.tokens) - 3:
        return "sign-off"
    if prev in _CONTEXT_BEFORE and _SPACE_ONLY.fullmatch(gap) and t.lower[i] in lexicon.first_names() and (
            t.lower[i] not in lexicon.ambiguous_names() or (
                t.capitalised(i) and not t.tokens[i][2].isupper() and not t.sentence_start(i)
                and i + 1 < len(t.tokens) and not t.capitalised(i + 1))):
        return "relation"  # 'de man van ingrid', 'nee kevin', 'als daan': a listed first name after a context word
    return None


def _alone_on_line(t: _Text, i: int) -> bool:
    """Token i is the only word of its line (a page's comment header: 'Dennis 🚲', 'lotte ✨', 'Henk (62)')."""
    start, end = t.tokens[i][0], t.tokens[i][1]
    line_start = t.text.rfind("\n", 0, start) + 1
    line_end = t.text.find("\n", end)
    line = t.text[line_start:start] + t.text[end:len(t.text) if line_end < 0 else line_end]
    return "\n" in t.text and not re.search(r"[^\W\d_]", line)


def _signature_line(t: _Text, i: int) -> bool:
    """Token i starts the comment's last line, and that line is one to three words (a signature)."""
    if i == 0 or "\n" not in t.gap(i):
        return False
    rest = t.text[t.tokens[i][0]:].strip()
    return "\n" not in rest and len(rest.split()) <= 3


def _with_me(t: _Text, i: int) -> bool:
    """'Bas en ik', 'Roos & ik', 'Mark and I': a capitalised first name joined to the writer."""
    if not (t.capitalised(i) and t.lower[i] in lexicon.first_names() and i + 1 < len(t.tokens)):
        return False
    if t.gap(i + 1).strip() in ("&", "+"):  # '&' is no word token: it stands in the gap
        return t.lower[i + 1] in ("ik", "i", "me")
    return (i + 2 < len(t.tokens) and t.lower[i + 1] in ("en", "and") and t.lower[i + 2] in ("ik", "i", "me")
            and t.joined(i + 2))


def _coordinated(t: _Text, i: int, found: list[Match]) -> bool:
    """'marco en linda', 'Ans en Dirk': a first name joined by 'en'/'&' to a name."""
    if i >= 2 and t.lower[i - 1] in ("en", "&") and found and found[-1].end == t.tokens[i - 2][1]:
        return True
    return i + 2 < len(t.tokens) and t.lower[i + 1] in ("en", "&") and (
        t.lower[i + 2] in lexicon.first_names() and t.lower[i + 2] not in lexicon.ambiguous_names())


def _after_a_name(t: _Text, i: int, found: list[Match]) -> bool:
    """Token i follows 'en'/'&' right after a name already found ('Henk Mulder en Ineke', 'jan en mieke')."""
    if not found or i < 1:
        return False
    if t.gap(i).strip() in ("&", "+"):  # 'Kees & Marleen': '&' is no word token, it stands in the gap
        return found[-1].end == t.tokens[i - 1][1] and "\n" not in t.gap(i)
    return (i >= 2 and t.lower[i - 1] in ("en", "and") and found[-1].end == t.tokens[i - 2][1] and t.joined(i)
            and t.tokens[i - 1][0] - found[-1].end <= 2)


_LAUGH_START = frozenset("hlow")
_VOCATIVE_NEXT = frozenset(("kijk", "zie", "check", "lees", "kom", "look", "see", "luister"))
_NAMING_MARKERS = frozenset(("sign-off", "greeting", "relation", "address", "intro"))
def _is_official(t: _Text, start: int, end: int) -> bool:
    value = " ".join(t.lower[start:end + 1])
    return value in lexicon.officials()


def names(text: str) -> list[Match]:
    return [m for m in _names(as_names_are_written(text))
            if (" " in text[m.start:m.end] or not staff_signed(text, m.start, m.end))
            and not firm_named(text, m.start, m.end)]


def _names(text: str) -> list[Match]:
    t = _Text(text)
    found: list[Match] = []
    i, n = 0, len(t.tokens)
    not_names = _not_names()
    first_names, surnames = lexicon.first_names(), lexicon.surnames()
    while i < n:
        w = t.lower[i]
        if not t.capitalised(i) and w not in first_names and w not in TUSSENVOEGSELS and w not in surnames and not (
                i > 0 and t.lower[i - 1] in _BEFORE_UNLISTED and unlisted_marked(t, i)) and not (
                "-" in w and i > 0 and t.lower[i - 1] in RELATIONS and _is_first(t, i)):  # 'mijn oom jan-willem'

            i += 1  # fast path: a lower-case word that no rule can start a name with
            continue
        marker = _marker(t, i)
        full_end = _full_name_end(t, i) if w in not_names else None
        acronym = t.tokens[i][2].isupper() and len(w) > 1  # AOW, BSN, NOS
        shop = marker != "honorific" and (  # 'Bakker Bart' is the baker; 'mevrouw Bakker' a person
            w in SHOPS or (i > 0 and t.lower[i - 1] in SHOPS and t.capitalised(i - 1)))
        month_name = w in MONTHS_DAYS and w in first_names and marker in _NAMING_MARKERS and not (
            re.match(r"[\s.,]*\d", text[t.tokens[i][1]:t.tokens[i][1] + 4]))  # 'gr. jan', not 'jan 2025'
        if marker == "office" or shop or acronym or (w in not_names and w not in TUSSENVOEGSELS and not month_name
                                                     and not (full_end is not None and (
                                                         _is_first(t, i) or _lower_full_name(t, i, full_end)))):
            i += 1
            continue
        end: int | None = None
        score = 0.0
        if marker == "honorific":  # 'mevrouw Jansen', 'meneer de vries', 'dhr. J. van Dam'
            k = i
            while k < n - 1 and re.fullmatch(r"[A-Za-z]\.", t.tokens[k][2]) and t.joined(k + 1):
                k += 1
            end = _full_name_end(t, k) if _is_first(t, k) else None
            end = end if end is not None else _surname_end(t, k)
            if end is not None and t.lower[k] in ("in", "op", "uit", "te", "bij") and lexicon.is_place(
                    " ".join(t.lower[k + 1:end + 1])):
                end = n  # 'de arts in Den Bosch': a preposition and a place, no 'in 't Veld'
            p = k
            while end is None and p < min(n - 1, k + 3) and t.lower[p] in TUSSENVOEGSELS and t.joined(p + 1):
                p += 1  # 'meneer de graaf', 'mevrouw van der smit': a listed surname in lower case
                if t.lower[p] in lexicon.surnames() or t.lower[p] in PROFESSIONS:
                    end = p
            end = None if end == n else end
            score = 0.9
        elif marker == "address" and not (_is_first(t, i) or t.capitalised(i) and w in first_names):
            pass  # after 'omg', 'haha': only a listed first name ('omg wat een onzin' names nobody)
        elif w not in TUSSENVOEGSELS or _first_before_unknown(t, i):
            full = _full_name_end(t, i)
            first = _is_first(t, i)
            if full is not None and (first or (marker and t.capitalised(i)) or _lower_full_name(t, i, full)):
                end, score = full, 0.85
            elif (full is not None and t.capitalised(i) and t.lower[full] in lexicon.surnames()
                  and w not in lexicon.common_words() and (not t.sentence_start(i) or full == i + 1)):
                end, score = full, 0.7  # an unknown first name before a common surname
            elif (origin := unknown_first_before_origin_surname(t, i)) is not None:
                end, score = _double_surname_end(t, origin), 0.7  # 'Petar Ivanov', 'Oksana Kovalenko'
            elif marker in ("relation", "greeting", "sign-off") and unlisted_marked(t, i):
                end, score = i, 0.6  # 'mijn zus debbie', 'hoi shurwin,': no everyday word after a relation
            elif marker and (first or (t.capitalised(i) and len(w) >= 3 and (
                    marker != "sign-off" or _signature_line(t, i) or i >= n - 3))
                    or (marker == "sign-off" and w in lexicon.first_names())):
                end, score = i, 0.75  # a single name marked by a greeting, sign-off, relation, "ik ben"
            elif first and (t.capitalised(i) or _signature_line(t, i)) and w not in lexicon.ambiguous_names():
                end, score = i, 0.6  # a known first name alone
            elif first and _alone_on_line(t, i):
                end, score = i, 0.6  # a first name as a line of its own: a page's comment header
            elif first and (_signature_line(t, i) or _coordinated(t, i, found) or (
                    i == 0 and w not in lexicon.ambiguous_names())):
                end, score = i, 0.6  # a signature, addressing someone first ('kevin kijk dit'), 'X en Y'
            elif (pair := _unknown_before_verb(t, i)) is not None:
                end, score = pair, 0.6  # 'heeft Nomvula Mokoena gebeld', 'met Kwesi Appiah gesproken'
            elif _with_me(t, i):
                end, score = i, 0.6  # 'Bas en ik hebben ...'
            elif first and i + 1 < n and t.lower[i + 1] in _VOCATIVE_NEXT and t.joined(i + 1):
                end, score = i, 0.6  # someone addressed: 'kevin kijk dit', 'sanne check je mail'
            elif _after_a_name(t, i, found) and (w in first_names or (
                    t.capitalised(i) and len(w) >= 2 and w not in not_names and w not in _NOT_SECOND)):
                end, score = (full if full is not None else i), 0.65  # the second signer: 'Kees & Marleen'
        if end is not None and (end > i or marker == "honorific"):
            end = _double_surname_end(t, end)
        elif end == i and marker in _NAMING_MARKERS:
            end = unlisted_surname_after(t, end)  # 'mijn buurman wayan sudarsana
        if end is not None and end + 1 < n and re.search(r"-(?:van|de|der|den|ter)$", t.lower[end]) and (
                t.joined(end + 1) and t.capitalised(end + 1)):
            end += 1  # 'Smits-van Lier'
        if end is not None and marker == "honorific" and end == i and any(
                o.endswith(" " + w) for o in lexicon.officials()):
            end = None  # "heer Rutte": an official in office
        if end is not None and end == i and marker in ("intro", "relation", None) and _pet_before(t, i):
            end = None  # 'onze kat Minoes', 'de hond heet Bello': a pet
        if end is None or _is_official(t, i, end):
            i += 1
            continue
        start = i
        if end > i and i > 0 and not t.capitalised(i) and not t.capitalised(i - 1) and t.joined(i) and (
                t.lower[i - 1] in first_names and (not found or found[-1].end < t.tokens[i - 1][0])):
            start = i - 1  # 'jan willem de vries': a lower-case (ambiguous) first name before the rest
        found.append(Match("name", t.tokens[start][0],
                           t.tokens[end][1] - (1 if t.tokens[end][2].endswith(".") else 0), score))
        i = end + 1
    taken = [(m.start, m.end) for m in found]
    for m in _INITIALS_NAME.finditer(text):
        if m.group("surname").lower() in _not_names() or any(
                s < m.end() and m.start() < e and not m.start() <= s < e <= m.end() for s, e in taken):
            continue  # a name inside the initials' span ('H.J.M. (Hans) Teunissen') gives way to the whole
        found = [f for f in found if not m.start() <= f.start < f.end <= m.end()]
        found.append(Match("name", m.start(), m.end(), 0.8))
    return found


__all__ = ["MENTION_RE", "mentions", "names"]
