"""Names no list knows, and firms that carry a surname (recognizers_names.py calls these).

- A lower-case word right after a relation word ('mijn zus debbie', 'me buurman wayan', 'my sister tesfay') is
  a name when it is no everyday word: `data/common_words.txt` holds the Dutch words wordfreq counts at least once
  per million words and the English ones ten times per million (written by `data/make_common_words.py`), so
  'mijn zus woont', 'mijn buurman klaagt', 'my sister lives' name nobody. Dutch word endings ('-isch', '-lijk',
  '-heid', '-eerd') and a few slang forms are no names either.
- A surname of Bulgarian, Polish, Ukrainian, Romanian, Turkish, Balkan, Greek or Armenian origin by its ending
  ('Ivanov', 'Petrova', 'Wiśniewska', 'Kovalenko', 'Popescu', 'Karaoğlu', 'Petrović', 'Papadopoulos'), after a
  capitalised word no list knows: 'Petar Ivanov', 'Desislava Georgieva'.
- A firm named after its owner ('Jansen Installatietechniek', 'De Vries Bouw', 'Bakkerij Jansen' is already a
  shop in recognizers_words.SHOPS, 'Yıldırım & Zn', 'Van der Meer Makelaardij B.V.') is no person.
"""

from __future__ import annotations

import re

from crawler.privacy import lexicon
from crawler.privacy.recognizers_text import _not_names, _Text
from crawler.privacy.recognizers_words import (
    GREETINGS,
    HONORIFICS,
    OFFICES,
    PROFESSIONS,
    RELATIONS,
    SHOPS,
    SIGN_OFFS,
    TUSSENVOEGSELS,
)

# What stands before a relation word when a name follows it: 'mijn zus', 'me buurman', "m'n broer", 'onze oma'.
POSSESSIVES = frozenset(("mijn", "me", "m'n", "mn", "mijne", "onze", "ons", "z'n", "zn", "zijn", "haar", "d'r", "je",
                         "jouw", "uw", "hun", "de", "die", "een", "my", "our", "his", "her", "your", "their", "the"))
# Words after a relation word that are no name though wordfreq counts them rarely: slang, spellings of 'ook'.
_NOT_AFTER_RELATION = frozenset("""
gwn egt egnl idd ff effe nie nieh ok oke oké okee okay toch tog ook ok ookal zelluf zelf wrm wnr wtf lol lmao
haha hihi jij jullie zegmaar zeg enzo enso ofzo ofso enz etc dr daar hier nu nou nog ooit ergens iets niks niemand
heef hep hept hadt hebbe ginder gunder amai dement demente invalide gehandicapte bedlegerig terminaal verslaafd
verslaafde psychotisch alzheimer parkinson adhd add pdd-nos mbo hbo wo vmbo havo vwo zzp zzp'er
""".split())
_AGENT_ENDINGS = ("ster", "ist", "eur", "aar")  # 'kapster', 'florist', 'chauffeur', 'bakkersleraar'


def _verb_form(word: str) -> bool:
    """'poetst', 'kookte', 'kluste', 'solliciteert', 'voetbalde': a form of a verb whose infinitive is common."""
    stems = []
    for ending in ("ten", "den", "te", "de", "t"):
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            stems.append(word[:-len(ending)])
    common = lexicon.common_words()
    for stem in stems:
        forms = {stem + "en", stem + "n", stem + stem[-1] + "en"}  # poetsen, hockeyen; klussen, voetballen
        if len(stem) >= 3 and stem[-2] == stem[-3] and stem[-2] in "aeou":
            forms.add(stem[:-2] + stem[-1] + "en")  # kook -> koken, sollicitee r -> solliciteren
        if stem.endswith(("f", "s")):
            forms.add(stem[:-1] + {"f": "v", "s": "z"}[stem[-1]] + "en")  # leefde -> leven, reisde -> reizen
        if any(f in common for f in forms):
            return True
    return False
_WORD_ENDINGS = ("isch", "ische", "lijk", "lijke", "heid", "baar", "bare", "loos", "loze", "eerd", "eerde", "erd",
                 "atie", "ing", "ig", "ige", "end", "ende", "ness", "ed")
_NAME_SHAPE = re.compile(r"[a-zà-öø-ÿ\u0100-\u024f]{3,}(?:-[a-zà-öø-ÿ\u0100-\u024f]{2,})?")


