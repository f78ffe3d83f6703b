"""Selection lists as data, hotspots and the category an account gets (whitepaper §4.2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from records.appraisal import account_category
from records.hotspots import Hotspot, HotspotError
from records.selection import (
    RIJK_EXAMPLE,
    VNG_2020,
    SelectionListError,
    add_duration,
    load_selection_list,
)
from sma.registry import load_registry

ROOT = Path(__file__).resolve().parent.parent
SHARED_VNG = ROOT.parent / "shared" / "standards" / "selectielijst" / "vng-selectielijst-2020.json"


def test_the_real_vng_2020_list_has_346_results_with_their_waardering_and_term():
    selection = load_selection_list(VNG_2020)
    assert selection.name == "Selectielijst gemeenten en intergemeentelijke organen 2020"
    assert len(selection.categories) == 346
    online = selection.category("20.1.2")  # onlinecontent ten behoeve van externe communicatie
    assert online.waardering == "B" and online.bewaartermijn is None
    assert "onlinecontent" in online.title.lower()
    assert all(c.bewaartermijn for c in selection.categories.values() if c.waardering == "V")
    assert {c.waardering for c in selection.categories.values()} == {"B", "V", "N"}


def test_the_shipped_vng_copy_is_the_published_file():
    if SHARED_VNG.exists():  # the team's copy of the standards; a fresh clone has only ours
        assert VNG_2020.read_bytes() == SHARED_VNG.read_bytes()
    assert "open-zaak/vng-selectielijst" in (VNG_2020.parent / "README.md").read_text()


def test_rijks_example_is_b_eindproducten_v5_overig_and_dialoog_blijvend():
    selection = load_selection_list(RIJK_EXAMPLE)
    one_way = selection.category(selection.defaults["one_way"])
    two_way = selection.category(selection.defaults["two_way"])
    assert (one_way.waardering, "eindproducten" in one_way.title) == ("B", True)
    overig = [c for c in selection.categories.values() if c.process == "publieksvoorlichting" and c.waardering == "V"]
    assert [(c.bewaartermijn, "overig" in c.title) for c in overig] == [("P5Y", True)]
    assert two_way.waardering == "B" and "dialoog" in two_way.title and two_way.starts_at_end_of_use


def test_json_and_yaml_lists_load_the_same(tmp_path: Path):
    text = '{"name": "L", "categories": [{"code": "1", "title": "T", "waardering": "V", "bewaartermijn": "P1Y6M"}]}'
    (tmp_path / "l.json").write_text(text)
    (tmp_path / "l.yaml").write_text(text)  # JSON is YAML
    assert load_selection_list(tmp_path / "l.json") == load_selection_list(tmp_path / "l.yaml")


@pytest.mark.parametrize("category, message", [
    ({"code": "1", "title": "T", "waardering": "V"}, "needs a bewaartermijn"),
    ({"code": "1", "title": "T", "waardering": "X"}, "must be B, V or N"),
    ({"code": "1", "title": "T", "waardering": "V", "bewaartermijn": "5 jaar"}, "no ISO 8601 duration"),
])
def test_a_bad_category_is_one_clear_message(tmp_path: Path, category: dict, message: str):
    import json

    (tmp_path / "l.json").write_text(json.dumps({"categories": [category]}))
    with pytest.raises(SelectionListError, match=message):
        load_selection_list(tmp_path / "l.json")


def test_cli_check_list_counts_the_vng_results_and_rejects_garbage(tmp_path: Path):
    from sma.cli import main

    assert main(["appraisal", "check-list", str(VNG_2020)]) == 0
    (tmp_path / "bad.yaml").write_text("categories: [")
    assert main(["appraisal", "check-list", str(tmp_path / "bad.yaml")]) == 2


def test_terms_add_calendar_years_months_and_days():
    assert add_duration(date(2025, 3, 14), "P5Y") == date(2030, 3, 14)
    assert add_duration(date(2024, 2, 29), "P1Y") == date(2025, 2, 28)
    assert add_duration(date(2025, 11, 30), "P3M") == date(2026, 2, 28)
    assert add_duration(date(2025, 1, 1), "P10D") == date(2025, 1, 11)


def test_hotspot_matches_hashtags_and_words_in_its_period_only():
    corona = Hotspot.parse("corona 2020-02-27..2023-06-30 #corona #covid19 coronavirus")
    assert corona.matches(date(2021, 5, 1), "Nieuwe regels: #COVID19 en meer")
    assert corona.matches(date(2020, 2, 27), "Het coronavirus verspreidt zich")
    assert not corona.matches(date(2021, 5, 1), "#coronadebat")  # another hashtag
    assert not corona.matches(date(2023, 7, 1), "#corona")  # after the period
    assert not corona.matches(None, "#corona")
    with pytest.raises(HotspotError):
        Hotspot.parse("corona 2023-01-01..2020-01-01 #corona")


REGISTRY = """\
organisation: {id: ministerie-demo, name: Ministerie van Demo}
processes:
  campagnes: PV-2
