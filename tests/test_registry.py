"""The account registry through `sma accounts`, as a user runs it, and the schedules' due logic."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, run_sma

from sma.registry import RegistryError, load_registry
from sma.schedule import AMSTERDAM, NEVER, Schedule

EXAMPLE = ROOT / "examples" / "registry.yaml"
DEMO_URL = "http://127.0.0.1:8700/@ministerie-demo"

VALID = """\
# registry of a test organisation
organisation:
  id: ministerie-demo
  name: Ministerie van Demo
accounts:
  - id: mastodon-main          # line 6
    platform: mastodon
    url: http://127.0.0.1:8700/@ministerie-demo
    type: corporate
    comments: true
    process: publieksvoorlichting
    schedule: daily
"""


def write(tmp_path: Path, text: str, name: str = "registry.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def validate(path: Path):
    return run_sma("accounts", "validate", "--registry", str(path), timeout=60)


def problem_lines(proc) -> list[str]:
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr
    assert lines[-1].startswith("sma: error: "), proc.stderr
    assert sum(line.startswith("sma: error:") for line in lines) == 1
    return lines[:-1]


def test_example_registry_validates():
    proc = run_sma("accounts", "validate", "--registry", "examples/registry.yaml", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "examples/registry.yaml: OK, 8 accounts (A: 2, B: 5, C: 1)"
    assert proc.stderr == ""


def test_example_has_one_corporate_account_per_demo_skin():
    registry = load_registry(EXAMPLE)
    corporate = {a.platform for a in registry.accounts if a.type == "corporate"}
    assert corporate == {"mastodon", "x", "facebook", "instagram", "linkedin", "youtube", "tiktok"}
    assert registry.organisation.id == "ministerie-demo"
    assert {a.scenario for a in registry.accounts} == {"A", "B", "C"}


def account_with(field_line: str, replaces: str | None = None) -> str:
    """VALID with one account line replaced (or a line added when `replaces` is None)."""
    if replaces is None:
        return VALID + field_line + "\n"
    assert replaces in VALID
    return VALID.replace(replaces, field_line)


BAD_INPUTS = {
    "malformed YAML": (VALID.replace("    type: corporate", "    type: [corporate"), 10,
                       "invalid YAML: "),
    "top level is a list": ("- id: a\n- id: b\n", 1,
                            "the registry must be a mapping with 'organisation' and 'accounts'"),
    "organisation without name": (VALID.replace("  name: Ministerie van Demo\n", ""), 2,
                                  "organisation: missing required field 'name'"),
    "accounts is not a list": ("organisation: {id: o, name: O}\naccounts:\n  mastodon-main: {}\n", 2,
                               "'accounts' must be a list of accounts"),
    "missing field": (VALID.replace("    process: publieksvoorlichting\n", ""), 6,
                      "account 'mastodon-main': missing required field 'process'"),
    "typo in a field": (account_with("    comment: true", "    comments: true"), 10,
                        "account 'mastodon-main': unknown field 'comment' (did you mean 'comments'?)"),
    "unknown platform": (account_with("    platform: myspace", "    platform: mastodon"), 7,
                         "account 'mastodon-main': unknown platform 'myspace' (known: facebook, instagram, "
                         "linkedin, mastodon, tiktok, x, youtube)"),
    "url not http": (account_with("    url: ftp://127.0.0.1/@ministerie-demo", f"    url: {DEMO_URL}"), 8,
                     "account 'mastodon-main': url 'ftp://127.0.0.1/@ministerie-demo' is not an http(s) URL"),
    "url of another platform": (
        account_with("    url: http://127.0.0.1:8700/x/ministerie-demo", f"    url: {DEMO_URL}"), 8,
        "account 'mastodon-main': url http://127.0.0.1:8700/x/ministerie-demo is not a mastodon profile URL "
        "(it matches platform 'x')"),
    "url of a post": (
        account_with(f"    url: {DEMO_URL}/1234", f"    url: {DEMO_URL}"), 8,
        "account 'mastodon-main': url http://127.0.0.1:8700/@ministerie-demo/1234 is a mastodon post, "
        "not the account's profile URL"),
    "bad type": (account_with("    type: corporation", "    type: corporate"), 9,
                 "account 'mastodon-main': type 'corporation' must be one of corporate, hybrid, personal"),
    "comments not a boolean": (account_with("    comments: sometimes", "    comments: true"), 10,
                               "account 'mastodon-main': comments must be true or false, not 'sometimes'"),
    "bad schedule": (account_with("    schedule: daly", "    schedule: daily"), 12,
                     "account 'mastodon-main': bad schedule: unknown schedule 'daly'; use daily, daily 06:00, "
                     "weekly, weekly mon 06:00, hourly, every 6h, every 30m, manual, or cron '0 6 * * 1-5'"),
    "bad time": (account_with("    schedule: daily 6:60", "    schedule: daily"), 12,
                 "account 'mastodon-main': bad schedule: bad time '6:60' in schedule 'daily 6:60'; "
                 "write HH:MM, 00:00 to 23:59"),
    "bad session name": (account_with("    session: my session"), 13,
                         "account 'mastodon-main': session name 'my session' may only contain letters, digits, "
                         "'_' and '-'"),
    "revisit_days zero": (account_with("    revisit_days: 0"), 13,
                          "account 'mastodon-main': revisit_days must be a positive whole number of days, not 0"),
    "key given twice": (account_with("    type: hybrid"), 13, "'type' is given twice"),
    "duplicate account": (VALID + VALID[VALID.index("  - id"):].replace("@ministerie-demo", "@other"), 13,
                          "account 'mastodon-main': duplicate account id (first at line 6)"),
    "same url twice": (VALID + VALID[VALID.index("  - id"):].replace("mastodon-main", "mastodon-2"), 15,
                       "account 'mastodon-2': url http://127.0.0.1:8700/@ministerie-demo is already account "
                       "'mastodon-main' (line 6)"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_gives_exact_message_with_line(tmp_path: Path, case: str):
    text, line, message = BAD_INPUTS[case]
    path = write(tmp_path, text)
    proc = validate(path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    problems = problem_lines(proc)
    if message.endswith(": "):  # the parser's own wording follows
        assert len(problems) == 1 and problems[0].startswith(f"{path}:{line}: {message}"), problems
    else:
        assert problems == [f"{path}:{line}: {message}"]
    assert proc.stderr.strip().splitlines()[-1] == f"sma: error: {path}: 1 problem"


def test_every_problem_in_a_file_is_reported(tmp_path: Path):
    text = VALID.replace("platform: mastodon", "platform: myspace").replace("comments: true", "comments: maybe")
    text += (
        "  - id: x-main\n"
        "    platform: x\n"
        "    url: http://127.0.0.1:8700/x/ministerie-demo\n"
        "    type: personal\n"
        "    comments: false\n"
        "    process: dialoog overheid-burgers\n"
        "    schedule: every 0h\n"
        "  - id: mastodon-main\n"
    )
    path = write(tmp_path, text)
    proc = validate(path)
    assert proc.returncode == 2
    assert problem_lines(proc) == [
        f"{path}:7: account 'mastodon-main': unknown platform 'myspace' (known: facebook, instagram, linkedin, "
        "mastodon, tiktok, x, youtube)",
        f"{path}:10: account 'mastodon-main': comments must be true or false, not 'maybe'",
        f"{path}:19: account 'x-main': bad schedule: bad interval in schedule 'every 0h'; write e.g. 'every 6h' "
        "or 'every 30m'",
        f"{path}:20: account 'mastodon-main': missing required field 'platform'",
        f"{path}:20: account 'mastodon-main': missing required field 'url'",
        f"{path}:20: account 'mastodon-main': missing required field 'type'",
        f"{path}:20: account 'mastodon-main': missing required field 'comments'",
        f"{path}:20: account 'mastodon-main': missing required field 'process'",
        f"{path}:20: account 'mastodon-main': missing required field 'schedule'",
        f"{path}:20: account 'mastodon-main': duplicate account id (first at line 6)",
    ]
    assert proc.stderr.strip().splitlines()[-1] == f"sma: error: {path}: 10 problems"


def test_missing_registry_file(tmp_path: Path):
    proc = validate(tmp_path / "nope.yaml")
    assert proc.returncode == 2
    assert problem_lines(proc) == [f"{tmp_path / 'nope.yaml'}: no such registry file"]


def test_scenarios_are_derived_and_listed(tmp_path: Path):
    text = VALID
    for account_id, path_part, kind, comments in (
        ("a", "@a", "corporate", "false"),
        ("c-hybrid", "@c", "hybrid", "true"),
        ("c-personal", "@p", "personal", "false"),
    ):
        text += (f"  - id: {account_id}\n    platform: mastodon\n    url: http://127.0.0.1:8700/{path_part}\n"
                 f"    type: {kind}\n    comments: {comments}\n    process: p\n    schedule: daily 06:00\n")
    path = write(tmp_path, text)
    proc = run_sma("accounts", "list", "--registry", str(path), "--json", timeout=60)
    assert proc.returncode == 0, proc.stderr
    listed = {a["id"]: a for a in json.loads(proc.stdout)["accounts"]}
    assert {k: (a["scenario"], a["automatic"]) for k, a in listed.items()} == {
        "mastodon-main": ("B", True), "a": ("A", True), "c-hybrid": ("C", False), "c-personal": ("C", False),
    }
    assert listed["mastodon-main"]["revisit_days"] == 7 and listed["mastodon-main"]["line"] == 6

    table = run_sma("accounts", "list", "--registry", str(path), timeout=60)
    assert table.returncode == 0, table.stderr
    rows = {line.split()[0]: line for line in table.stdout.splitlines()[2:]}
    assert "on request only" in rows["c-hybrid"] and "on request only" in rows["c-personal"]
    assert "on request only" not in rows["a"] and "daily 06:00" in rows["a"]
    assert table.stdout.splitlines()[1].split() == [
        "id", "platform", "type", "comments", "scenario", "schedule", "process", "session", "url"]


def test_scenario_cannot_be_written_in_the_file(tmp_path: Path):
    path = write(tmp_path, account_with("    scenario: A"))
    proc = validate(path)
    assert proc.returncode == 2
    assert problem_lines(proc) == [f"{path}:13: account 'mastodon-main': unknown field 'scenario' "
                                   "(allowed: id, platform, url, type, comments, process, schedule, session, "
                                   "revisit_days, category, ended)"]


def test_revisit_days_default_and_override(tmp_path: Path):
    text = VALID.replace("accounts:\n", "defaults: {revisit_days: 3}\naccounts:\n") + "    revisit_days: 30\n"
    text += VALID[VALID.index("  - id"):].replace("mastodon-main", "m2").replace("@ministerie-demo", "@m2")
    registry = load_registry(write(tmp_path, text))
    assert [(a.id, a.revisit_days) for a in registry.accounts] == [("mastodon-main", 30), ("m2", 3)]
    with pytest.raises(RegistryError) as raised:
        registry.account("nobody")
    assert str(raised.value).endswith("unknown account 'nobody' (known: mastodon-main, m2)")


ADD_ARGS = ("--id", "x-main", "--platform", "x", "--url", "http://127.0.0.1:8700/x/ministerie-demo",
            "--type", "corporate", "--comments", "no", "--process", "publieksvoorlichting", "--schedule", "06:00")


def add(path: Path, *args: str):
    return run_sma("accounts", "add", "--registry", str(path), *args, timeout=60)


def test_add_appends_and_keeps_comments_and_layout(tmp_path: Path):
    # accounts is not the last block, the list is not indented, and a comment ends the list.
    original = ("organisation: {id: ministerie-demo, name: Ministerie van Demo}  # who\n"
                "accounts:\n"
                + VALID[VALID.index("  - id"):].replace("\n  ", "\n").removeprefix("  ")
                + "# end of the accounts\n"
                "defaults:\n  revisit_days: 5   # a week is too long\n")
    path = write(tmp_path, original)
    proc = add(path, *ADD_ARGS[:-1], "daily 06:00", "--session", "x-login")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{path}:10: added x-main (scenario A)"
    text = path.read_text()
    added = ("- id: x-main\n  platform: x\n  url: http://127.0.0.1:8700/x/ministerie-demo\n  type: corporate\n"
             "  comments: false\n  process: publieksvoorlichting\n  schedule: daily 06:00\n  session: x-login\n")
    lines = original.splitlines(keepends=True)
    assert text == "".join(lines[:9]) + added + "".join(lines[9:]), "after the last account, before the comment"
    registry = load_registry(path)
    assert [(a.id, a.revisit_days, a.line) for a in registry.accounts] == [("mastodon-main", 5, 3), ("x-main", 5, 10)]


def test_add_quotes_what_yaml_would_misread(tmp_path: Path):
    path = write(tmp_path, VALID)
    proc = add(path, "--id", "tiktok-main", "--platform", "tiktok", "--url",
               "http://127.0.0.1:8700/tiktok/@ministerie-demo", "--type", "hybrid", "--comments", "yes",
               "--process", "yes", "--schedule", "0 6 * * 1-5", "--revisit-days", "2")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{path}:13: added tiktok-main (scenario C, on request only)"
    assert path.read_text().startswith(VALID)
    assert "    process: 'yes'\n    schedule: 0 6 * * 1-5\n    revisit_days: 2\n" in path.read_text()
    account = load_registry(path).account("tiktok-main")
    assert (account.process, str(account.schedule), account.scenario) == ("yes", "0 6 * * 1-5", "C")


@pytest.mark.parametrize("args, message", [
    (("--id", "mastodon-main", *ADD_ARGS[2:-1], "daily"),
     "account 'mastodon-main': duplicate account id (first at line 6)"),
    (("--url", "http://127.0.0.1:8700/@other", "--id", "m2", *ADD_ARGS[2:4], *ADD_ARGS[6:-1], "daily"),
     "account 'm2': url http://127.0.0.1:8700/@other is not a x profile URL (it matches platform 'mastodon')"),
    (("--url", f"{DEMO_URL}/", "--id", "m2", "--platform", "mastodon", *ADD_ARGS[6:-1], "daily"),
     f"account 'm2': url {DEMO_URL}/ is already account 'mastodon-main' (line 6)"),
    (ADD_ARGS, "account 'x-main': bad schedule: unknown schedule '06:00'; use daily, daily 06:00, weekly, "
               "weekly mon 06:00, hourly, every 6h, every 30m, manual, or cron '0 6 * * 1-5'"),
])
def test_add_refuses_bad_account_without_touching_the_file(tmp_path: Path, args, message):
    path = write(tmp_path, VALID)
    os.utime(path, (1_000_000_000, 1_000_000_000))
    proc = add(path, *args)
    assert proc.returncode == 2
    assert problem_lines(proc) == [f"{path}: {message}"]
    assert path.read_text() == VALID and path.stat().st_mtime == 1_000_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry.yaml"], "no temporary file left"


def test_add_refuses_when_the_file_already_has_problems(tmp_path: Path):
    broken = VALID.replace("type: corporate", "type: corp")
    path = write(tmp_path, broken)
    proc = add(path, *ADD_ARGS[:-1], "daily")
    assert proc.returncode == 2
    assert problem_lines(proc) == [f"{path}:9: account 'mastodon-main': type 'corp' must be one of corporate, "
                                   "hybrid, personal"]
    assert path.read_text() == broken


def test_add_creates_a_registry_with_its_organisation(tmp_path: Path):
    path = tmp_path / "new" / "registry.yaml"
    proc = add(path, *ADD_ARGS[:-1], "daily")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"sma: error: {path} does not exist; give --organisation-id and "
                                   "--organisation-name to create it")
    assert not path.exists()
    proc = add(path, *ADD_ARGS[:-1], "daily", "--organisation-id", "gemeente-demo",
               "--organisation-name", "Gemeente Demo: Zuid")
    assert proc.returncode == 0, proc.stderr
    registry = load_registry(path)
    assert (registry.organisation.id, registry.organisation.name) == ("gemeente-demo", "Gemeente Demo: Zuid")
    assert [a.id for a in registry.accounts] == ["x-main"]
    assert validate(path).returncode == 0


# ---- schedules --------------------------------------------------------------------------------------


def ams(*args: int) -> datetime:
    """Amsterdam wall-clock time as an aware UTC datetime."""
    return datetime(*args, tzinfo=AMSTERDAM).astimezone(UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_never_run_is_due_and_manual_never():
    now = utc(2026, 1, 5, 12)
    for text in ("daily", "hourly", "every 30m", "weekly", "0 6 * * 1-5"):
        assert Schedule.parse(text).is_due(None, now), text
    manual = Schedule.parse("manual")
    assert not manual.is_due(None, now) and not manual.is_due(utc(2020, 1, 1), now)
    assert manual.next_due(None, now) == NEVER and not manual.automatic
    assert NEVER.astimezone(AMSTERDAM).year == 9999, "printable in local time"


def test_daily_0600_before_and_after_six_in_winter_and_summer():
    daily = Schedule.parse("daily")
    assert daily.moment_after(utc(2026, 1, 5)) == ams(2026, 1, 5, 6), "daily means 06:00 Amsterdam"
    for day in ((2026, 1, 14), (2026, 7, 14)):  # UTC+1 and UTC+2
        ran_yesterday = ams(*day, 6, 1) - timedelta(days=1)
        assert not daily.is_due(ran_yesterday, ams(*day, 5, 59))
        assert daily.is_due(ran_yesterday, ams(*day, 6, 0))
        assert daily.next_due(ran_yesterday, ams(*day, 5, 59)) == ams(*day, 6, 0)
        assert not daily.is_due(ams(*day, 6, 0), ams(*day, 23, 59)), "once a calendar day"
    assert ams(2026, 1, 14, 6) == utc(2026, 1, 14, 5) and ams(2026, 7, 14, 6) == utc(2026, 7, 14, 4)


def test_missed_runs_are_caught_up_once():
    daily = Schedule.parse("daily 06:00")
    last, now = ams(2026, 2, 1, 6), ams(2026, 2, 9, 12)
    assert daily.is_due(last, now)
    assert daily.moment_at_or_before(now) == ams(2026, 2, 9, 6)
    assert not daily.is_due(now, now + timedelta(hours=17))


def test_dst_spring_forward_in_amsterdam():
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST. 02:30 does not exist that day: it runs at 03:30.
    at_0230 = Schedule.parse("daily 02:30")
    assert at_0230.moment_after(ams(2026, 3, 28, 3)) == utc(2026, 3, 29, 1, 30) == ams(2026, 3, 29, 3, 30)
    assert not at_0230.is_due(ams(2026, 3, 28, 2, 30), utc(2026, 3, 29, 1, 29))
    assert at_0230.is_due(ams(2026, 3, 28, 2, 30), utc(2026, 3, 29, 1, 30))
    daily = Schedule.parse("daily")  # 06:00 wall clock on both sides of the change: 23 h apart
    assert daily.moment_after(ams(2026, 3, 28, 6)) - ams(2026, 3, 28, 6) == timedelta(hours=23)
    hourly = Schedule.parse("hourly")  # elapsed time: 23 runs in the 23-hour day
    start, end = ams(2026, 3, 29, 0), ams(2026, 3, 30, 0)
    assert count_moments(hourly, start, end) == 23


def test_dst_fall_back_in_amsterdam():
    # 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice and runs once, the first time.
    at_0230 = Schedule.parse("daily 02:30")
    first = utc(2026, 10, 25, 0, 30)
    assert at_0230.moment_after(ams(2026, 10, 24, 12)) == first
    assert not at_0230.is_due(first, utc(2026, 10, 25, 1, 45)), "the second 02:30 is no new moment"
    assert count_moments(at_0230, ams(2026, 10, 25, 0), ams(2026, 10, 26, 0)) == 1
    assert count_moments(Schedule.parse("hourly"), ams(2026, 10, 25, 0), ams(2026, 10, 26, 0)) == 25
    assert count_moments(Schedule.parse("30 * * * *"), ams(2026, 10, 25, 0), ams(2026, 10, 26, 0)) == 24


def count_moments(schedule: Schedule, start: datetime, end: datetime) -> int:
    count, moment = 0, schedule.moment_after(start - timedelta(microseconds=1))
    while moment < end:
        count, moment = count + 1, schedule.moment_after(moment)
    return count


def test_weekly_and_cron_and_intervals():
    weekly = Schedule.parse("weekly")  # Monday 06:00
    assert weekly.moment_after(ams(2026, 1, 7, 12)) == ams(2026, 1, 12, 6)
    assert Schedule.parse("weekly vr 17:30").moment_after(ams(2026, 1, 12)) == ams(2026, 1, 16, 17, 30)
    workdays = Schedule.parse("0 6 * * 1-5")
    friday_run = ams(2026, 1, 16, 6)
    assert not workdays.is_due(friday_run, ams(2026, 1, 18, 23, 59)), "not on the weekend"
    assert workdays.next_due(friday_run, ams(2026, 1, 18)) == ams(2026, 1, 19, 6)
    six_hours = Schedule.parse("every 6h")
    assert six_hours.moment_at_or_before(utc(2026, 1, 5, 13, 7)) == utc(2026, 1, 5, 12)
    assert six_hours.is_due(utc(2026, 1, 5, 11, 59), utc(2026, 1, 5, 12))
    assert not six_hours.is_due(utc(2026, 1, 5, 12), utc(2026, 1, 5, 17, 59))
    assert Schedule.parse("every 30m").moment_after(utc(2026, 1, 5, 12, 10)) == utc(2026, 1, 5, 12, 30)


@pytest.mark.parametrize("text, message", [
    ("daly", "unknown schedule 'daly'"),
    ("daily 24:00", "bad time '24:00' in schedule 'daily 24:00'; write HH:MM, 00:00 to 23:59"),
    ("every 2m", "schedule 'every 2m' is too frequent; the shortest interval is 5 minutes"),
    ("every day", "bad interval in schedule 'every day'"),
    ("weekly someday", "bad day 'someday' in schedule 'weekly someday'"),
    ("61 * * * *", "minute field '61' in cron schedule '61 * * * *' must be within 0-59"),
    ("0 0 31 2 *", "cron schedule '0 0 31 2 *' never runs (no day matches it)"),
    (360, "YAML read this schedule as the number 360; write e.g. 'daily 06:00'"),
])
def test_bad_schedules(text, message):
    with pytest.raises(ValueError) as raised:
        Schedule.parse(text)
    assert message in str(raised.value)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        Schedule.parse("daily").is_due(None, datetime(2026, 1, 1))


@pytest.mark.parametrize("empty", ["accounts:\n", "accounts: []   # none yet\n", "accounts:\n# - id: old\n"])
def test_add_to_a_registry_without_accounts(tmp_path: Path, empty: str):
    path = write(tmp_path, "organisation: {id: o, name: O}\n" + empty + "defaults: {revisit_days: 2}\n")
    assert validate(path).returncode == 0
    proc = add(path, *ADD_ARGS[:-1], "daily")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{path}:3: added x-main (scenario A)"
    assert [(a.id, a.revisit_days) for a in load_registry(path).accounts] == [("x-main", 2)]
    assert path.read_text().startswith("organisation: {id: o, name: O}\naccounts:")
    assert path.read_text().endswith("defaults: {revisit_days: 2}\n")
