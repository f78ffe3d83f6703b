"""Pattern recognisers for Dutch personal data: regex + checksum/format validation + context words.

Pure Python (stdlib `re`), so they run anywhere; `recognizers_presidio.py` wraps the same specs as
Presidio recognisers. A match is kept when it validates and its score, raised by context words
found just before it, reaches the spec's threshold. Boundaries are written so that a value inside a
longer number, identifier or URL-encoded sequence is not mistaken for one (a 9-digit BSN inside an
18-digit post id, say), because a derivative with rewritten JS or ids would no longer replay.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

# Digits not glued to other digits, decimal points or letters.
_NUM_L = r"(?<![\w.,/+-])"
_NUM_R = r"(?![\w]|[.,]\d)"
# "@" as it appears in text, URL-encoded, JSON-escaped or as an HTML entity.
AT = r"(?:@|%40|\\u0040|&#64;|&#x40;|&commat;)"
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december", "jan", "feb", "mrt", "apr", "jun", "jul", "aug", "sep",
          "sept", "okt", "nov", "dec")
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
# Licence-plate letters: the RDW never issues vowels (nor C, Q, M, W, Y in current series); older
# sidecodes did use some of them, so the validator accepts any consonant and rejects vowels.
_PL = "[BCDFGHJKLMNPQRSTVWXZ]"


@dataclass(frozen=True)
class Match:
    type: str
    start: int
    end: int
    score: float


@dataclass
class PatternSpec:
    """One PII type: patterns with base scores, an optional validator, context words that raise
    the score when they occur within `context_chars` before the match, and the keep threshold."""

    type: str
    patterns: list[tuple[str, float]]
    validate: Callable[[str], bool] | None = None
    context: tuple[str, ...] = ()
    context_chars: int = 40
    threshold: float = 0.5
    flags: int = 0
    group: str | None = None  # named group holding the value (the rest is anchoring context)
    negative: tuple[str, ...] = ()  # words before it that make it not a third party's (an organisation's number)
    hint: tuple[str, ...] = ()  # substrings one of which every match holds: the spec is skipped without them
    exclude: Callable[[str, int], bool] | None = None  # (text, start) -> not a third party's value there
    compiled: list[tuple[re.Pattern[str], float]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.compiled = [(re.compile(p, self.flags), s) for p, s in self.patterns]


def bsn_valid(value: str) -> bool:
    """11-proof: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 divisible by 11 (and not all zero)."""
    digits = [int(c) for c in re.sub(r"\D", "", value)]
    if len(digits) != 9:
        return False
    total = sum(d * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    return total % 11 == 0 and total != 0


# IBAN lengths (ISO 13616 registry) of the countries whose accounts Dutch residents most often hold: SEPA
# and the countries of origin of larger communities. A known country's exact length and mod-97 together.
IBAN_LENGTHS = {"NL": 18, "BE": 16, "DE": 22, "LU": 20, "FR": 27, "GB": 22, "IE": 22, "ES": 24, "PT": 25,
                "IT": 27, "AT": 20, "CH": 21, "DK": 18, "SE": 24, "NO": 15, "FI": 18, "PL": 28, "CZ": 24,
                "SK": 24, "HU": 28, "RO": 24, "BG": 22, "GR": 27, "HR": 21, "SI": 19, "LT": 20, "LV": 21,
                "EE": 20, "MT": 31, "CY": 28, "TR": 26, "UA": 29, "MA": 28, "TN": 24, "DZ": 26}


def iban_valid(value: str) -> bool:
    """ISO 13616 mod-97 and the country's length (a Dutch NLkk BANK + 10 digits, a Belgian BEkk + 12 digits...)."""
    raw = re.sub(r"\s", "", value).upper()
    if IBAN_LENGTHS.get(raw[:2]) != len(raw) or not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", raw):
        return False
    if raw.startswith("NL") and not re.fullmatch(r"NL\d{2}[A-Z]{4}\d{10}", raw):
        return False
    return int("".join(str(int(c, 36)) for c in raw[4:] + raw[:4])) % 97 == 1


