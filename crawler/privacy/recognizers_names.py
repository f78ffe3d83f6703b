"""Names and @mentions in free text, without a trained model.

A blank spaCy pipeline has no NER, so names of people who are not commenters ("Mijn buurman Pieter
Jansen ...") are found by shape plus context: two or more capitalised words, optionally joined by
Dutch tussenvoegsels (van, de, van der, ter, ...), directly after a word that introduces a person
(buurman, moeder, partner, "op naam van", ...). Shape alone is too weak in Dutch texts (every
sentence start and every proper noun is capitalised), so without context a candidate needs a known
common first name; the precision target is 90% on the demo platform's texts.
"""

from __future__ import annotations

import re

from crawler.privacy.recognizers import Match

TUSSENVOEGSELS = ("van der", "van den", "van de", "van 't", "in 't", "in de", "op de", "op den", "uit de",
                  "van", "de", "den", "der", "ter", "ten", "te", "het", "'t", "la", "le", "du", "da", "dos",
                  "el", "al", "bin", "ben", "von")
# Words that introduce a person; the name follows within a few words.
PERSON_CONTEXT = (
    "buurman", "buurvrouw", "buren", "vader", "moeder", "pa", "ma", "zoon", "dochter", "broer", "zus", "zuster",
    "partner", "man", "vrouw", "echtgenoot", "echtgenote", "vriend", "vriendin", "collega", "oom", "tante",
    "opa", "oma", "neef", "nicht", "schoonvader", "schoonmoeder", "zwager", "schoonzus", "baas", "werkgever",
    "huisgenoot", "kind", "klant", "cliënt", "client", "patiënt", "patient", "naam", "heet", "genaamd",
    "meneer", "mevrouw", "mevr.", "mw.", "dhr.", "de heer", "contactpersoon", "behandelaar", "ambtenaar",
    "medewerker", "ondertekend", "groet", "groeten", "gr.", "namens", "van", "met", "door", "aan",
)
# Common Dutch first names (CBS top lists and names common in the Netherlands), a weak signal on
# its own; with it, a name at a sentence start without a context word is still found.
FIRST_NAMES = frozenset("""
adam ahmed ahmet aisha alexander amber anna anne anouk arjen bart bas bram britt chantal daan dennis dirk
eline emma esra eva evi fatima femke fleur floor frank freek gerrit hanna hanneke hans henk hugo ilse ingrid
iris jan jasper jesse johan joke joost jeroen julia kees kevin koen lars lieke linda lisa lotte loes lucas
luuk maarten marieke mark martijn max mila milan mohamed mohammed mustafa nadia niels noah noor nina peter
pieter priya rik robin romy ruud sam sanne sara sarah sem sophie stefan sven thijs thomas tim tom wim willem
wouter yasmina youssef zeynep
""".split())
# Capitalised words that are not people even after a context word ("met Utrecht", "van Ministerie").
NOT_NAMES = frozenset("""
ministerie rijksoverheid gemeente overheid belastingdienst duo svb uwv cak knmi rdw digid nederland
nederlandse den haag amsterdam rotterdam utrecht zwolle groningen tilburg almere breda nijmegen enschede
haarlem arnhem leeuwarden maastricht delft bosch apeldoorn dordrecht assen middelburg lelystad emmen
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart april mei juni juli
augustus september oktober november december ik je jij u wij we zij hij ze het de een dit dat deze die
mijn jouw uw ons onze hun haar zijn waarom wat wie hoe waar wanneer ja nee dank bedankt groet graag
team webcare helpdesk klantenservice alvast succes sterkte hallo hoi beste geachte
""".split())

_CAP = r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)?"
_TV = "|".join(sorted((re.escape(t) for t in TUSSENVOEGSELS), key=len, reverse=True))
# First name, then optional capitalised middle names / particles, then a capitalised surname.
NAME_RE = re.compile(
    rf"(?<![\w@#/.-])(?P<first>{_CAP})(?:\s+(?:(?:{_TV})\s+)?(?:[A-Z][a-z]{{0,2}}\s+)?{_CAP}){{1,3}}(?![\w@-])"
)
_CONTEXT_RE = re.compile(
    r"(?<![\w])(?:" + "|".join(sorted((re.escape(w) for w in PERSON_CONTEXT), key=len, reverse=True))
    + r")\s*[:,]?\s*$",
    re.IGNORECASE,
)
# "@handle", not e-mail addresses (a word character before "@") nor CSS/JSDoc at-rules.
MENTION_RE = re.compile(r"(?<![\w@.%\\&#;])@(?P<h>[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,28}[A-Za-z0-9_])?)"
                        r"(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?(?![\w-])")
AT_RULES = frozenset("""
media import font-face keyframes supports charset page namespace layer container property counter-style
license preserve type param returns return typedef private public protected see example deprecated since
author version throws override const enum interface todo fileoverview class module global define
""".split())


def names(text: str) -> list[Match]:
    found = []
    for m in NAME_RE.finditer(text):
        words = [w for w in re.split(r"\s+", m.group(0)) if w]
        capitalised = [w for w in words if w[0].isupper()]
        if len(capitalised) < 2 or any(w.lower() in NOT_NAMES for w in capitalised):
            continue
        before = text[max(0, m.start() - 30):m.start()]
        contextual = bool(_CONTEXT_RE.search(before))
        known_first = m.group("first").lower() in FIRST_NAMES
        score = 0.3 + (0.5 if contextual else 0.0) + (0.3 if known_first else 0.0)
        if score >= 0.6:
            found.append(Match("name", m.start(), m.end(), min(score, 1.0)))
    return found


def mentions(text: str) -> list[Match]:
    return [Match("mention", m.start(), m.end(), 0.8)
            for m in MENTION_RE.finditer(text) if m.group("h").lower() not in AT_RULES and len(m.group("h")) >= 3]
