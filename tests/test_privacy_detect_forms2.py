"""Forms from a blind held-out set's misses: irregular BSN groups, Roman-numeral house-number suffixes."""

from __future__ import annotations

import pytest

from crawler.privacy.detect import PiiDetector


def _found(text: str) -> list[tuple[str, str]]:
    return [(f.type, f.value) for f in PiiDetector().find(text)]


@pytest.mark.parametrize("text, value", [
    ("Mijn bsn is 947 51 73 52, kunt u dat nakijken?", "947 51 73 52"),
    ("burgerservicenummer: 94 751 73 52", "94 751 73 52"),
])
def test_bsn_in_irregular_groups(text: str, value: str) -> None:
    assert ("bsn", value) in _found(text)


def test_irregular_digit_groups_without_a_bsn_word_are_no_bsn() -> None:
    assert not [f for f in _found("Bestelling 947 51 73 52 is verzonden") if f[0] == "bsn"]


@pytest.mark.parametrize("text, value", [
    ("ik woon op de Kerkstraat 190 III in Amsterdam", "Kerkstraat 190 III"),
    ("ik woon op Kerkstraat 12-III", "Kerkstraat 12-III"),
])
def test_roman_numeral_house_number_suffix(text: str, value: str) -> None:
    assert any(t == "address" and v.startswith(value) for t, v in _found(text))


def test_capital_i_after_house_number_is_not_taken_when_lower_case() -> None:
    assert ("address", "Kerkstraat 12") in _found("ik woon op Kerkstraat 12 in de buurt")


def test_email_with_a_doubled_at_sign() -> None:
    assert ("email", "pieter.jansen@@gmail.com") in _found("mail me op pieter.jansen@@gmail.com aub")


def test_fediverse_handle_is_still_no_email() -> None:
    assert not [f for f in _found("dank @knmi@mastodon.nl voor de update") if f[0] == "email"]


def test_town_hall_postcode_is_no_third_partys() -> None:
    assert _found("Het stadhuis, Stadhuisplein 1, 3011 AB Rotterdam, is dicht.") == []


def test_a_postcode_someone_lives_at_is_found() -> None:
    assert any(t in ("postcode", "address") for t, _ in _found("Ik woon naast het stadhuis, op 3011 AB nummer 4"))


def test_digits_inside_an_account_number_are_no_phone() -> None:
    assert not [f for f in _found("Betaal op NL12BNGH 0285 123456 t.n.v. de gemeente") if f[0] == "phone"]


def test_a_phone_after_an_account_number_and_words_is_found() -> None:
    assert ("phone", "0285 123456") in _found("Rekening NL12BNGH, bel mij op 0285 123456")
