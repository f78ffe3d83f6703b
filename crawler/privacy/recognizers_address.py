"""Addresses as citizens write them: street + house number (the Dutch, Frisian and Flemish street words, any
case, with prefixes such as "Burgemeester de", "Van Gogh"), with or without postcode and place; a street
without a street word where the sentence says someone lives there or a postcode follows; a postcode with a
place. Amounts, distances and times after a number ("Kerkweg 12 km") are not house numbers; a public
building's, shop's or event's address is no third party's (split from recognizers_free.py)."""

from __future__ import annotations

import re

from crawler.privacy import lexicon
from crawler.privacy.recognizers import _MONTH_RE, _NOT_POSTCODE_LETTERS, Match, folded

STREET_SUFFIXES = ("straatweg", "dwarsstraat", "straat", "laan", "weg", "plein", "gracht", "kade", "dijk", "singel",
                   "hof", "pad", "steeg", "dreef", "park", "plantsoen", "markt", "baan", "ring", "wal", "haven",
                   "burg", "veld", "erf", "hoek", "dam", "allee", "boulevard", "zijde", "kamp", "wetering", "vaart",
                   "sloot", "brug", "poort", "kwartier", "hove", "oord", "hoeve", "gaarde", "akker", "horst", "donk",
                   "dijkje", "weide", "heide", "promenade", "passage", "galerij", "kanaal", "tuin", "tuinen", "laantje",
                   "steegje", "pleintje", "stede", "staete", "veste", "vest", "kerkhof", "hof", "werf", "straatje",
                   "lei", "berg", "heuvel", "rak", "wijk", "kreek", "zoom", "einde", "beemd", "rade", "acker",
                   "str.", "str",  # 'Kerkstr. 12', 'Dorpsstr 5': the abbreviation people write
                   # Frisian ('Haadstrjitte', 'Wâldwei', 'Skoalleane', 'Seedyk'), Flemish ('Scheldekaai', 'Kerkwegel')
                   "strjitte", "strjitsje", "wei", "leane", "dyk", "buorren", "paed", "tún", "wâl", "hiem", "loane",
                   "feart", "kaai", "wegel", "dries", "kouter", "meers")
NOT_STREETS = frozenset(("gerechtshof", "snelweg", "autoweg", "fietspad", "voetpad", "onderweg", "halverwege",
                         "hof", "weg", "straat", "pad", "park", "markt", "baan", "ring", "wal", "haven", "veld",
                         "hoek", "dam", "kamp", "brug", "poort", "tuin", "berg", "heuvel", "wijk", "werf", "einde",
                         "rijbaan", "spoorweg", "uitweg", "omweg", "zijweg", "rijksweg", "provinciale", "rotonde",
                         "bouwplaats", "kerkhof", "speeltuin", "buurt", "woonwijk", "jaargang", "ziekenhuis", "wei",
                         "dyk", "kaai", "dries", "tún", "paed", "wâl", "hiem", "feart", "meers", "kouter", "loane",
                         "wegel", "leane"))
STREET_PREFIXES = ("van", "de", "der", "den", "het", "'t", "ter", "ten", "oude", "nieuwe", "korte", "lange", "hoge",
                   "lage", "sint", "st.", "burg.", "dr.", "prof.", "mr.", "ir.", "prins", "prinses", "koningin",
                   "koning", "eerste", "tweede", "derde", "kleine", "grote", "achter", "voor", "binnen", "buiten",
                   "noord", "zuid", "oost", "west", "burgemeester", "generaal", "president", "professor", "dokter",
                   "pastoor", "kapitein", "admiraal", "graaf", "hertog", "jonkheer", "willem", "jan", "johan",
                   "hendrik", "pieter", "koningin", "emma", "wilhelmina", "juliana", "beatrix", "mgr.", "pater")
_SUFFIX_RE = "|".join(re.escape(x) for x in sorted(STREET_SUFFIXES, key=len, reverse=True))
_PREFIX_RE = "|".join(re.escape(p) for p in sorted(set(STREET_PREFIXES), key=len, reverse=True))
_UNITS = (r"(?:%|euro|eur\b|€|km|m\b|meter|kilometer|jaar|jaren|uur|min\b|minuten|keer|procent|x\b|kg|cm|mm|dagen|"
          r"weken|maanden|seconden|sec\b|graden|mensen|woningen|huizen|bomen|auto|bus\b(?![ \t\xa0]*\d)|lijn\b|"
          + _MONTH_RE + r")")