def phone_valid(value: str) -> bool:
    """Ten national digits; not the organisations' ranges (088 company numbers, 0800/090x services)."""
    digits = normalise_phone(value)
    return (len(digits) == 10 and digits.startswith("0") and digits[1] != "0"
            and not digits.startswith(("088", "0800", "0900", "0906", "0909")))


def normalise_phone(value: str) -> str:
    """National 10-digit form: '+31 6 1234 5678' -> '0612345678'."""
    digits = re.sub(r"\D", "", value.replace("(0)", ""))
    if value.strip().startswith("+31") or digits.startswith("0031"):
        digits = "0" + digits[4:] if digits.startswith("0031") else "0" + digits[2:]
        digits = digits[1:] if digits.startswith("00") else digits  # '+31 06 ...': the trunk 0 written too
    return digits


# Country codes of the numbers Dutch citizens most often give besides their own: the neighbours, the UK,
# Europe, Turkey, the Maghreb, Suriname, the Caribbean parts of the Kingdom, North America, Indonesia.
# Also Eastern Europe, the Balkans, the Middle East, the Horn of Africa, West Africa and Asia (origin countries
# of larger communities: Bulgaria, Ukraine, Romania, Syria, Eritrea, Nigeria, Ghana, China, India...).
FOREIGN_CODES = ("1", "20", "27", "30", "32", "33", "34", "351", "352", "353", "36", "39", "40", "41", "43", "44",
                 "45", "46", "47", "48", "49", "62", "90", "212", "213", "216", "297", "420", "597", "599",
                 "7", "55", "57", "63", "66", "84", "86", "91", "92", "93", "98", "233", "234", "251", "252",
                 "291", "355", "359", "370", "371", "372", "373", "375", "380", "381", "385", "386", "387", "421",
                 "961", "962", "963", "964", "971", "880")
_FOREIGN_CC = "|".join(sorted(FOREIGN_CODES, key=len, reverse=True))
_FSEP = r"(?:[ \t\xa0]?[-./][ \t\xa0]?|[ \t\xa0])?"


def foreign_phone_valid(value: str) -> bool:
    """A subscriber number of 7 to 12 digits after the country code (the '(0)' trunk digit aside)."""
    m = re.match(r"(?:\+|00)(" + _FOREIGN_CC + r")", value)
    if m is None:
        return False
    national = re.sub(r"\D", "", value[m.end():].replace("(0)", "").replace("( 0 )", ""))
    return 7 <= len(national.lstrip("0")) <= 12 and len(set(national)) > 2


def plate_valid(value: str) -> bool:
    """One of the fourteen Dutch sidecodes; vowels never occur (so 'NL-12-AB'-like words fail)."""
    groups = value.upper().split("-")
    if len(groups) != 3 or any(not g for g in groups) or sum(map(len, groups)) != 6:
        return False
    shape = "-".join("9" * len(g) if g.isdigit() else "X" * len(g) if g.isalpha() else "?" for g in groups)
    if shape not in SIDECODES or re.search("[AEIOUY]", value.upper()):
        return False
    return True


SIDECODES = ("XX-99-99", "99-99-XX", "99-XX-99", "XX-99-XX", "XX-XX-99", "99-XX-XX", "99-XXX-9",
             "9-XXX-99", "XX-999-X", "X-999-XX", "XXX-99-X", "X-99-XXX", "9-XX-999", "999-XX-9")


def _sidecode_regex() -> str:
    parts = []
    for code in SIDECODES:
        groups = ["(?:" + (r"\d" if g[0] == "9" else _PL) + "{" + str(len(g)) + "})" for g in code.split("-")]
        parts.append("-".join(groups))
    return r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])"


def birthdate_valid(value: str) -> bool:
    years = re.findall(r"(?:19|20)\d\d", value)
    return bool(years) and 1900 <= int(years[-1]) <= 2025


_SEP = r"(?:[ \t\xa0]?[-./–‑][ \t\xa0]?|[ \t\xa0])?"  # hyphen, dot, slash, en dash, non-breaking hyphen
_SEP_REQ = r"(?:[ \t\xa0]?[-./–‑][ \t\xa0]?|[ \t\xa0])"
_HOUSE_NR = (r"(?:,?[ \t\xa0]+(?:nr\.?[ \t\xa0]*)?\d{1,5}(?:-\d{1,4}|[A-Za-z]{1,3}\b|[ \t\xa0](?:bis|hs|[A-Z])\b)?"
             r"(?!\s*(?:%|euro|eur|km|uur)))?")
