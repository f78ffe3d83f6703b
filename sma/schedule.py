"""When an account is captured: schedules as written in the registry (`schedule: daily 06:00`).

A run is due when the most recent scheduled moment at or before `now` is later than the last run,
i.e. when a scheduled moment falls in (last_run, now]. A missed moment is caught up once, not once
per missed moment. Wall-clock times are Europe/Amsterdam; every datetime in and out is aware UTC.

Kinds (docs/registry.md): `daily [HH:MM]` (default 06:00), `weekly [DAY] [HH:MM]` (default mon
06:00), `hourly`, `every N[m|h]`, `manual` (never due by itself) and 5-field cron (`0 6 * * 1-5`),
read in Amsterdam wall-clock time. Intervals (`hourly`, `every 6h`) count real elapsed time from
00:00 UTC, so a DST change neither skips nor doubles them; wall-clock kinds run at the local time:
one that does not exist that day (the spring change) runs an hour later, one that happens twice
(the autumn change) runs once, at its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# What next_due() answers for a schedule that is never due by itself (`manual`). Not datetime.max:
# that overflows when converted to a zone ahead of UTC (astimezone() on a machine in Amsterdam).
NEVER = datetime(9999, 12, 30, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A wall-clock schedule that matches no day in this many days is refused (`0 0 31 2 *`).
SEARCH_DAYS = 366 * 8 + 1

DAY_NAMES = {
    0: ("mon", "monday", "ma", "maandag"),
    1: ("tue", "tuesday", "di", "dinsdag"),
    2: ("wed", "wednesday", "wo", "woensdag"),
    3: ("thu", "thursday", "do", "donderdag"),
    4: ("fri", "friday", "vr", "vrijdag"),
    5: ("sat", "saturday", "za", "zaterdag"),
    6: ("sun", "sunday", "zo", "zondag"),
}
WEEKDAYS = {name: number for number, names in DAY_NAMES.items() for name in names}
EXAMPLES = "daily, daily 06:00, weekly, weekly mon 06:00, hourly, every 6h, every 30m, manual, or cron '0 6 * * 1-5'"
# Cron fields: name, lowest, highest. Day of week 0-7 with 0 and 7 both Sunday, as in cron.
CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule; `text` is what the registry says. Build it with Schedule.parse()."""

    text: str
    kind: str  # daily | weekly | interval | manual | cron
    interval: timedelta | None = None
    # Wall-clock kinds: the allowed minutes, hours, days of month, months and weekdays (Monday 0).
    minutes: frozenset[int] = field(default=frozenset(), repr=False)
    hours: frozenset[int] = field(default=frozenset(), repr=False)
    days: frozenset[int] = field(default=frozenset(range(1, 32)), repr=False)
    months: frozenset[int] = field(default=frozenset(range(1, 13)), repr=False)
    weekdays: frozenset[int] = field(default=frozenset(range(7)), repr=False)
    # cron's rule: when both day fields are restricted, a day matching either one is a match.
    day_or_weekday: bool = field(default=False, repr=False)

    def __str__(self) -> str:
        return self.text

    @property
    def automatic(self) -> bool:
        return self.kind != "manual"

    @classmethod
    def parse(cls, text: str) -> Schedule:
        if isinstance(text, int) and not isinstance(text, bool):
            # YAML 1.1 reads an unquoted 6:00 as the number 360 (base 60).
            raise ValueError(f"YAML read this schedule as the number {text}; write e.g. 'daily 06:00'")
        if not isinstance(text, str):
            raise ValueError(f"a schedule is text ({EXAMPLES}), not {text!r}")
        words = text.strip().lower().split()
        if not words:
            raise ValueError(f"empty schedule; use {EXAMPLES}")
        normal = " ".join(words)
        head, rest = words[0], words[1:]
        if head == "manual" and not rest:
            return cls(normal, "manual")
        if head == "hourly" and not rest:
            return cls(normal, "interval", interval=timedelta(hours=1))
        if head == "every":
            return cls(normal, "interval", interval=_parse_interval(rest, text))
        if head == "daily" and len(rest) <= 1:
            at = _parse_time(rest[0], text) if rest else time(6, 0)
            return cls(normal, "daily", minutes=frozenset({at.minute}), hours=frozenset({at.hour}))
        if head == "weekly" and len(rest) <= 2:
            return _parse_weekly(normal, rest, text)
        if len(words) == 5:
            return _parse_cron(normal, words, text)
        raise ValueError(f"unknown schedule {text!r}; use {EXAMPLES}")

    def next_due(self, last_run: datetime | None, now: datetime) -> datetime:
        """When the next run is due: `now` if never run, else the first scheduled moment after
        `last_run` (at or before `now` means due now). NEVER for `manual`."""
        _require_aware(now, "now")
        if self.kind == "manual":
            return NEVER
        if last_run is None:
            return now.astimezone(UTC)
        _require_aware(last_run, "last_run")
        return self.moment_after(last_run)

    def is_due(self, last_run: datetime | None, now: datetime) -> bool:
        """Never run -> due (unless manual); else due when a scheduled moment is in (last_run, now]."""
        return self.next_due(last_run, now) <= now

    def moment_at_or_before(self, when: datetime) -> datetime:
        """The most recent scheduled moment at or before `when` (UTC)."""
        _require_aware(when, "when")
        when = when.astimezone(UTC)
        if self.kind == "manual":
            raise ValueError("a manual schedule has no scheduled moments")
        if self.interval is not None:
            return EPOCH + ((when - EPOCH) // self.interval) * self.interval
        local_day = when.astimezone(AMSTERDAM).date()
        for day in _days(local_day + timedelta(days=1), -1):
            earlier = [m for m in self._moments_on(day) if m <= when]
            if earlier:
                return earlier[-1]
        raise AssertionError("unreachable: parse() refuses schedules without moments")

    def moment_after(self, when: datetime) -> datetime:
        """The first scheduled moment strictly after `when` (UTC)."""
        _require_aware(when, "when")
        when = when.astimezone(UTC)
        if self.kind == "manual":
            return NEVER
        if self.interval is not None:
            return self.moment_at_or_before(when) + self.interval
        local_day = when.astimezone(AMSTERDAM).date()
        for day in _days(local_day - timedelta(days=1), 1):
            later = [m for m in self._moments_on(day) if m > when]
            if later:
                return later[0]
        raise AssertionError("unreachable: parse() refuses schedules without moments")

    def _day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_days, in_weekdays = day.day in self.days, day.weekday() in self.weekdays
        return (in_days or in_weekdays) if self.day_or_weekday else (in_days and in_weekdays)

    def _moments_on(self, day: date) -> list[datetime]:
        """This schedule's moments on one Amsterdam calendar day, as sorted UTC datetimes."""
        if not self._day_matches(day):
            return []
        moments = {
            _wall_clock(day, hour, minute) for hour in self.hours for minute in self.minutes
        }
        return sorted(moments)


def _wall_clock(day: date, hour: int, minute: int) -> datetime:
    # fold=0: a time in the spring gap is read with the winter offset (so 02:30 runs at 03:30
    # summer time); a time that happens twice in autumn is its first occurrence.
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM).astimezone(UTC)