# What follows a house number: '3a', '12 A', '88-II', '17 II', '112 bis', '12-bis', '12 hs', '12 zw', '401-3',
# '1127-a', Belgian '12 bus 3' and '12/3'.
HOUSE_NUMBER_ADD = (r"[ \t\xa0]?-?[ \t\xa0]?(?:bis|hs|huis|bg|boven|rd|zw|sous)\b|[ \t\xa0]?[a-zA-Z]\b(?:-\d{1,3}\b)?"
                    r"|-\d{1,4}\b|-[IVX]{1,4}\b|[ \t\xa0](?-i:[IVX]{1,4})\b|[ \t\xa0]?-[ \t\xa0]?[a-zA-Z]\b"
                    r"|,?[ \t\xa0]+bus[ \t\xa0]*\d{1,4}\b|/\d{1,3}\b")
_STREET_RE = re.compile(
    r"(?<![\w'-])(?P<pre>(?:(?:(?-i:[A-Z])[\w'.-]*|" + _PREFIX_RE + r")[ \t\xa0]+){0,3})"
    # A space or comma between street and number: "vandenheuvel1952" is a user name, not an address.
    r"(?P<street>[A-Za-zÀ-ÿ'.-]*(?:" + _SUFFIX_RE + r"))(?:[ \t\xa0]*,[ \t\xa0]*|[ \t\xa0]+|(?<=\.))"
    r"(?:nr\.?[ \t\xa0]*)?"
    r"(?P<nr>[1-9]\d{0,3})"
    r"(?P<add>" + HOUSE_NUMBER_ADD + r")?"
    r"(?![\d,.]?\d)(?![ \t\xa0]*" + _UNITS + r")"
    # A Dutch postcode, or a Belgian one before the place ('12 bus 3, 9000 Gent').
    r"(?P<pc>,?[ \t\xa0]+(?:[1-9]\d{3}[ \t\xa0]?[A-Za-z]{2}\b|(?:B-)?[1-9]\d{3}(?=[ \t\xa0]+(?-i:[A-Z]))))?",
    re.IGNORECASE)
# The street word first: "Laan van Meerdervoort 23", "Plein 1944"-less forms, "Kade van het Noorden 4".
_STREET_FIRST_RE = re.compile(
    r"(?<![\w'-])(?:laan|plein|weg|kade|singel|dreef|hof|straat|park|burgwal|gracht|dijk|markt)[ \t\xa0]+"
    r"(?:van|der|de|den|het|op|ten|te|tot|in|aan|naar|achter|over|bij)(?:[ \t\xa0]+(?:de|der|den|het|'t))?"
    r"[ \t\xa0]+(?!nummer\b|huisnummer\b)[A-Za-zÀ-ÿ][\w'-]+(?:[ \t\xa0]+[A-Z][\w'-]+)?"
    r"[ \t\xa0]+[1-9]\d{0,3}(?:[ \t\xa0]?[a-zA-Z]\b|-\d{1,4}\b)?"
    r"(?![\d,.]?\d)(?![ \t\xa0]*" + _UNITS + r")", re.IGNORECASE)
_POSTCODE_PLACE_RE = re.compile(r"(?<![\w#/.-])[1-9]\d{3}[ \t\xa0]?[A-Za-z]{2}"
                                r"(?:,?[ \t\xa0]+(?:nr\.?[ \t\xa0]*)?\d{1,5}"
                                r"(?:-\d{1,4}|[a-zA-Z]{1,3})?)?(?=,?[ \t\xa0]+(?:te[ \t\xa0]+)?\w)")
_PLACE_AFTER = re.compile(r",?[ \t\xa0]+(?:te[ \t\xa0]+|in[ \t\xa0]+)?(?P<place>(?:'s-|den\s)?[A-Za-zÀ-ÿ][\w'-]+"
                          r"(?:[ \t\xa0-](?:aan|op|den|de|[A-Z])[\w'-]*(?:[ \t\xa0][A-Z][\w'-]+)?)?)")