# Words that make a number the organisation's, not a citizen's ("bel de gemeente op 020-...").
ORGANISATION_WORDS = ("gemeente", "belastingdienst", "klantenservice", "helpdesk", "servicenummer", "informatienummer",
                      "ministerie", "uwv", "svb", "duo", "cak", "rdw", "politie", "kantoor", "bedrijf", "ziekenhuis",
                      "apotheek", "huisartsenpost", "balie", "alarmnummer", "storingsnummer", "belastingtelefoon",
                      "toeslagen", "ggd", "infolijn", "hulplijn", "klantcontact", "waterschap", "provincie",
                      "veiligheidsregio", "ambassade", "embassy", "meld", "melden", "meldpunt", "tiplijn", "tiplijn",
                      "opsporing", "webcare", "our phone", "our phone lines")
# Two-letter words that follow a number in lower case ("1500 en", "2024 is"): not a postcode then.
_NOT_POSTCODE_LETTERS = frozenset("""
en de is in op om te al ik je we ze er na of nu uw zo ja tm td dd mb kb gb km cm mm kg pm am ha ml cc nr st jr
ex pp hh ct ca wk hr mn sr dr mr bv nv
px pt em vh vw ms fr ch dp sp
""".split())  # the last line: CSS and layout units ("1000px", "12em" in style sheets and inline styles)


# Addresses of organisations' desks, and domains of public bodies: not a third party's address.
_ORG_MAILBOX = re.compile(r"^(?:info|contact|vergunningen|klantenservice|servicedesk|helpdesk|noreply|no-reply|post|"
                          r"secretariaat|gemeente|support|webcare|pers|communicatie|klachten|receptie|aanmelden|aanmelding|inschrijven|"
                          r"inschrijving|vrijwilligers|administratie|ledenadministratie|redactie|bestuur|penningmeester|"
                          r"facturen|afspraken|reserveringen|loket|balie|kantoor|events|evenementen|werkenbij|vacatures)(?=@|%40|&#)|"
                          r"(?:@|%40|&#64;)(?:[\w.-]*\.)?(?:gemeente[\w-]*|[\w-]*overheid|belastingdienst|politie|"
                          r"minvws|minbzk|uwv|svb|duo|rivm|rws|vng|ipo|uvw|cjib|ind|rdw|cbr)\.nl$", re.IGNORECASE)


_DOMAIN = re.compile(r"(?:@|%40|&#64;)(?:[\w-]+\.)*?([\w-]+)\.nl$", re.IGNORECASE)


def email_personal(value: str) -> bool:
    """Not a desk's mailbox, and not at a public body's or a municipality's own domain (`@eindhoven.nl`,
    `@knmi.nl`): citizens do not get addresses there."""
    if _ORG_MAILBOX.search(value) is not None:
        return False
    domain = _DOMAIN.search(value)
    if domain:
        from crawler.privacy import lexicon  # lists load once, on the first e-mail address

        name = domain.group(1).lower()
        if name in lexicon.places() or name in lexicon.public_bodies() or lexicon.is_public_body(name):
            return False
    return True


def postcode_valid(value: str) -> bool:
    m = re.match(r"\d{4}\s*([A-Za-z]{2})", value)
    if not m:
        return False
    letters = m.group(1)
    if letters.upper() in ("SA", "SD", "SS"):
        return False
    return letters.isupper() or letters.lower() not in _NOT_POSTCODE_LETTERS


