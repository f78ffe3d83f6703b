"""What the name rules read: a text in capitals, or with names in capitals, as names are usually
written; and the staff signature under a body's own reply, which is no third party's name
(crawler/privacy/recognizers_names.py)."""

from __future__ import annotations

import re

from crawler.privacy import lexicon
from crawler.privacy.recognizers_words import SIGN_OFFS, TUSSENVOEGSELS

# A staff member signing the organisation's own reply is no third party (its name is published by the
# body): 'Groet, Wendy' under a comment header 'Auteur' or the body's name, 'Ingrid, team communicatie',
# 'Mark | webcare'. Only a single first name is taken so; a citizen's full name stays a name.
_STAFF_AFTER = re.compile(r"[ \t\xa0]*(?:[,|/–—-]|\()[ \t\xa0]*(?:team|afdeling|webcare|klantenservice|communicatie|"
                          r"redactie|social media|woordvoer\w*|namens|medewerker|servicedesk|klantcontact)\b",
                          re.IGNORECASE)
_ROLE_LABELS = frozenset(("auteur", "author", "beheerder", "moderator", "webcare", "admin", "organisator",
                          "page author", "paginabeheerder", "officieel", "official"))


def staff_signed(text: str, start: int, end: int) -> bool:
    if _STAFF_AFTER.match(text, end):
        return True
    if re.search(r"[^\W\d_]", text[end:text.find("\n", end) if "\n" in text[end:] else len(text)]):
        return False  # words after the name on its line: not a sign-off
    before = re.search(r"([^\W\d_]+)\W*$", text[max(0, start - 40):start])
    if before is None or before.group(1).lower() not in SIGN_OFFS:
        return False  # not signed: 'oma truus' as a comment header under the body's reply
    line_start = text.rfind("\n", 0, start) + 1
    for line in reversed(text[:line_start].splitlines()[-8:]):
        words = line.strip().split()
        if not words or any(re.sub(r"\W", "", w.lower()) in SIGN_OFFS for w in words):
            continue
        if len(words) > 5 or re.search(r"[.?!:]\s*$", line.strip()):
            continue  # the reply's own text
        return line.strip().lower() in _ROLE_LABELS or lexicon.is_public_body(line.strip())
    return False


_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")
_CAPS_RUN = re.compile(r"[A-ZÀ-ÖØ-Þ]{4}[^a-zß-öø-ÿ]{1,3}[A-ZÀ-ÖØ-Þ]{2}")
_LOWER = re.compile(r"[a-zß-öø-ÿ]")
_CAPS_RUN_3 = re.compile(r"[A-ZÀ-ÖØ-Þ]{3}")
_CAPS_NEXT = re.compile(r"[ \t\xa0][A-ZÀ-ÖØ-Þ]{2}")


def _shouting(text: str) -> bool:
    """A text written in capitals ('MIJN BUURMAN HENK MULDER ...'): names are read as in lower case then."""
    sample = text[:2000]
    if _CAPS_RUN.search(sample) is None:
        return False
    upper = len(_UPPER.findall(sample))
    return upper >= 12 and upper > 4 * len(_LOWER.findall(sample))


_CAPS_WORD = re.compile(r"(?<![\w'’])[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’]+(?:-[A-ZÀ-ÖØ-Þ]+)?(?![\w'’])")


def _lower(s: str) -> str:
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


def _caps_word(m: re.Match[str]) -> str:
    """A name written in capitals in a text that is not ('met PIETER gesproken', 'JAN VAN DER BERG'): as a
    name is usually written; acronyms and other words stay as they are."""
    word = m.group(0)
    w = word.lower()
    if w in TUSSENVOEGSELS:
        return _lower(word)
    followed = _CAPS_NEXT.match(m.string, m.end()) is not None  # 'JAN VAN DER BERG': an ambiguous name before more
    if len(w) >= 3 and ((w in lexicon.first_names() and (followed or w not in lexicon.ambiguous_names()))
                        or w in lexicon.surnames()):
        return word[0] + _lower(word[1:])
    return word


def as_names_are_written(text: str) -> str:
    """The text the name rules scan (same length and offsets): lower case where the text shouts,
    names in capitals as names are written elsewhere."""
    if _shouting(text):
        return _lower(text)
    return _CAPS_WORD.sub(_caps_word, text) if _CAPS_RUN_3.search(text) else text