hotspots:
  - "corona 2020-02-27..2023-06-30 #corona #covid19 coronavirus"
accounts:
  - {id: a-oneway, platform: linkedin, url: "http://127.0.0.1:8700/linkedin/company/ministerie-demo/",
     type: corporate, comments: false, process: voorlichting, schedule: daily}
  - {id: b-dialog, platform: x, url: "http://127.0.0.1:8700/x/ministerie-demo", type: corporate,
     comments: true, process: webcare, schedule: daily, ended: 2024-06-30}
  - {id: c-hybrid, platform: x, url: "http://127.0.0.1:8700/x/minister-demo", type: hybrid,
     comments: false, process: voorlichting, schedule: manual}
  - {id: campaign, platform: mastodon, url: "http://127.0.0.1:8700/@ministerie-demo", type: corporate,
     comments: true, process: campagnes, schedule: daily}
"""


def test_scenario_and_comments_decide_the_default_category(tmp_path: Path):
    path = tmp_path / "registry.yaml"
    path.write_text(REGISTRY)
    registry = load_registry(path)
    selection = load_selection_list(RIJK_EXAMPLE)
    codes = {a.id: account_category(a, registry, selection)[0].code for a in registry.accounts}
    assert codes == {"a-oneway": "PV-1", "b-dialog": "DI-1", "c-hybrid": "PV-1", "campaign": "PV-2"}
    assert registry.account("b-dialog").ended == date(2024, 6, 30)
    assert registry.hotspots == ("corona 2020-02-27..2023-06-30 #corona #covid19 coronavirus",)


def test_registry_rejects_a_bad_hotspot_and_a_bad_ended(tmp_path: Path):
    from sma.registry import RegistryError

    path = tmp_path / "registry.yaml"
    path.write_text(REGISTRY.replace("2020-02-27..2023-06-30", "2020-02-27").replace("ended: 2024-06-30",
                                                                                      "ended: soon"))
    with pytest.raises(RegistryError) as problems:
        load_registry(path)
    text = str(problems.value)
    assert "hotspot" in text and "ended must be a date" in text


def test_a_year_end_trigger_starts_the_term_on_1_january_and_is_not_end_of_use():
    from records.selection import Category

    year_end = Category("PV-3", "overig", "V", "P5Y", trigger="publicatie, na afsluiting van het kalenderjaar")
    assert year_end.starts_after_year and not year_end.starts_at_end_of_use
    use = Category("DI", "dialoog", "V", "P10Y", trigger="einde gebruik account")
    assert use.starts_at_end_of_use and not use.starts_after_year
    assert Category("X", "x", "V", "P1Y", trigger="1 januari na publicatie").starts_after_year


def test_due_takes_a_date_today_the_end_of_this_year_or_a_year():
    from sma.commands.destroy import due_date

    today = date(2031, 6, 1)
    assert due_date("end-of-year", today) == date(2031, 12, 31) and due_date("2030", today) == date(2030, 12, 31)
    assert due_date("today", today) == today and due_date("2031-01-01", today) == date(2031, 1, 1)
    with pytest.raises(ValueError, match="end-of-year"):
        due_date("volgend jaar", today)
