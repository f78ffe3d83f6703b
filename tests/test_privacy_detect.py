"""Privacy detection and pseudonymisation: recognisers, propagation, pseudonyms, rewriting.

Fast: no browser. The structural side (profiles' third_parties selectors on rendered pages) is
measured by bench/pii_quality.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from crawler.privacy import (
    PiiDetector,
    Pseudonymiser,
    ThirdParty,
    pseudonymise_body,
    pseudonymise_text,
    pseudonymise_url,
)
from crawler.privacy.recognizers_presidio import TextAnalyzer
from crawler.profiles import ProfileError, all_profiles, load_profile

OWN = ["ministerie-demo", "Ministerie van Demo"]
KEY = b"k" * 32
ANALYZER = TextAnalyzer()  # one Presidio engine for the module's many detectors
KEES = ThirdParty("Kees van der Berg", "@kees_vdb", "http://demo.test/@kees_vdb", "http://demo.test/avatars/kees_vdb")


def detector(*people: ThirdParty, staff: tuple[str, ...] = ()) -> PiiDetector:
    d = PiiDetector(own_identities=OWN, staff_signatures=staff, analyzer=ANALYZER)
    d.learn(people)
    return d


def found(text: str, d: PiiDetector | None = None) -> list[tuple[str, str]]:
    return [(f.type, f.value) for f in (d or detector()).find(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Mijn BSN is 111222333, graag kijken.", ("bsn", "111222333")),
    ("Het geld is nog niet op NL91ABNA0417164300 gestort.", ("iban", "NL91ABNA0417164300")),
    ("Overmaken naar NL91 ABNA 0417 1643 00 graag.", ("iban", "NL91 ABNA 0417 1643 00")),
    ("Bel me op 06-12345678 na vijf uur.", ("phone", "06-12345678")),
    ("Bel me op +31 6 12345678 na vijf uur.", ("phone", "+31 6 12345678")),
    ("Mijn nummer is 06 12 34 56 78.", ("phone", "06 12 34 56 78")),
    ("Vast nummer: 020-1234567.", ("phone", "020-1234567")),
    ("Mail naar jan.smit@gmail.com graag.", ("email", "jan.smit@gmail.com")),
    ("Wij wonen op 1234 AB 12bis en kregen niets.", ("postcode", "1234 AB 12bis")),
    ("Wij wonen op 3511 LX 7-2.", ("postcode", "3511 LX 7-2")),
    ("Mijn auto met kenteken 12-BDF-3 is geflitst.", ("plate", "12-BDF-3")),
    ("De boete voor GH-123-N klopt niet.", ("plate", "GH-123-N")),
    ("Ik ben geboren op 12-03-1984, telt dat?", ("birthdate", "12-03-1984")),
    ("Mijn moeder (geb. 3 maart 1984) wacht.", ("birthdate", "3 maart 1984")),
    ("Het formulier accepteert mijn geboortedatum 07/11/1962 niet.", ("birthdate", "07/11/1962")),
    ("Mijn buurman Pieter van den Berg heeft hetzelfde.", ("name", "Pieter van den Berg")),
    ("Ik heb het aangevraagd op naam van mijn partner Fatima El Amrani.", ("name", "Fatima El Amrani")),
    ("@jan_12 heb jij dit ook?", ("mention", "@jan_12")),
])
def test_each_recogniser_finds_its_type(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize("text", [
    "Mijn BSN is 111222334, klopt dat?",  # fails the 11-proof
    "Overmaken naar NL92ABNA0417164300 graag.",  # fails mod-97
    "Vanaf 12 maart 2025 kunt u de toeslag aanvragen.",  # a date, not a birth date
    "Op 12-03-1984 is de wet ingevoerd.",  # a date with a year, no birth context
    "Bericht 113882313523220760 is verwijderd.",  # an id: no 9-digit BSN inside it
    "Het kost 1.234.567 euro, zie artikel 0612345678901.",  # numbers glued to more digits
    "Lees meer op rijksoverheid.nl. Vragen? Bel 1400.",
    "@ministerie-demo kunnen jullie reageren?",  # the organisation's own account
    "Het Ministerie van Demo informeert u.",  # its own name
    "Zie NL-AA-12 en AB-12-EU.",  # plate look-alikes with vowels
    "De A12 bij Utrecht is dicht; 2025 NL-Alert test.",
    "Goed nieuws: Den Bosch en Groningen krijgen extra woningen.",  # capitalised places, no person
    "@media (max-width: 600px) { a { color: red } }",  # CSS at-rule
])
def test_look_alikes_are_not_findings(text: str) -> None:
    assert found(text) == []


def test_staff_signatures_are_never_findings() -> None:
    d = detector(staff=("^JV", "- Team Webcare Jeroen Visser"))
    text = "Dank voor uw vraag, wij zoeken het uit. ^JV - Team Webcare Jeroen Visser"
    assert found(text, d) == []


def test_findings_are_sorted_and_do_not_overlap() -> None:
    text = "Mail kees_vdb@gmail.com of @kees_vdb, bel 06-12345678; Kees van der Berg op 1234 AB 5."
    findings = detector(KEES).find(text)
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))
    assert ("email", "kees_vdb@gmail.com") in [(f.type, f.value) for f in findings]


@pytest.mark.parametrize("spelling", [
    "https://demo.test/@kees_vdb",
    "https://demo.test/search?q=%40kees_vdb",
    '{"acct":"kees_vdb","display_name":"Kees van der Berg"}',
    '{"display_name":"Kees\\u0020van der Berg"}',
    "<a title=\"Kees&nbsp;van der Berg\">x</a>",
    "<span>Kees&#32;van&#32;der&#32;Berg</span>",
    "https://demo.test/zoek?naam=Kees+van+der+Berg",
    "https://demo.test/zoek?naam=Kees%20van%20der%20Berg",
    "KEES_VDB schreef dit",
    "kees van der berg schreef dit",
    "<img alt=\"Profielfoto van kees_vdb\">",
])
def test_learned_people_are_found_in_every_spelling(spelling: str) -> None:
    kinds = {f.type for f in detector(KEES).find(spelling) if f.source == "propagated"}
    assert kinds & {"name", "handle", "mention", "url"}, spelling


def test_learning_never_makes_the_organisation_a_third_party() -> None:
    d = detector(ThirdParty("Ministerie van Demo", "@ministerie-demo", None, None), KEES)
    assert d.people() == [KEES]


def test_handle_shown_only_in_the_profile_link_is_learned() -> None:
    d = detector(ThirdParty("Gerrit Schouten", None, "http://demo.test/facebook/gerrits63", None))
    assert ("handle", "gerrits63") in found('{"username":"gerrits63"}', d)


def test_pseudonyms_are_keyed_deterministic_and_one_per_citizen() -> None:
    d = detector(KEES)
    one, two, other = Pseudonymiser(KEY), Pseudonymiser(KEY), Pseudonymiser(b"x" * 32)
    for p in (one, two, other):
        p.link(d.people())
    person = one.pseudonym("handle", "@kees_vdb")
    assert person.startswith("Burger-") and len(person) == len("Burger-") + 4
    assert {one.pseudonym("name", "Kees van der Berg"), one.pseudonym("url", "http://demo.test/@kees_vdb"),
            one.pseudonym("handle", "kees_vdb"), one.pseudonym("mention", "@kees_vdb").lstrip("@")} == {person}
    assert two.pseudonym("handle", "@kees_vdb") == person  # another process, same key
    assert other.pseudonym("handle", "@kees_vdb") != person  # another key
    assert one.pseudonym("phone", "06-12345678") == one.pseudonym("phone", "+31 6 1234 5678")
    assert one.pseudonym("phone", "06-12345678").startswith("[telefoon ")
    assert one.pseudonym("bsn", "111222333") != other.pseudonym("bsn", "111222333")


def test_colliding_pseudonyms_are_extended_never_shared() -> None:
    probe = Pseudonymiser(KEY)
    seen: dict[str, str] = {}
    for i in range(5000):  # the birthday bound for 4 hex digits is ~300 people
        short = probe._digest("person", f"handle:user{i}")[:4]
        if short in seen:
            pair = (seen[short], f"user{i}")
            break
        seen[short] = f"user{i}"
    p = Pseudonymiser(KEY)
    p.link([ThirdParty(None, pair[0], None, None), ThirdParty(None, pair[1], None, None)])
    a, b = p.pseudonym("handle", pair[0]), p.pseudonym("handle", pair[1])
    assert a != b and len(a) == len(b) == len("Burger-") + 6
    assert p.collisions


def test_rewritten_html_and_json_hold_no_value_in_any_form() -> None:
    d = detector(KEES)
    p = Pseudonymiser(KEY)
    values = ["Kees van der Berg", "kees_vdb", "111222333", "jan.smit@gmail.com", "06-12345678", "12-BDF-3",
              "Pieter Jansen", "NL91ABNA0417164300"]
    html = ("<html><head><script>window.__STATE__={\"user\":\"kees_vdb\",\"name\":\"Kees van der Berg\"}"
            "</script></head><body><article class=\"status\"><a href=\"/@kees_vdb\" title=\"Kees van der Berg\">"
            "<img src=\"/avatars/kees_vdb\" alt=\"Profielfoto van kees_vdb\"></a><p>Mijn BSN is 111222333, "
            "mail jan.smit@gmail.com of bel 06-12345678. Mijn buurman Pieter Jansen heeft kenteken 12-BDF-3."
            "</p><a href=\"/zoek?q=Kees+van+der+Berg&amp;x=%40kees_vdb\">zoek</a>"
            "<a href=\"mailto:jan.smit%40gmail.com\">mail</a> IBAN NL91ABNA0417164300</article></body></html>")
    body = json.dumps({"account": {"acct": "kees_vdb", "display_name": "Kees van der Berg",
                                   "url": "http://demo.test/@kees_vdb"},
                       "content": "<p>Mijn BSN is 111222333 &amp; mail jan.smit@gmail.com</p>",
                       "replies": [{"text": "Mijn buurman Pieter Jansen, bel 06-12345678, kenteken 12-BDF-3, "
                                            "NL91ABNA0417164300"}]}).encode()
    for content, ctype in ((html.encode(), "text/html; charset=utf-8"), (body, "application/json")):
        out, findings = pseudonymise_body(content, ctype, "http://demo.test/x", d, p)
        assert findings
        for value in values:
            for form in {value, value.lower(), quote(value), quote(value).lower(), json.dumps(value)[1:-1]}:
                assert form.encode() not in out, (ctype, form)
    parsed = json.loads(pseudonymise_body(body, "application/json", "", d, p)[0])
    assert set(parsed) == {"account", "content", "replies"}  # keys untouched
    assert set(parsed["account"]) == {"acct", "display_name", "url"}


def test_unchanged_body_is_the_same_bytes() -> None:
    body = b'{"text": "Goed initiatief, dank!", "id": "113882313523220760"}'
    out, findings = pseudonymise_body(body, "application/json", "", detector(KEES), Pseudonymiser(KEY))
    assert out is body and findings == []


def test_urls_keep_their_shape_and_agree_with_links() -> None:
    d, p = detector(KEES), Pseudonymiser(KEY)
    url = pseudonymise_url("http://demo.test/avatars/kees_vdb?size=48", d, p)
    assert url.startswith("http://demo.test/avatars/Burger-") and url.endswith("?size=48")
    text, _ = pseudonymise_text('<img src="http://demo.test/avatars/kees_vdb?size=48">', d, p)
    assert url in text


def test_every_truth_value_of_the_demo_platform_is_found(platform) -> None:
    truth = platform.truth("mastodon")
    d = PiiDetector(own_identities=[truth["account"]["name"], truth["account"]["handle"]], analyzer=ANALYZER)
    missed = [(i["type"], i["value"]) for post in truth["posts"] for c in post["comments"] for i in c["pii"]
              if i["value"] not in {f.value for f in d.find(c["text"])}]
    types = {i["type"] for post in truth["posts"] for c in post["comments"] for i in c["pii"]}
    assert missed == [] and {"plate", "birthdate"} <= types


def test_every_profile_has_a_valid_third_parties_section(tmp_path: Path) -> None:
    for name, profile in all_profiles().items():
        assert profile.third_parties.get("item"), name
        assert profile.third_parties.get("name") or profile.third_parties.get("handle"), name
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nthird_parties: {name: '.n', avatar_url: ['([']}\n")
    with pytest.raises(ProfileError, match="third_parties"):
        load_profile(bad)


def test_a_value_learned_after_a_text_was_scanned_is_found_in_it_the_next_time() -> None:
    d = detector()
    text = "dank je wel zegt xq_bertus_77 onder de post"
    assert found(text, d) == found(text, d)  # the kept result of the same text
    assert not any(v == "xq_bertus_77" for _t, v in found(text, d))
    d.learn([ThirdParty(None, "xq_bertus_77", None, None)])
    assert ("handle", "xq_bertus_77") in found(text, d)


def test_covered_screenshots_keep_no_pixel_of_a_box_and_a_whole_cover_needs_no_decoding() -> None:
    import io

    from PIL import Image

    from crawler.privacy.screenshots import FILL, cover_boxes

    original = Image.new("RGB", (200, 300), (250, 250, 250))
    original.paste((10, 20, 30), (40, 50, 120, 70))  # the "name" drawn on the page
    raw = io.BytesIO()
    original.save(raw, format="PNG")
    covered = Image.open(io.BytesIO(cover_boxes(raw.getvalue(), [{"x": 40, "y": 50, "width": 80, "height": 20}])))
    assert covered.size == (200, 300) and covered.getpixel((5, 5)) == (250, 250, 250)
    assert {covered.getpixel((x, y)) for x in range(40, 120) for y in range(50, 70)} == {FILL}
    whole = Image.open(io.BytesIO(cover_boxes(raw.getvalue(), [{"x": 0, "y": 0, "width": 1e7, "height": 1e7}])))
    assert whole.size == (200, 300) and whole.getcolors() == [(200 * 300, FILL)]


def test_a_covered_screenshot_keeps_every_other_pixel_in_any_mode() -> None:
    import io

    from PIL import Image, ImageChops

    from crawler.privacy.screenshots import FILL, PADDING, cover_boxes

    for mode, background in (("RGB", (250, 240, 230)), ("RGBA", (250, 240, 230, 128)), ("P", 7), ("L", 200)):
        original = Image.new(mode, (64, 700), background)
        original.putpixel((3, 699), 1 if mode in ("P", "L") else (1, 2, 3) + ((4,) if mode == "RGBA" else ()))
        raw = io.BytesIO()
        original.save(raw, format="PNG")
        data = cover_boxes(raw.getvalue(), [{"x": 10, "y": 300, "width": 20, "height": 10}])
        Image.open(io.BytesIO(data)).verify()  # chunk CRCs and the zlib stream are sound
        covered = Image.open(io.BytesIO(data))
        expected = original.convert("RGBA" if mode == "RGBA" else "RGB")
        assert covered.mode == expected.mode and covered.size == (64, 700), mode
        box = (10 - PADDING, 300 - PADDING, 30 + PADDING + 1, 310 + PADDING + 1)
        assert set(covered.crop(box).getdata()) == {FILL + ((255,) if mode == "RGBA" else ())}, mode
        expected.paste(covered.crop(box), box[:2])  # outside the padded box: the original's pixels, all of them
        assert ImageChops.difference(covered, expected).getbbox() is None, mode