def _days(start: date, step: int) -> Iterator[date]:
    for offset in range(SEARCH_DAYS):
        yield start + timedelta(days=offset * step)


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, not {value!r}")


def _parse_time(word: str, text: str) -> time:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", word)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError(f"bad time {word!r} in schedule {text!r}; write HH:MM, 00:00 to 23:59")
    return time(int(m.group(1)), int(m.group(2)))


def _parse_interval(rest: list[str], text: str) -> timedelta:
    m = re.fullmatch(r"(\d+)\s*(m|min|h)", " ".join(rest))
    if not m or int(m.group(1)) == 0:
        raise ValueError(f"bad interval in schedule {text!r}; write e.g. 'every 6h' or 'every 30m'")
    count = int(m.group(1))
    interval = timedelta(hours=count) if m.group(2) == "h" else timedelta(minutes=count)
    if interval < timedelta(minutes=5):
        raise ValueError(f"schedule {text!r} is too frequent; the shortest interval is 5 minutes")
    return interval


def _parse_weekly(normal: str, rest: list[str], text: str) -> Schedule:
    weekday, at = 0, time(6, 0)
    for word in rest:
        if word in WEEKDAYS:
            weekday = WEEKDAYS[word]
        elif ":" in word:
            at = _parse_time(word, text)
        else:
            raise ValueError(f"bad day {word!r} in schedule {text!r}; use mon, tue, wed, thu, fri, sat or sun")
    return Schedule(
        normal, "weekly", minutes=frozenset({at.minute}), hours=frozenset({at.hour}), weekdays=frozenset({weekday})
    )


def _parse_cron(normal: str, words: list[str], text: str) -> Schedule:
    fields = zip(words, CRON_FIELDS, strict=True)
    minutes, hours, days, months, cron_weekdays = [_cron_field(w, name, lo, hi, text) for w, (name, lo, hi) in fields]
    # cron counts Sunday as 0 (and 7); Python's weekday() counts Monday as 0.
    weekdays = frozenset((d - 1) % 7 for d in cron_weekdays)
    schedule = Schedule(
        normal,
        "cron",
        minutes=minutes,
        hours=hours,
        days=days,
        months=months,
        weekdays=weekdays,
        day_or_weekday=not words[2].startswith("*") and not words[4].startswith("*"),
    )
    if not any(schedule._day_matches(date(2024, 1, 1) + timedelta(days=n)) for n in range(366 * 4)):
        raise ValueError(f"cron schedule {text!r} never runs (no day matches it)")
    return schedule


def _cron_field(word: str, name: str, low: int, high: int, text: str) -> frozenset[int]:
    values: set[int] = set()
    for part in word.split(","):
        m = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
        if not m:
            raise ValueError(f"bad {name} field {word!r} in cron schedule {text!r}")
        if m.group(1) == "*":
            start, end = low, high
        else:
            start = int(m.group(2))
            end = int(m.group(3)) if m.group(3) is not None else (high if m.group(4) else start)
        step = int(m.group(4) or 1)
        if not (low <= start <= end <= high) or step == 0:
            raise ValueError(f"{name} field {word!r} in cron schedule {text!r} must be within {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)
