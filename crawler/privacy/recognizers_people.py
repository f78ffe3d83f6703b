"""Name rules beside the main scan of recognizers_names.py: two unknown capitalised words before a participle of
contact, a pet's name, a second surname without hyphen, and (recognizers_origins.py) names no list knows."""

from __future__ import annotations

from crawler.privacy import lexicon
from crawler.privacy.recognizers_text import _not_names, _Text
from crawler.privacy.recognizers_words import BEFORE_UNKNOWN as _BEFORE_UNKNOWN
from crawler.privacy.recognizers_words import CONTACT_VERBS as _CONTACT_VERBS
from crawler.privacy.recognizers_words import (
    GREETINGS,
    HONORIFICS,
    INTERJECTIONS,
    OFFICES,
    PROFESSIONS,
    RELATIONS,
    SHOPS,
    SIGN_OFFS,
    TUSSENVOEGSELS,
)
from crawler.privacy.recognizers_words import PETS as _PETS

# 'heeft Nomvula Mokoena gebeld', 'met Kwesi Appiah gesproken': two capitalised words that no list knows, after
# 'heeft'/'met' and before a participle of contact, are a person (an organisation, body or place is not).


_BUSINESS_ENDS = ("verzekeringen", "verzekeraar", "support", "service", "bank", "groep", "group", "holding", "zakelijk",
                  "energie", "makelaars", "advocaten", "notarissen", "installaties", "techniek", "bouwbedrijf")


def _unknown_word(t: _Text, i: int) -> bool:
    w, raw = t.lower[i], t.tokens[i][2]
    return (t.capitalised(i) and not raw.isupper() and len(w) >= 3 and not raw.endswith(".") and w not in _not_names()
            and w not in TUSSENVOEGSELS and w not in _NOT_SECOND and w not in OFFICES and w not in PROFESSIONS
            and not lexicon.is_organisation(w) and not lexicon.is_public_body(w))


def _unknown_before_verb(t: _Text, i: int) -> int | None:
    """Token i starts two unknown capitalised words after 'heeft'/'met' and before a participle: the second's index."""
    n = len(t.tokens)
    if i == 0 or i + 2 >= n or t.lower[i - 1] not in _BEFORE_UNKNOWN or t.sentence_start(i):
        return None
    if not (t.joined(i) and t.joined(i + 1) and _unknown_word(t, i) and _unknown_word(t, i + 1)) or (
            lexicon.is_organisation(t.lower[i] + t.lower[i + 1]) or t.lower[i + 1].endswith(_BUSINESS_ENDS)):
        return None  # 'met Zilveren Kruis gebeld', 'met Univé Verzekeringen gebeld'
    for k in range(i + 2, min(n, i + 5)):
        if t.lower[k] in _CONTACT_VERBS:
            return i + 1
        if t.capitalised(k) or not t.joined(k):
            return None
    return None




def _pet_before(t: _Text, i: int) -> bool:
    """A pet word within the six words before token i ('onze kat Minoes', 'de kat ... ze heet Pluis'); not
    its owner ('de kat van Lies')."""
    return t.lower[i - 1] not in ("van", "of") and any(w in _PETS for w in t.lower[max(0, i - 6):i])  # owner


# Capitalised words that follow a name and 'en' without being a second person ('Jansen en Zonen').
_NOT_SECOND = OFFICES | HONORIFICS | RELATIONS | GREETINGS | SIGN_OFFS | SHOPS | INTERJECTIONS
_NOT_SURNAME_ENDS = ("straat", "laan", "weg", "plein", "huis", "kliniek", "park", "centrum", "zaal", "hal", "kerk",
                     "school", "dag", "prijs", "fonds", "concert", "show", "festival", "avond", "week")
_SURNAME_PARTICLES = frozenset(("van", "de", "der", "den", "ter", "ten", "tot", "het", "'t", "op", "in"))


def _double_surname_end(t: _Text, end: int) -> int:
    """A second capitalised surname without hyphen ('Gevers Deynoot', 'Tjeenk Willink', 'Quarles van Ufford'):
    the index of its last token, or end unchanged. Never a place, a body, a common word or a first name."""
    if not t.capitalised(end) or t.lower[end] in TUSSENVOEGSELS:
        return end
    k, n = end + 1, len(t.tokens)
    while k < n and k - end <= 3 and t.lower[k] in _SURNAME_PARTICLES and t.joined(k) and not t.capitalised(k):
        k += 1
    if k >= n or not t.joined(k) or not t.capitalised(k) or "het" in t.lower[end + 1:k]:
        return end  # 'Meneer Oukili van het Sociaal Loket': 'van het' joins a name to a body, never two surnames
    w, raw = t.lower[k], t.tokens[k][2]
    if any(c.isupper() for c in raw[1:]) or w.endswith(("ische", "ischen")):
        return end  # 'Van Leeuwen van de BelastingTelefoon', 'Alkhatib van de Syrische winkel'
    if (len(w) < 3 or raw.isupper() or raw.endswith(".") or w in _not_names() or w in lexicon.first_names()
            or w in _NOT_SECOND or w in PROFESSIONS or w in TUSSENVOEGSELS or w.endswith(_NOT_SURNAME_ENDS)
            or lexicon.org_word_at_edge(w)):
        return end  # 'Anne Frank Huis', 'Jan Jansen Kerkstraat', 'Els Smit Stichting' are not double surnames
    return k