# A place of several words: 'Alphen aan den Rijn', 'Bergen op Zoom', 'Capelle aan den IJssel', 'Wijk bij Duurstede',
# 'Berkel en Rodenrijs', 'Hoek van Holland', 'De Bilt', 'Sint Michielsgestel'.
_MULTI_PLACE = re.compile(r",?[ \t\xa0]+(?:(?:te|in)[ \t\xa0]+)?(?P<place>(?:(?:[A-Z][\w'-]+|[a-z][\w'-]+)[ \t\xa0]+"
                          r"(?:aan|op|bij|en|ter|ten|van|onder|over|a/d|a\.d\.)(?:[ \t\xa0]+(?:de|den|het|'t))?"
                          r"|(?:De|Den|Het|'t|Sint|St\.)|(?:de|den|het|sint))[ \t\xa0]+[\w'-]+)")


def _multi_place_end(text: str, end: int, after_postcode: bool) -> int | None:
    m = _MULTI_PLACE.match(text, end)
    if m is None:
        return None
    place = m.group("place")
    words = place.split()
    key = re.sub(r"[\s_-]+", "", place.lower())
    known = key in lexicon.public_parts().get("municipalities", frozenset()) or key in lexicon.places_and_regions()
    marked = after_postcode or m.group(0).lstrip()[:1] == "," or re.match(r",?\s+(?:te|in)\s", m.group(0)) is not None
    capitals = words[0][:1].isupper() and words[-1][:1].isupper()
    if known or (capitals and "en" not in words and (marked or words[0].lower() in lexicon.places())):
        return m.end()
    return None


def _place_end(text: str, end: int, after_postcode: bool) -> int:
    """The end of a place name right after an address (a comma or 'te' needed without postcode)."""
    multi = _multi_place_end(text, end, after_postcode)
    if multi is not None:
        return multi
    m = _PLACE_AFTER.match(text, end)
    if not m:
        return end
    place = m.group("place")
    known = place.lower() in lexicon.places() or place.split()[0].lower() in lexicon.places()
    marked = m.group(0).lstrip()[:1] == "," or re.match(r",?\s+(?:te|in)\s", m.group(0)) is not None
    if known or (place[:1].isupper() and (after_postcode or marked) and place.lower() not in _NOT_PLACE):
        return m.end() if known or len(place.split()) == 1 else m.start("place") + len(place.split()[0])
    return end


_NOT_PLACE = frozenset("""
en de het ik we wij maar dus want graag kunnen kan is waar wat hoe of bij dat die dit ze zij hij u jullie
""".split())


# Where a street word meets a house number: the full pattern only runs around these (speed: the
# full pattern tried at every position costs seconds per megabyte of captured script).
_NUMBER_AFTER_WORD = re.compile(r"(?<=[A-Za-zÀ-ÿ.])[ \t\xa0]*,?[ \t\xa0]*(?:nr\.?[ \t\xa0]*)?[1-9]")
_WORD_BEFORE = re.compile(r"[A-Za-zÀ-ÿ'-]+\.?$")
_STREET_FIRST_ANCHOR = re.compile(r"(?<![\w'-])(?:laan|plein|weg|kade|singel|dreef|hof|straat|park|burgwal|gracht|dijk|"
                                  r"markt)[ \t\xa0]+(?:van|der|de|den|het|op|ten|te|tot|in|aan|naar|achter|over|bij)\b",
                                  re.IGNORECASE)


def _street_matches(text: str) -> list[re.Match[str]]:
    seen: dict[tuple[int, int], re.Match[str]] = {}
    last_end = -1
    for number in _NUMBER_AFTER_WORD.finditer(text):
        # The word before the number ends as its last 13 characters do: no street suffix there, no street.
        if not text[max(0, number.start() - 13):number.start()].rstrip(".").lower().endswith(STREET_SUFFIXES):
            continue
        word = _WORD_BEFORE.search(text, max(0, number.start() - 40), number.start())
        if word is None or not word.group(0).rstrip(".").lower().endswith(STREET_SUFFIXES):
            continue
        anchor = word
        if anchor.start() < last_end:
            continue
        for m in _STREET_RE.finditer(text, max(0, anchor.start() - 120), min(len(text), anchor.end() + 40)):
            if m.start() <= anchor.start() < m.end():
                seen.setdefault(m.span(), m)
                last_end = max(last_end, m.end())
    return [seen[k] for k in sorted(seen)]