def _everyday(word: str) -> bool:
    return (word in lexicon.common_words() or word in _not_names() or word in _NOT_AFTER_RELATION
            or word in TUSSENVOEGSELS or word in RELATIONS or word in PROFESSIONS or word in OFFICES
            or word in HONORIFICS or word in GREETINGS or word in SIGN_OFFS or word in SHOPS
            or (word.endswith(_WORD_ENDINGS) and len(word) >= 6) or (word.endswith(_AGENT_ENDINGS) and len(word) >= 6)
            or _verb_form(word) or lexicon.is_public_body(word)
            or lexicon.is_organisation(word))


# Between the possessive and the relation word: 'mijn oudste zus', 'onze lieve buurvrouw', 'my little brother'.
_RELATION_ADJECTIVES = frozenset(("lieve", "oudste", "jongste", "kleine", "grote", "oude", "beste", "eigen", "nieuwe",
                                  "vorige", "toenmalige", "overleden", "schoon", "little", "big", "older", "younger",
                                  "late", "dear", "best", "old", "new"))
# Listed names that are also words ('ambiguous_names.txt'): after a relation word the name, except these.
_WORDS_FIRST = frozenset(("en", "ben", "an", "wil", "will", "said", "hoop", "mei", "can", "lot", "ties", "tiny",
                          "nada", "lama", "tuba", "sari", "bets", "hung", "ad", "bo", "han", "ewa", "berk", "trees",
                          "said", "ama", "awa", "gul", "eze", "mees", "aster"))


def _after_possessive_relation(t: _Text, i: int) -> bool:
    if i < 2 or t.lower[i - 1] not in RELATIONS or not (t.joined(i) and t.joined(i - 1)):
        return False
    if t.lower[i - 2] in POSSESSIVES:
        return True
    return i >= 3 and t.lower[i - 2] in _RELATION_ADJECTIVES and t.lower[i - 3] in POSSESSIVES and t.joined(i - 2)


def unlisted_after_relation(t: _Text, i: int) -> bool:
    """Token i is a lower-case word right after '<possessive> <relation word>' that is no everyday word: one no list
    knows ('mijn zus debbie'), or a listed name that is also a word ('mijn zus roos', 'mijn zoon tim')."""
    if t.capitalised(i) or not _after_possessive_relation(t, i) or _NAME_SHAPE.fullmatch(t.lower[i]) is None and (
            t.lower[i] not in lexicon.ambiguous_names()):
        return False
    w = t.lower[i]
    if w in lexicon.ambiguous_names() and w not in _WORDS_FIRST:
        return True
    if w in lexicon.first_names() or _everyday(w) or all(_everyday(p) for p in w.split("-")):
        return False
    after = t.text[t.tokens[i][1]:t.tokens[i][1] + 2]
    return not after.startswith(("'", "’", "@", "."))  # "zus'", an e-mail address, a domain


_BEFORE_UNLISTED = RELATIONS | GREETINGS | SIGN_OFFS
_SIGN_GAP = re.compile(r"[ \t\xa0]*[,.!:\-–~]*[ \t\xa0]*(?:\r?\n[ \t\xa0]*)?")
_CLAUSE_END = re.compile(r"[ \t\xa0]*(?:$|[,!.?:;)\n]|[^\w\s])")  # punctuation, the end, or an emoji


def unlisted_marked(t: _Text, i: int) -> bool:
    """Token i is a lower-case name no list knows, marked by a relation word, a greeting at the start of a sentence
    ('hoi shurwin,') or a sign-off at the end ('groetjes, ruthsel'): no everyday word, the clause ends after it."""
    if i < 1 or t.lower[i - 1] not in _BEFORE_UNLISTED or t.capitalised(i):
        return False
    if t.lower[i - 1] in RELATIONS:
        return unlisted_after_relation(t, i)
    w = t.lower[i]
    if _NAME_SHAPE.fullmatch(w) is None or w in lexicon.first_names() or _everyday(w):
        return False
    if _CLAUSE_END.match(t.text, t.tokens[i][1]) is None or "\n" in t.gap(i) and t.lower[i - 1] in GREETINGS:
        return False
    if t.lower[i - 1] in GREETINGS:
        return i == 1 or t.sentence_start(i - 1)
    return i >= len(t.tokens) - 2 and _SIGN_GAP.fullmatch(t.gap(i)) is not None


def unlisted_surname_after(t: _Text, end: int) -> int:
    """'mijn buurman wayan sudarsana': a lower-case word no list knows after a lower-case first name is its surname."""
    k = end + 1
    if k >= len(t.tokens) or not t.joined(k) or t.capitalised(k) or t.capitalised(end):
        return end
    w = t.lower[k]
    if _NAME_SHAPE.fullmatch(w) is None or w in lexicon.first_names() or _everyday(w):
        return end
    return k


