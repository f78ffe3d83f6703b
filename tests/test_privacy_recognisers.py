"""Textual recognisers on the forms citizens really write (issue 11): each type in several
spellings, and the look-alikes that must stay (officials in office, professions that are surnames,
places, amounts, event dates, case numbers failing the 11-proof, organisations' phone numbers,
government bodies' handles). Fast: no browser, no crawl."""

from __future__ import annotations

import pytest

from crawler.privacy import PiiDetector, lexicon

DETECTOR = PiiDetector(own_identities=["ministerie-demo", "Ministerie van Demo"])


def found(text: str) -> list[tuple[str, str]]:
    return [(f.type, f.value) for f in DETECTOR.find(text)]


@pytest.mark.parametrize(("text", "value"), [
    ("ik woon op de kerkstraat 12 en niemand reageert", "kerkstraat 12"),
    ("Adres: Burgemeester de Vlugtlaan 12, 1063 BS Amsterdam", "Burgemeester de Vlugtlaan 12, 1063 BS Amsterdam"),
    ("wij wonen Laan van Meerdervoort 23 in Den Haag", "Laan van Meerdervoort 23"),
    ("stuur het naar Oude Gracht 112a, Utrecht", "Oude Gracht 112a, Utrecht"),
    ("VAN GOGHSTRAAT 3 is ons huis", "VAN GOGHSTRAAT 3"),
    ("mijn postcode is 1234ab", "1234ab"),
    ("postcode 3511  LX, huisnummer 7", "3511  LX"),
    ("1234 AB Utrecht is waar ik woon", "1234 AB Utrecht"),
])
def test_addresses_and_postcodes_in_any_case(text: str, value: str) -> None:
    assert any(value in v for _t, v in found(text)), found(text)


@pytest.mark.parametrize(("text", "value"), [
    ("Mijn buurman Pieter van den Berg heeft hetzelfde.", "Pieter van den Berg"),
    ("Gisteren Pieter Jansen gesproken, die wist van niks", "Pieter Jansen"),
    ("jan de vries en ik hebben hetzelfde probleem", "jan de vries"),
    ("Hoi Sanne, weet jij dit?", "Sanne"),
    ("Dit klopt niet.\nGroetjes,\nAnouk", "Anouk"),
    ("Ik heb mevrouw Jansen aan de lijn gehad", "Jansen"),
    ("meneer de Vries zei iets anders", "de Vries"),
    ("mijn zoon Daan is 7", "Daan"),
    ("Mvg Kees Bakker", "Kees Bakker"),
    ("dhr. J. van Dam belde terug", "J. van Dam"),
])
def test_names_without_context_words(text: str, value: str) -> None:
    assert ("name", value) in found(text), found(text)


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("bel me op (020) 123 4567", "phone", "(020) 123 4567"),
    ("mijn nummer: 06 - 12 34 56 78", "phone", "06 - 12 34 56 78"),
    ("06.123.456.78 na 5 uur", "phone", "06.123.456.78"),
    ("bereikbaar op +31(0)20-1234567", "phone", "+31(0)20-1234567"),
    ("mail jan.smit [at] gmail [punt] com", "email", "jan.smit [at] gmail [punt] com"),
    ("jan(at)ziggo.nl", "email", "jan(at)ziggo.nl"),
    ("jan at gmail dot com", "email", "jan at gmail dot com"),
    ("mijn auto 12bdf3 is weggesleept", "plate", "12bdf3"),
    ("kenteken gh-123-n klopt niet", "plate", "gh-123-n"),
    ("de auto met XK 99 BB stond er", "plate", "XK 99 BB"),
    ("Geflitst: 12BDF3 reed daar niet", "plate", "12BDF3"),
    ("geboortedatum: 3-4-1985", "birthdate", "3-4-1985"),
    ("geb 12.03.1984 staat verkeerd", "birthdate", "12.03.1984"),
    ("ik ben van 12 maart 1984", "birthdate", "12 maart 1984"),
    ("Jan de Vries, 12-03-1984", "birthdate", "12-03-1984"),
])
def test_phones_emails_plates_and_birth_dates_in_many_spellings(text: str, kind: str, value: str) -> None:
    assert (kind, value) in found(text), found(text)