SPECS: list[PatternSpec] = [
    PatternSpec(
        "email",
        # Not after '@': '@knmi@mastodon.nl' is a fediverse handle (a mention, public bodies' stay). '@@': a typo.
        [(r"(?<![\w.+%@-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@?" + AT
          + r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![\w-])", 0.9)],
        validate=email_personal,
        context=("mail", "e-mail", "adres", "stuur"),
    ),
    PatternSpec(
        "iban",
        [(r"(?<![\w])NL\d{2}\s?[A-Z]{4}\s?\d{4}\s?\d{4}\s?\d{2}(?!\d)", 0.6),
         # other countries' accounts, in groups of four as printed or run together (length checked per country)
         # (case-sensitive: a lower-case word after it, 'aub', is no group of the account number)
         (r"(?-i:(?<![\w])(?!NL)[A-Z]{2}\d{2}(?:[ \t\xa0]?[A-Z0-9]{4}){2,6}(?:[ \t\xa0]?[A-Z0-9]{1,3})?(?![\w]))",
          0.6)],
        validate=iban_valid,
        exclude=lambda text, start: org_owned(text, start),
        context=("iban", "rekening", "gestort", "overmaken", "storten", "rekeningnummer"),
        threshold=0.5,
        flags=re.IGNORECASE,
    ),
    PatternSpec(
        "bsn",
        [(_NUM_L + r"\d{9}" + _NUM_R, 0.5), (_NUM_L + r"\d{3}[. ]\d{3}[. ]\d{3}" + _NUM_R, 0.3),
         (_NUM_L + r"\d{4}[. ]\d{2}[. ]\d{3}" + _NUM_R, 0.3),
         # irregular groups ('947 51 73 52'): only with a BSN word before it (the 11-proof checks the 9 digits)
         (_NUM_L + r"\d{1,4}(?:[. ]\d{1,4}){2,4}" + _NUM_R, 0.3)],
        validate=bsn_valid,
        context=("bsn", "burgerservicenummer", "sofinummer", "sofi-nummer", "burgerservice"),
        # 'het BSN van mijn vader want de medewerker vroeg erom: 9736.53.802': the word may be a clause away
        context_chars=90,
        threshold=0.5,
        flags=re.IGNORECASE,
    ),
    PatternSpec(
        # Belgian mobile numbers (+32 4xx xx xx xx, 04xx xx xx xx): Flemish citizens comment too.
        "phone",
        [(r"(?<![\w+])(?:\+|00)32[ \t\xa0-]?4\d{2}(?:" + _SEP + r"\d){6}" + _NUM_R, 0.8)],
    ),
    PatternSpec(
        # Foreign numbers: +44 7700 900123, +44 (0)20 7946 0958, 0032 470 12 34 56, +1 (555) 123-4567.
        "phone",
        [(r"(?<![\w+])(?:\+|00)(?:" + _FOREIGN_CC + r")[ \t\xa0-]?(?:\([ \t\xa0]?0[ \t\xa0]?\)[ \t\xa0-]?)?"
          r"(?:\(\d{1,4}\)[ \t\xa0-]?)?\d(?:" + _FSEP + r"\d){6,11}" + _NUM_R, 0.7)],
        validate=foreign_phone_valid,
        hint=("+", "00"),
        context=("bel", "bellen", "nummer", "telefoon", "tel", "tel.", "bereikbaar", "mobiel", "whatsapp", "app",
                 "phone", "call", "number", "mobile", "cell"),
        negative=ORGANISATION_WORDS,
        threshold=0.5,
    ),
    PatternSpec(
        "phone",
        [
            # mobile in any spelling: 06-12345678, 0612345678, 06 12 34 56 78, 06 - 1234 5678, 06.123.456.78
            (_NUM_L + r"06(?:" + _SEP + r"\d){8}" + _NUM_R, 0.7),
            # +31 6 12345678, +316..., 0031 6..., +31 (0)6 ..., +31(0)20-1234567
            (r"(?<![\w+])(?:\+|00)31[ \t\xa0-]?(?:\(0\)[ \t\xa0-]?|0)?[1-9](?:" + _SEP + r"\d){8}" + _NUM_R, 0.8),
            # landline with a separator after the area code: 020-1234567, 030 123 4567, 0591 12 34 56
            (_NUM_L + r"0[1-9]\d{0,2}" + _SEP_REQ + r"\d(?:" + _SEP + r"\d){4,7}" + _NUM_R, 0.6),
            # area code in parentheses: (020) 123 4567, (0591)-123456, (06) 12345678
            (r"(?<![\w.,/+-])\(0[1-9]\d{0,2}\)[ \t\xa0]?-?[ \t\xa0]?\d(?:" + _SEP + r"\d){4,7}" + _NUM_R, 0.65),
            (_NUM_L + r"0[1-9]\d{8}" + _NUM_R, 0.4),
        ],
        validate=phone_valid,
        exclude=lambda text, start: _phone_excluded(text, start),
        context=("bel", "bellen", "nummer", "telefoon", "telefoonnummer", "tel", "tel.", "bereikbaar", "mobiel",
                 "whatsapp", "whatsappen", "app", "appen", "terugbel", "terugbellen", "sms", "mob", "mij op"),
        negative=ORGANISATION_WORDS,
        threshold=0.5,
    ),
    PatternSpec(
        "postcode",
        # Not after '#': "#6364ff" is a colour in CSS and inline styles, not a postcode.
        [(r"(?<![\w#])[1-9]\d{3}[ \t\xa0]{0,2}(?!SA|SD|SS)[A-Z]{2}" + _HOUSE_NR + r"(?![\w-])", 0.6),
         (r"(?<![\w#])[1-9]\d{3}[ \t\xa0]{0,2}(?i:[a-z]{2})" + _HOUSE_NR + r"(?![\w-])", 0.5)],
        validate=postcode_valid,
        context=("postcode", "adres", "wonen", "woon", "woont", "wijk", "straat", "verhuisd", "huisnummer"),
        negative=("postbus", "antwoordnummer"),  # PO boxes are organisations' addresses
        # the town hall's postcode, nobody's home; 'dat is het postadres van het gemeentehuis'
        exclude=lambda text, start: _venue(text, start) or org_owned(text, start),
        context_chars=20,
        threshold=0.5,
    ),
]


# The organisation's own account or number, as citizens quote it: 'jullie rekening NL86...', 'jullie nummer',
# 'het nummer van de gemeente', 'het rekeningnummer van Stichting Buurtkracht Noord is NL13...'.
_ORG_OWNED = re.compile(
    r"(?:\bjullie\s+(?:eigen\s+)?(?:bank)?(?:iban|rekening\w*|(?:telefoon|tel\.?|whatsapp|service)?nummers?|"
    r"tel\.?|telefoon|lijn|klantenservice)|"
    r"\b(?:iban|rekening\w*|(?:telefoon|tel\.?|algemene?|centrale?)?nummers?)\s+(?:van|bij)\s+(?:de\s+|het\s+)?"
    r"(?:gemeente|stichting|vereniging|voedselbank|kerk|parochie|club|school|bibliotheek|provincie|waterschap|"
    r"ministerie|belastingdienst|politie|ggd|uwv|svb|duo|cjib|ind|rdw|cbr)\b[^.!?\n]{0,40}?)"
    r"[\s:=]*(?:is|was|:)?[\s:]*(?:nl\s?)?$", re.IGNORECASE)


# ... or right after it: 'NL86 INGB 0002 4455 88? Dat is het nummer van het CJIB toch?'
_ORG_OWNED_AFTER = re.compile(
    r"[^\w\n]{0,4}(?:\w+[^\w\n]{1,3}){0,2}?(?:dat|dit|that)\s+is\s+(?:toch\s+)?(?:het|de|the)\s+"
    r"(?:iban|rekening\w*|nummer|number|(?:post)?adres|postcode)\s+(?:van|of)\s+(?:de\s+|het\s+|the\s+)?"
    r"(?:gemeente\w*|stadhuis|provincie|waterschap|ministerie|belastingdienst|politie|ggd|uwv|svb|duo|cjib|ind|"
    r"rdw|cbr|stichting|vereniging|voedselbank|municipality|council)\b", re.IGNORECASE)


def org_owned(text: str, start: int, end: int | None = None) -> bool:
    """The value is named as the organisation's own ('jullie rekening', 'het nummer van de gemeente'), before it
    or (with `end`) in the clause right after it."""
    before = text[max(0, start - 90):start].lower()
    if ("jullie" in before or "van" in before or "bij" in before) and (
            _ORG_OWNED.search(text, max(0, start - 90), start) is not None):
        return True  # (the substring checks first: the pattern is tried only where one of its words stands)
    after = text[start:start + 120].lower()
    if " is " not in after:
        return False
    if end is None:
        m = re.match(r"[\w \t\xa0.-]{6,34}", text[start:start + 34])
        end = start + len(m.group(0).rstrip(" .-")) if m else start
    return _ORG_OWNED_AFTER.match(text, end, end + 80) is not None


def _switchboard(text: str, start: int) -> bool:
    """A landline whose subscriber part ends in '000' ('076 529 4000', '071 516 5000'): an organisation's
    switchboard; private lines are not handed out that round. Kept when the writer calls it theirs."""
    m = re.match(r"[\d\s().+-]{9,20}", text[start:start + 22])
    digits = normalise_phone(m.group(0).rstrip(" -.(")) if m else ""
    return (len(digits) == 10 and not digits.startswith("06") and (
                digits.endswith("000") or len(set(digits[-4:])) == 1)
            and not has_context(text, start, ("mijn", "mij", "me", "privé", "prive", "thuis", "zijn", "haar"), 30))


def _phone_excluded(text: str, start: int) -> bool:
    return (_IBAN_BEFORE.search(text, max(0, start - 16), start) is not None or org_owned(text, start)
            or _switchboard(text, start) or _known_public_number(text, start))


@functools.cache
def _public_numbers() -> frozenset[str]:
    from crawler.privacy import lexicon

    return frozenset(normalise_phone(line) for line in lexicon.entries("public_numbers.txt"))


def _known_public_number(text: str, start: int) -> bool:
    m = re.match(r"[\d\s().+-]{9,20}", text[start:start + 22])
    return m is not None and normalise_phone(m.group(0).rstrip(" -.(")) in _public_numbers()


# An account number's start right before the digits: 'NL12BNGH 0285 123456' is (a mistyped) IBAN, no phone.
_IBAN_BEFORE = re.compile(r"(?<![A-Za-z])[A-Z]{2}\d{2}[ \t\xa0]?[A-Z]{4}[ \t\xa0]?(?:\d{4}[ \t\xa0]?)?$")


def _venue(text: str, start: int) -> bool:
    from crawler.privacy import recognizers_free  # it imports this module

    return recognizers_free._venue(text, start)


def scan(text: str, specs: list[PatternSpec] | None = None) -> list[Match]:
    """Every validated match of every spec (overlaps allowed; the detector resolves them)."""
    found: list[Match] = []
    for spec in specs or SPECS:
        if spec.hint and not any(h in text for h in spec.hint):
            continue
        for pattern, base in spec.compiled:
            for m in pattern.finditer(text):
                start, end = m.span(spec.group) if spec.group else m.span()
                value = text[start:end]
                if spec.validate and not spec.validate(value):
                    continue
                if spec.exclude and spec.exclude(text, start):
                    continue
                personal = has_context(text, start, spec.context, spec.context_chars)
                score = base + (0.35 if personal else 0.0)
                if spec.negative and has_context(text, start, spec.negative, spec.context_chars) and not (
                        has_context(text, start, PERSONAL_WORDS, spec.context_chars)):
                    continue  # the organisation's own number, named as such
                if score >= spec.threshold:
                    found.append(Match(spec.type, start, end, min(score, 1.0)))
    return found


PERSONAL_WORDS = ("mijn", "me", "mij", "ik", "privé", "prive", "zijn", "haar", "hem", "ons", "onze", "mobiel", "thuis")


def has_context(text: str, start: int, words: tuple[str, ...], window: int) -> bool:
    if not words:
        return False
    before = text[max(0, start - window):start].lower()
    return _context_re(words).search(before) is not None


@functools.cache
def _context_re(words: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation per word tuple (the same as searching each word in turn: the alternation backtracks)."""
    return re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in words) + r")(?![a-z])")


# The characters that IGNORECASE matches with an ASCII letter though str.lower() does not make them one.
_FOLD = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "K": "k"})


def folded(text: str) -> str:
    """Lower case for substring pre-checks: a literal that an IGNORECASE pattern matches in `text` occurs
    in `folded(text)` (so a missing hint rules the pattern out exactly)."""
    if not text.isascii() and ("İ" in text or "ı" in text or "ſ" in text or "K" in text):
        text = text.translate(_FOLD)  # str.translate walks the text in Python-level steps: only when needed
    return text.lower()
