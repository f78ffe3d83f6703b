"""Numbers as residents with accounts and family abroad write them (issue 11): IBANs of other countries (length
per country and mod-97), phone numbers with the country codes of larger communities of other origins, a BSN whose
word stands a clause before it. Positives in several spellings and look-alikes that must not fire. Cheap: no crawl,
no Presidio engine."""

from __future__ import annotations

import pytest

from crawler.privacy.detect import PiiDetector
from crawler.privacy.recognizers import iban_valid


def of_type(text: str, kind: str) -> list[str]:
    detector = PiiDetector()
    detector.presidio = False
    return [f.value for f in detector.find(text) if f.type == kind]


@pytest.mark.parametrize("text, value", [
    ("mijn rekening is Belgisch: BE71 0961 2345 6769, kan dat?", "BE71 0961 2345 6769"),
    ("stort het maar op BE71096123456769 aub", "BE71096123456769"),
    ("Duitse rekening DE89 3704 0044 0532 0130 00 van mijn moeder", "DE89 3704 0044 0532 0130 00"),
    ("rekening in Polen: PL61 1090 1014 0000 0712 1981 2874", "PL61 1090 1014 0000 0712 1981 2874"),
    ("overmaken naar GB29 NWBK 6016 1331 9268 19 graag", "GB29 NWBK 6016 1331 9268 19"),
])
def test_iban_of_other_countries(text: str, value: str) -> None:
    assert of_type(text, "iban") == [value]


@pytest.mark.parametrize("value", [
    "BE71 0961 2345 6760",  # one digit off: mod-97 fails
    "BE71 0961 2345 676",  # too short for Belgium
    "XX71 0961 2345 6769",  # no such country
    "AB12 CDEF GHIJ KL",
])
def test_no_iban_without_checksum_and_length(value: str) -> None:
    assert not iban_valid(value)
    assert of_type(f"referentie {value} in de brief", "iban") == []


@pytest.mark.parametrize("text, value", [
    ("mijn schoonmoeder belt vanuit Bulgarije met +359 88 712 4430", "+359 88 712 4430"),
    ("Olga Melnyk\n+380 67 431 28 95", "+380 67 431 28 95"),
    ("bel mijn broer in Eritrea: +291 7 123 456", "+291 7 123 456"),
    ("whatsapp mijn oom +963 944 123 456", "+963 944 123 456"),
    ("mijn tante in Lagos: 00234 803 123 4567", "00234 803 123 4567"),
])
def test_phone_with_country_codes_of_other_origins(text: str, value: str) -> None:
    assert of_type(text, "phone") == [value]


def test_no_phone_from_a_plus_and_few_digits() -> None:
    assert of_type("score +359 punten", "phone") == []
    assert of_type("het kost +380 euro per maand", "phone") == []


def test_bsn_word_a_clause_before_the_number() -> None:
    text = "Hierbij het BSN van mijn vader want de medewerker vroeg erom: 9736.53.802. Dank u."
    assert of_type(text, "bsn") == ["9736.53.802"]
    # a case number passing no 11-proof near the word stays none
    assert of_type("het BSN staat niet in de brief, wel zaaknummer 9736.53.803", "bsn") == []