_PO_BOX_BEFORE = re.compile(r"(?:postbus|antwoordnummer|p\.?o\.? box)\s*\d+\s*,?\s*$", re.IGNORECASE)
# '<place>, <street> <number>': the place written before the street belongs to the address.
_PLACE_BEFORE = re.compile(r"(?P<place>(?:'s-)?[A-Z][\w'-]+(?:[ -][A-Z][\w'-]+)?),[ \t\xa0]*$")


def _place_start(text: str, start: int) -> int:
    from crawler.privacy import lexicon

    m = _PLACE_BEFORE.search(text, max(0, start - 40), start)
    return m.start() if m and m.group("place").lower() in lexicon.places() else start


# A street without a street word ('Aveling 7', 'Nieuwestad 41', 'Oudegracht-less' names) is an address
# when the sentence says someone lives there ('ik woon op ...', 'wij wonen in Hoogvliet, ...', Frisian
# 'ik wenje op ...', 'adres: ...') or a postcode follows the number ('Aveling 7, 3192 KL').
_RESIDENCE = (r"(?<![\w-])(?:woon|woont|wonen|woonde|woonden|wonende|woonachtig|wenje|wennet|wenje|verhuisd|verhuizen|"
              r"adres|huisadres|postadres|live|lives|living)\b")
_BARE_STREET = (r"(?P<street>[A-Za-zÀ-ÿ][\w'-]+(?:[ \t\xa0]+(?:[A-Z][\w'-]+|van|de|der|den|het|'t)){0,3})"
                r"[ \t\xa0]+(?:nr\.?[ \t\xa0]*)?[1-9]\d{0,3}(?:[ \t\xa0]?[a-zA-Z]\b|-\d{1,4}\b|-[IVX]{1,4}\b)?"
                r"(?![\d,.]?\d)(?![ \t\xa0]*" + _UNITS + r")")
_LIVES_AT_RE = re.compile(
    _RESIDENCE + r"(?:[ \t\xa0]+[\w']+){0,2}?[ \t\xa0]*(?:[ \t\xa0](?:op|oan|aan|at|on|naar|nei)|[ \t\xa0]is|:)"
    r"[ \t\xa0]+(?P<where>(?:(?:de|het|'t|the)[ \t\xa0]+)?" + _BARE_STREET + r")"
    r"|" + _RESIDENCE + r"(?:[ \t\xa0]+[\w']+){0,2}?[ \t\xa0]+(?:in|yn|te)[ \t\xa0]+"
    r"(?P<where2>(?-i:[A-Z])[\w'-]+(?:[ -](?-i:[A-Z])[\w'-]+)?,[ \t\xa0]*(?-i:" + _BARE_STREET.replace("?P<street>", "")
    + r"))", re.IGNORECASE)
_BARE_STREET_PC_RE = re.compile(r"(?<![\w'-])(?:(?:de|het|'t)[ \t\xa0]+)?(?-i:[A-Z])[\w'-]+"
                                r"(?:[ \t\xa0]+(?:(?-i:[A-Z])[\w'-]+|(?-i:van|de|der|den|het))){0,3}"
                                r"[ \t\xa0]+[1-9]\d{0,3}(?:[ \t\xa0]?[a-zA-Z]\b|-\d{1,4}\b)?,?"
                                r"[ \t\xa0]*(?:\r?\n|[ \t\xa0])[ \t\xa0]*[1-9]\d{3}[ \t\xa0]?[A-Za-z]{2}\b",
                                re.IGNORECASE)
# A street named with a capitalised article and no street word, within a sentence ('bezorgd op Het Want 12',
# 'wij zitten op De Kade 3, Lelystad'): the number ends the clause (no count of things after it).
_ARTICLE_STREET_RE = re.compile(r"(?<![\w'-])(?:De|Het|'t)[ \t\xa0]+[A-Z][\w'-]+(?:[ \t\xa0]+[A-Z][\w'-]+)?"
                                r"[ \t\xa0]+[1-9]\d{0,3}(?:" + HOUSE_NUMBER_ADD + r")?(?![\d,.]?\d)"
                                r"(?=[ \t\xa0]*(?:$|[,.;:!?)\n])|[ \t\xa0]+(?:te|in|[1-9]\d{3})\b)")
