"""Fake but *valid-looking* Dutch personal data, plus the validators the tests (and SMA's PII
detection) use. Numbers pass their real checksums, so a detector cannot cheat by rejecting them.
"""

from __future__ import annotations

import random
import re

FIRST_NAMES = (
    "Jan", "Sanne", "Pieter", "Fatima", "Kees", "Anouk", "Mohammed", "Lotte", "Willem", "Emma",
    "Daan", "Sophie", "Bram", "Yasmina", "Thijs", "Fleur", "Ahmet", "Ingrid", "Ruud", "Noor",
    "Henk", "Marieke", "Sem", "Esra", "Gerrit", "Lieke", "Mustafa", "Joke", "Bas", "Iris",
    "Joost", "Priya", "Arjen", "Femke", "Koen", "Nadia", "Wouter", "Mila", "Tim", "Hanneke",
    "Rik", "Zeynep", "Stefan", "Eva", "Hugo", "Loes", "Dirk", "Romy", "Jeroen", "Sara",
)
SURNAMES = (
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
    "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden",
    "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van Dijk", "Yilmaz",
    "El Amrani", "Kuipers", "Schouten", "Willems", "Hoekstra", "van Beek", "Verhoeven",
    "Koster", "Prins", "Postma", "Kaya", "Bouzid", "Janssens", "van Vliet", "Huisman",
)
MAIL_DOMAINS = ("gmail.com", "hotmail.com", "outlook.com", "ziggo.nl", "kpnmail.nl",
                "xs4all.nl", "live.nl", "planet.nl", "icloud.com", "proton.me")
BANKS = ("ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ", "RBRB")
# Letters never used in Dutch postcodes, and combinations PostNL skips.
_POSTCODE_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
_POSTCODE_SKIP = {"SA", "SD", "SS"}


def full_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def compact(name: str) -> str:
    """'Jan van den Berg' -> 'janvandenberg' (for handles and e-mail local parts)."""
    return re.sub(r"[^a-z]", "", name.lower())


def email_for(name: str, rng: random.Random) -> str:
    first, _, last = name.partition(" ")
    last_c = compact(last)
    local = rng.choice((
        f"{compact(first)}.{last_c}",
        f"{compact(first)[0]}.{last_c}",
        f"{compact(first)}{last_c}{rng.randint(1, 99)}",
        f"{last_c}.{compact(first)}",
    ))
    return f"{local}@{rng.choice(MAIL_DOMAINS)}"


def phone(rng: random.Random) -> str:
    """Dutch mobile numbers in the forms people actually type."""
    digits = f"{rng.randint(0, 99_999_999):08d}"
    return rng.choice((
        f"06-{digits}",
        f"06{digits}",
        f"+31 6 {digits}",
        f"+316{digits}",
        f"06 {digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}",
    ))


def postcode(rng: random.Random) -> str:
    """'1234 AB 12': postcode plus house number, the way Dutch forms ask for an address."""
    while True:
        letters = rng.choice(_POSTCODE_LETTERS) + rng.choice(_POSTCODE_LETTERS)
        if letters not in _POSTCODE_SKIP:
            break
    number = rng.randint(1, 250)
    suffix = rng.choice(("", "", "", "A", "-2", "bis"))
    return f"{rng.randint(1000, 9999)} {letters} {number}{suffix}"


def iban_check_digits(bank: str, account: str) -> str:
    rearranged = f"{bank}{account}NL00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def iban(rng: random.Random) -> str:
    bank = rng.choice(BANKS)
    account = f"{rng.randint(0, 9_999_999_999):010d}"
    value = f"NL{iban_check_digits(bank, account)}{bank}{account}"
    if rng.random() < 0.4:  # the printed form on bank cards, in groups of four
        value = " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    return value


def iban_valid(value: str) -> bool:
    """ISO 13616 mod-97 check, Dutch format only (NLkk BANK 10 digits, spaces allowed)."""
    raw = value.replace(" ", "").upper()
    if not re.fullmatch(r"NL\d{2}[A-Z]{4}\d{10}", raw):
        return False
    numeric = "".join(str(int(ch, 36)) for ch in raw[4:] + raw[:4])
    return int(numeric) % 97 == 1


def bsn(rng: random.Random) -> str:
    """A nine-digit citizen service number that passes the 11-proof."""
    while True:
        head = [rng.randint(0, 9) for _ in range(8)]
        if head[0] == 0 and head[1] == 0:
            continue  # keep it nine meaningful digits, like real BSNs
        total = sum(d * w for d, w in zip(head, range(9, 1, -1), strict=True))
        last = total % 11
        if last <= 9:
            return "".join(map(str, head)) + str(last)


def bsn_valid(value: str) -> bool:
    """11-proof: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible by 11."""
    if not re.fullmatch(r"\d{9}", value):
        return False
    digits = [int(ch) for ch in value]
    total = sum(d * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    return total % 11 == 0 and total != 0


def handle_for(name: str, rng: random.Random, taken: set[str]) -> str:
    """Mastodon usernames allow only [A-Za-z0-9_]."""
    first, _, last = name.partition(" ")
    while True:
        handle = rng.choice((
            f"{compact(first)}_{compact(last)}",
            f"{compact(first)}{compact(last)[:1]}{rng.randint(10, 99)}",
            f"{compact(last)}{rng.randint(1950, 2005)}",
            f"{compact(first)}_{rng.randint(1, 999)}",
        ))
        if handle not in taken:
            taken.add(handle)
            return handle


# Licence plates: current sidecodes (6-11); the RDW uses no vowels (and no C, Q, M, W, Y).
PLATE_LETTERS = "BDFGHJKLNPRSTVXZ"
PLATE_SIDECODES = ("99-XX-XX", "99-XXX-9", "9-XXX-99", "XX-999-X", "X-999-XX", "XXX-99-X")
BIRTH_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                "september", "oktober", "november", "december")


def plate(rng: random.Random) -> str:
    """A Dutch licence plate such as '12-BDF-3' or 'GH-123-N'."""
    code = rng.choice(PLATE_SIDECODES)
    return "".join(str(rng.randint(0, 9)) if c == "9" else rng.choice(PLATE_LETTERS) if c == "X" else c
                   for c in code)


def plate_valid(value: str) -> bool:
    shape = re.sub(r"\d", "9", re.sub(r"[A-Z]", "X", value))
    return shape in PLATE_SIDECODES and not re.search(r"[AEIOUY]", value)


def birthdate(rng: random.Random) -> str:
    """A date of birth as people write it: '12-03-1984', '3 maart 1984' or '03/12/1984'."""
    year, month, day = rng.randint(1935, 2006), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice((f"{day:02d}-{month:02d}-{year}", f"{day} {BIRTH_MONTHS[month - 1]} {year}",
                       f"{day}-{month}-{year}", f"{day:02d}/{month:02d}/{year}"))


# The PII types beyond the original seven, with their generators and weights among the types
# (content.py picks sentences by these weights and fills their {slots} with these generators).
EXTRA_PII = {"plate": (plate, 2), "birthdate": (birthdate, 2)}
