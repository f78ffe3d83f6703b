"""Recognisers written from a description of the world (issue 11): public bodies' handles built by rule
(the 25 safety regions, embassies and missions, provinces, water boards, agencies, government fediverse
servers), streets without a street word where the sentence or a postcode marks them, staff signing their
body's reply, forum user names; and the ledger's `visible` flag. Each rule: positives in several
spellings and look-alikes that must not fire. No crawl, no Presidio engine: cheap."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from crawler.privacy import lexicon
from crawler.privacy.detect import PiiDetector, ThirdParty
from crawler.privacy.ledger import LedgerEntry, entry_row
from crawler.privacy.recognizers_free import addresses
from crawler.privacy.recognizers_names import mentions, names
from replay.woo.access import is_shown


def found(text: str) -> list[tuple[str, str]]:
    detector = PiiDetector()
    detector.presidio = False  # the same recognisers without the engine (identical matches)
    return [(f.type, f.value) for f in detector.find(text)]


@pytest.mark.parametrize("handle", [
    "@VRRotterdamRijnmond", "@VRUtrecht", "@vr_utrecht", "@VRR", "@VRK", "@VRZeeland", "@VRBZO",
    "@NLinUK", "@NLinGermany", "@NLintheUSA", "@NLatUN", "@dutchembassyusa", "@NLEmbassyJapan",
    "@HHNK", "@wsrl", "@Wetterskip", "@ProvUtrecht", "@RIVMnl", "@IND_NL", "@RWSverkeersinfo",
    "@WijkagentZuid", "@rijksoverheid@social.overheid.nl", "@knmi@mastodon.overheid.nl",
])
def test_a_public_bodys_handle_stays(handle: str) -> None:
    assert lexicon.is_public_body(handle)
    assert found(f"Weet {handle} hier meer van? Mijn buurman Henk Mulder ook niet.") == [("name", "Henk Mulder")]


@pytest.mark.parametrize("handle", [
    "@vrienden", "@nlinda", "@jan_vr", "@knmi_fan", "@rwsfan", "@karel@mastodon.nl", "@lisa.vd.berg",
    "@vrouwke", "@provo_piet",
])
def test_a_citizens_handle_that_looks_like_a_bodys_is_found(handle: str) -> None:
    assert not lexicon.is_public_body(handle)
    assert ("mention", handle) in found(f"Vraag het {handle} maar, die weet het.")


@pytest.mark.parametrize("text, address", [
    ("Wij wonen in Hoogvliet, Aveling 7 en ruiken het ook.", "Hoogvliet, Aveling 7"),
    ("Ik wenje sels op Nieuwestad 41 mar myn mem komt út Drachten", "Nieuwestad 41"),
    ("mijn adres is Kerkeland 14, 5931 AB Tegelen voor wie wil kijken", "Kerkeland 14, 5931 AB Tegelen"),
    ("Stuur het naar Aveling 7, 3192 KL Hoogvliet graag", "Aveling 7, 3192 KL Hoogvliet"),
    ("Mijn adres is Laan van Meerdervoort 512, 2563 AX Den Haag", "Laan van Meerdervoort 512, 2563 AX Den Haag"),
    ("we woonden toen op Oude Boteringe 22b in stad", "Oude Boteringe 22b"),
])
def test_a_street_without_a_street_word_is_an_address_where_something_marks_it(text: str, address: str) -> None:
    assert address in [text[m.start:m.end] for m in addresses(text)]
    assert ("address", address) in found(text)


@pytest.mark.parametrize("text", [
    "ik woon op nummer 12 van de flat", "ik woon al 12 jaar in deze wijk", "we wonen op 3 hoog zonder lift",
    "Postbus 9090, 6800 GX Arnhem", "zie hoofdstuk 3, 1234 AB is daar niet genoemd",
    "Ik woon op Koningsdag 27 april gewoon thuis", "ik woon aan de overkant",
])
def test_no_bare_street_where_nothing_is_one(text: str) -> None:
    assert [text[m.start:m.end] for m in addresses(text)] == []


@pytest.mark.parametrize("text", [
    "Gemeente Den Haag\nAuteur\nBeste Ronald, wat vervelend. Groet, Wendy\n1 d",
    "Gemeente Utrecht\nHoi Sandra, we kijken ernaar.\nGroet,\nMark",
    "Namens het waterschap dank voor de reacties. — Ingrid, team communicatie",
    "Dat zoeken we voor u uit. Mark | webcare",
])
def test_staff_signing_their_bodys_reply_are_no_third_parties(text: str) -> None:
    signer = text.split()[-1] if "team" not in text and "webcare" not in text else (
        "Ingrid" if "Ingrid" in text else "Mark")
    assert signer not in [text[m.start:m.end] for m in names(text)]


@pytest.mark.parametrize("text, name", [
    ("Sandra Verhoef\nDe gemeente doet niks.\nGroetjes, Ria", "Ria"),
    ("Dank voor de hulp!\nGroet, Wendy", "Wendy"),
    ("Bibliotheek Midden-Brabant\nAuteur\nHoi Rob, zeker!\noma truus\nmag ik ook komen?", "truus"),
    ("Gemeente Ede\nAuteur\nGroet, Wendy\nMarco Jansen\nGroet, Marco Jansen", "Marco Jansen"),
])
def test_a_citizens_signature_stays_a_name(text: str, name: str) -> None:
    assert name in [text[m.start:m.end] for m in names(text)]


@pytest.mark.parametrize("text, handle", [
    ("Storing\nwimpie1958 · Lid sinds: 2021 · 412 berichten\nBij mij nog steeds", "wimpie1958"),
    ("Hier ook\nTanjaK · Lid sinds: 2023 · 3 berichten\nwerkt niet", "TanjaK"),
    ("Mijn gebruikersnaam is w.dejong58.", "w.dejong58"),
    ("username: anna_b87 but it fails", "anna_b87"),
])
def test_a_forum_user_name_is_a_mention(text: str, handle: str) -> None:
    assert handle in [text[m.start:m.end] for m in mentions(text)]


@pytest.mark.parametrize("text", [
    "Draad\nWebredactie · Rol: Moderator\nopgelost", "Gemeente Amsterdam · 6-14", "Post\nReply · 2 d\nok",
    "mijn gebruikersnaam is kwijt", "Beantwoorden · Delen",
])
def test_forum_chrome_is_no_user_name(text: str) -> None:
    assert [text[m.start:m.end] for m in mentions(text)] == []


def test_the_own_accounts_avatar_is_remembered_and_no_third_party() -> None:
    detector = PiiDetector(own_identities=["@gemeente_demodorp", "Gemeente Demodorp"])
    detector.learn([ThirdParty("Gemeente Demodorp", "@gemeente_demodorp", None, "http://x/avatars/own.png"),
                    ThirdParty("Els Timmer", "@els", None, "http://x/avatars/els.png")])
    assert detector.own_avatars == {"http://x/avatars/own.png"}
    assert [p.name for p in detector.people()] == ["Els Timmer"]


def test_ledger_rows_say_whether_a_value_is_shown() -> None:
    shown = LedgerEntry("<urn:uuid:1>", "http://x/p", {"span": [3, 9]}, "name", "Els Timmer", "Anna K.", "text")
    hidden = LedgerEntry("<urn:uuid:1>", "http://x/p", {"span": [20, 27]}, "userid", "8812731", "u-3f2a",
                         "structural", visible=False)
    assert entry_row(shown) == asdict(shown) and entry_row(hidden) == asdict(hidden)
    assert is_shown(entry_row(shown)) and not is_shown(entry_row(hidden))
    old = {k: v for k, v in entry_row(hidden).items() if k != "visible"}  # a ledger from before the flag
    assert not is_shown(old) and is_shown({k: v for k, v in entry_row(shown).items() if k != "visible"})