_NOT_BARE_STREET = frozenset("""
nummer huisnummer nr etage verdieping hoog kamer flat appartement unit blok portiek bus lijn groep klas week
dag jaar pagina stap fase de het een mijn ons onze zijn haar hun nog al sinds sind ook wel postbus antwoordnummer
hoofdstuk artikel art paragraaf bijlage versie route zaak dossier kenmerk
""".split())


_RESIDENCE_HINT = ("woon", "wonen", "wenje", "wennet", "verhui", "adres", "liv")


def _bare_streets(text: str) -> list[Match]:
    found = []
    fold = folded(text)
    for m in _LIVES_AT_RE.finditer(text) if any(h in fold for h in _RESIDENCE_HINT) else ():
        group = "where" if m.group("where") else "where2"
        words = m.group(group).split()
        first = (words[1] if len(words) > 1 and words[0].lower() in _ARTICLES else words[0]).lower().rstrip(",")
        named = len(words) > 1 and words[0].lower() in _ARTICLES and words[1][:1].isupper()  # 'het Want 12'
        if first in _NOT_BARE_STREET or (first in _NOT_PLACE and not named):
            continue
        start = m.start(group)
        found.append(Match("address", _after_article(text, start, words), _place_end(text, m.end(group), False), 0.7))
    for m in _BARE_STREET_PC_RE.finditer(text):
        words = m.group(0).split()
        article = words[0].lower() in _ARTICLES  # 'Het Want 12': a capital after the article names the street
        if words[article].lower() in (_NOT_BARE_STREET if article else _NOT_BARE_STREET | _NOT_PLACE):
            continue
        found.append(Match("address", _after_article(text, m.start(), words), _place_end(text, m.end(), True), 0.7))
    for m in _ARTICLE_STREET_RE.finditer(text):
        before = text[max(0, m.start() - 3):m.start()].rstrip()
        name = m.group(0).split()[1].lower()
        if not before or before[-1] in ".!?\n:\"'(" or name in _NOT_BARE_STREET or name in lexicon.places():
            continue  # a sentence starting with 'De ...', a place ('in Het Gooi')
        found.append(Match("address", m.start(), _place_end(text, m.end(), False), 0.7))
    return found


_ARTICLES = frozenset(("de", "het", "'t", "the"))


def _after_article(text: str, start: int, words: list[str]) -> int:
    """Where the address starts: after an article before a compound street or a lower-case word ('op de Kerkstraat
    5'); at the article when it names a one-word street ('de Kade 3', 'Het Want 12')."""
    if len(words) < 2 or words[0].lower() not in _ARTICLES:
        return start
    first = words[1].lower().rstrip(",")
    if first.endswith(STREET_SUFFIXES) and first not in NOT_STREETS and first not in STREET_SUFFIXES or (
            not words[1][:1].isupper()):
        return text.index(words[1], start)
    return start


# Common nouns that end in a street word ('de vergadering 12', 'paspoort 2 keer', 'woningmarkt 2024',
# 'volkstuin 12', 'tennisbaan 3'): a meeting, a document, a market, a plot or a court, not a street.
_NOUN_STREETS = frozenset("""
antwoord woord akkoord wachtwoord trefwoord paspoort voetbalveld sportveld speelveld grasveld hockeyveld korfbalveld
werkveld loopbaan ijsbaan atletiekbaan tennisbaan padelbaan bowlingbaan landingsbaan startbaan kartbaan zomerkamp
trainingskamp vluchtelingenkamp woningmarkt arbeidsmarkt huizenmarkt kerstmarkt weekmarkt jaarmarkt rommelmarkt
vlooienmarkt energiemarkt moestuin volkstuin dierentuin nieuwbouwwijk vinexwijk jachthaven zeehaven vakantiepark
attractiepark pretpark ziekenhuis wijkteam
""".split())
# An organisation's building named just before the address: the town hall's, the library's, the community
# centre's or the recycling yard's address is no third party's ('het stadhuis aan het Stadhuisplein 1').
_VENUE_BEFORE = re.compile(r"\b(?:stadhuis|gemeentehuis|raadhuis|stadskantoor|gemeentekantoor|politiebureau|"
                           r"bibliotheek|bieb|ziekenhuis|buurthuis|wijkcentrum|dorpshuis|buurtcentrum|milieustraat|"
                           r"afvalbrengstation|milieupark|sporthal|zwembad|school|kerk|moskee|theater|museum|"
                           r"station|supermarkt|winkel|kantoor|servicepunt|loket|balie|bezoekadres|vestiging|"
                           r"gevestigd|inloop\w*|informatieavond|bewonersavond|bijeenkomst|spreekuur|stembureau|"
                           r"\w*locatie|huisartsenpost|apotheek|restaurant|café|cafe|hotel|town hall|city hall|"
                           r"library|hospital|venue|jumbo|albert heijn|lidl|aldi|hema|kruidvat|action|etos|gamma|"
                           r"praxis|ikea|werkzaamheden|afsluiting|wegafsluiting|omleiding|braderie|evenement|festival|"
                           r"concert|kermis|rommelmarkt|opening)\b", re.IGNORECASE)