# Endings of surnames of the origins above; a capitalised word with one of these after an unknown first name.
_ORIGIN_ENDINGS = re.compile(
    r"(?:[a-zà-ÿ]{2}(?:ov|ova|ev|eva|ski|ska|sky|cki|cka|dzki|dzka|wicz|czyk|czak|enko|chuk|czuk|iuk|yuk|escu|eanu|"
    r"oğlu|oglu|ović|ovic|ević|evic|vić|ić|opoulos|opoulou|idis|idou|akis|shvili|adze|yan|ian))$")


def origin_surname(t: _Text, i: int) -> bool:
    w = t.lower[i]
    return (t.capitalised(i) and not t.tokens[i][2].isupper() and len(w) >= 5 and _ORIGIN_ENDINGS.search(w) is not None
            and w not in _not_names() and w not in lexicon.common_words())


def unknown_first_before_origin_surname(t: _Text, i: int) -> int | None:
    """'Petar Ivanov', 'Desislava Georgieva', 'Oksana Kovalenko': the surname's index, or None."""
    if i + 1 >= len(t.tokens) or not t.joined(i + 1) or not t.capitalised(i) or t.tokens[i][2].isupper():
        return None
    w = t.lower[i]
    if len(w) < 3 or w in _not_names() or _everyday(w) or t.tokens[i][2].endswith("."):
        return None
    return i + 1 if origin_surname(t, i + 1) else None


# Words that make the name before or after them a firm's: 'Jansen Installatietechniek', 'De Vries Bouw B.V.'.
_FIRM_WORDS = frozenset("""
bouw bouwbedrijf bouwservice installatietechniek installatiebedrijf installaties installatie techniek elektro
elektrotechniek transport transporten logistiek makelaardij makelaars makelaar verhuizingen verhuur schilderwerken
schildersbedrijf schilders loodgieters loodgietersbedrijf dakwerken dakdekkers tegelwerken stukadoors
stukadoorsbedrijf hoveniers hoveniersbedrijf tuinen advies advocaten advocatuur notarissen notariaat accountants
administratie administraties consultancy holding groep bv b.v vof v.o.f zn zonen tandartsen tandartspraktijk
fysiotherapie keukens meubelen meubels tweewielers fietsen autobedrijf automotive autoservice bloemen catering
metaal metaalbewerking schoonmaak schoonmaakbedrijf beveiliging taxi uitvaart uitvaartzorg uitvaartverzorging
kozijnen glas timmerwerken timmerbedrijf onderhoud klussen klusbedrijf vastgoed verzekeringen hypotheken
assurantiën assurantien deurwaarders gerechtsdeurwaarders optiek opticiens juweliers mode vleeswaren kaas
bakkerij slagerij kapsalon rijschool garage grondverzet loonbedrijf hoveniers sloopwerken rioolservice
""".split())
_FIRM_AFTER = re.compile(r"[ \t\xa0]*(?:&|en)[ \t\xa0]*(?:zn|zonen|co|partners|dochters)\b\.?|[ \t\xa0]+b\.?v\.?(?!\w)",
                         re.IGNORECASE)
_NEXT_WORD = re.compile(r"[ \t\xa0]+([^\W\d_][\w.'’-]*)")


def firm_named(text: str, start: int, end: int) -> bool:
    """The name at text[start:end] is a firm's: a firm word after it on the same line ('Jansen Installatietechniek',
    'Jansen & Zn', 'De Vries B.V.')."""
    if _FIRM_AFTER.match(text, end):
        return True
    first = text[start:end].split(None, 1)[0].lower() if " " in text[start:end] else ""
    if first in _FIRM_WORDS or first.endswith(("bedrijf", "bedrijven")):
        return True  # the name's first word is the firm's kind: 'Timmerbedrijf Hoekstra'
    head = text[max(0, start - 40):start]
    before = head.split()[-1] if head[-1:] in " \t\xa0" and head.strip() else ""
    if before[:1].isupper() and before.isalpha() and (
            before.lower() in _FIRM_WORDS or before.lower().endswith(("bedrijf", "bedrijven"))):
        return True  # 'Schoonmaakbedrijf Van Dijk'
    m = _NEXT_WORD.match(text, end)
    if m is None:
        return False
    word = m.group(1).lower().rstrip(".")
    return word in _FIRM_WORDS and (m.group(1)[:1].isupper() or word in ("bv", "b.v", "vof", "v.o.f", "zn"))