@pytest.mark.parametrize("text", [
    "@Belastingdienst waarom duurt dit zo lang?",  # a government body is not a third party
    "@gemeenteutrecht en @rijksoverheid reageren niet",
    "minister De Jonge beloofde het",  # an official in office
    "Femke Halsema zei het zelf",
    "de bakker op de hoek weet het ook",  # a profession that is a surname
    "Goed nieuws: Den Bosch en Groningen krijgen extra woningen.",  # places
    "Het kost 1500 euro en 2024 is het jaar",  # amounts, years
    "Op 12-03-1984 is de wet ingevoerd.",  # an event date
    "Vanaf 12 maart 2025 kunt u de toeslag aanvragen.",
    "Zaaknummer 111222334 is nog open.",  # fails the 11-proof
    "bel de gemeente op 030-2861111",  # the organisation's number
    "Bel de Belastingtelefoon: 0800-0543",
    "de file op de snelweg 12 km lang",  # a distance, not a house number
    "Kerkweg 12 km verderop is het",
    "Beste Belastingdienst, ik wacht al weken",
    # markup in captured style sheets, inline styles and user names: a broken access copy otherwise
    ".toot{color:#6364ff;max-width:1000px;margin:1200em 0}",
    '<div style="width: 1280px; height: 2400px">',
    "https://example.org/users/vandenheuvel1952/statuses",
])
def test_look_alikes_stay(text: str) -> None:
    assert found(text) == []


def test_word_lists_are_data_files() -> None:
    assert {"sanne", "daan", "fatima"} <= lexicon.first_names()
    assert {"jansen", "vries", "yilmaz"} <= lexicon.surnames()
    assert lexicon.is_public_body("@Belastingdienst") and lexicon.is_public_body("gemeente_Zwolle")
    assert not lexicon.is_public_body("@kees_12")


def test_the_next_comments_date_is_not_the_birth_date_of_the_one_above() -> None:
    # A thread as the page's text reads: a comment saying "geboren", then the next comment's header.
    text = "Ik ben geboren op 3 maart 1985, klopt dat?\nFleur Visser\n14 jan 2025\nDank voor de uitleg"
    values = {(kind, value) for kind, value in found(text)}
    assert ("birthdate", "3 maart 1985") in values
    assert not any(value == "14 jan 2025" for _, value in values)



# A captured page's text: comment headers as lines of their own, platform chrome around them.
PAGE = """Gemeente Utrecht
24 u · 🌍
348 reacties · 57 keer gedeeld
Vind ik leuk
Beantwoorden
lotte ✨
wie weet of dit klopt?
sanne.bakker_
hoe zit het met jongeren?
jeroen1984
Mehmet Yıldız
Mijn zoon (03-09-2017) en mijn moeder, ze is van 1938, wachten nog. Mijn BSN is 238941607.
Bel me: +32 478 12 34 56. Mijn zwager Geert Hoogeveen woont in Groningen, Oosterstraat 19a.
Meld wateroverlast via 0344-649090. Post: Postbus 9090, 6800 GX Arnhem. Mail wijkteam@eindhoven.nl
Volg @knmi@mastodon.nl · rijksoverheid.nl · v4.2.10 · © 2025 X Corp. · groetjes van Ilona van de IC
"""


@pytest.mark.parametrize(("kind", "value"), [
    ("name", "lotte"), ("mention", "sanne.bakker_"), ("mention", "jeroen1984"), ("name", "Mehmet Yıldız"),
    ("birthdate", "03-09-2017"), ("birthdate", "1938"), ("bsn", "238941607"), ("phone", "+32 478 12 34 56"),
    ("name", "Geert Hoogeveen"), ("address", "Groningen, Oosterstraat 19a"),
])
def test_page_text_values_are_found(kind: str, value: str) -> None:
    assert (kind, value) in found(PAGE)


@pytest.mark.parametrize("chrome", [
    "0344-649090", "6800 GX Arnhem", "wijkteam@eindhoven.nl", "knmi@mastodon.nl", "rijksoverheid.nl", "v4.2.10",
    "Corp", "Gemeente Utrecht", "348", "24 u", "Vind ik leuk", "Beantwoorden", "IC",
])
def test_page_chrome_is_no_finding(chrome: str) -> None:
    assert not [(k, v) for k, v in found(PAGE) if chrome in v], found(PAGE)