_SOMEONES = re.compile(r"\b(?:ik|mijn|wij|we|ons|onze|mij|me|hij|zij|ze|zijn|haar|hun|buurman|buurvrouw|"
                       r"moeder|vader|oma|opa|i|my|our|his|her|their)\b|" + _RESIDENCE, re.IGNORECASE)


def _venue(text: str, start: int) -> bool:
    """A public building or event named in the same sentence before the address, and nobody's home."""
    sentence = re.split(r"[.!?\n]\s", text[max(0, start - 80):start])[-1]
    return _VENUE_BEFORE.search(sentence) is not None and _SOMEONES.search(sentence) is None


def _noun_street(street: str) -> bool:
    lower = street.lower().strip(".")
    return lower in _NOUN_STREETS or (lower.endswith("ering") and not lower.endswith("erring")) or (
        lower in lexicon.places())


def addresses(text: str) -> list[Match]:
    return [m for m in _addresses(text) if not _venue(text, m.start)]


def _addresses(text: str) -> list[Match]:
    found = _bare_streets(text)
    for m in _street_matches(text):
        street = m.group("street")
        lower = street.lower().strip(".")
        pre = m.group("pre")
        if (lower in NOT_STREETS or _noun_street(street)) and not pre.strip():
            continue
        if lower.endswith("str") and (not street[:1].isupper() or len(lower) < 6):
            continue  # 'Kerkstr 12' and 'kerkstr. 12', not a glued lower-case word ('ministr 2')
        if any(lower.endswith(x) for x in ("gerechtshof", "snelweg", "fietspad", "onderweg", "halverwege", "rijbaan")):
            continue
        start = m.start()
        # An article or the sentence's first word before the street is not part of the address.
        words = pre.split()
        while words and (words[0].lower() in ("de", "het", "'t", "op", "aan", "in", "bij") or (
                words[0][:1].isupper() and words[0].lower() in _NOT_PLACE)):
            if len(words) == 1 and words[0].lower() in _ARTICLES and street[:1].isupper() and (
                    lower in STREET_SUFFIXES or lower in NOT_STREETS):
                break  # 'de Kade 3', 'De Brink 4': the article is part of a one-word street's name
            start = text.index(words[0], start) + len(words[0])
            start += len(text[start:]) - len(text[start:].lstrip())
            words = words[1:]
        if (lower in NOT_STREETS or _noun_street(street)) and not (words and street[:1].isupper()):
            continue
        end = _place_end(text, m.end(), bool(m.group("pc")))
        found.append(Match("address", _place_start(text, start), end, 0.85))
    for anchor in _STREET_FIRST_ANCHOR.finditer(text):
        m = _STREET_FIRST_RE.match(text, anchor.start())
        if m:
            found.append(Match("address", m.start(), _place_end(text, m.end(), False), 0.8))
    for m in _POSTCODE_PLACE_RE.finditer(text):
        window = folded(text[max(0, m.start() - 24):m.start()])
        if ("postbus" in window or "antwoordnummer" in window or "box" in window) and _PO_BOX_BEFORE.search(
                text, max(0, m.start() - 24), m.start()):
            continue  # 'Postbus 9090, 6800 GX Arnhem': an organisation's address
        end = _place_end(text, m.end(), True)
        letters = re.match(r"\d{4}\s?([A-Za-z]{2})", m.group(0)).group(1)
        if end > m.end() and (letters.isupper() or letters.lower() not in _NOT_POSTCODE_LETTERS):
            found.append(Match("address", m.start(), end, 0.8))
    return found
