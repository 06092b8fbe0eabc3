"""When a campaign runs: a friendly schedule ("monthly, first Tuesday, 10:00") or a cron
expression, always read in UK local time.

The arithmetic is done by well-kept libraries, not by us: python-dateutil's ``rrule`` for the
friendly form (it knows "the first Tuesday" and "the last Friday" of a month) and ``cronsim``
for cron. Both work on wall-clock times in Europe/London, so 10:00 stays 10:00 across the
change to and from British Summer Time, and each occurrence is named by its local time (the
period key), which is the same whichever worker computes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError
from dateutil import rrule

UK = ZoneInfo("Europe/London")
WEEKDAYS = {
    "monday": rrule.MO, "tuesday": rrule.TU, "wednesday": rrule.WE, "thursday": rrule.TH,
    "friday": rrule.FR, "saturday": rrule.SA, "sunday": rrule.SU,
}  # fmt: skip
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_DAY_OF_MONTH = re.compile(r"(?:day\s+)?(\d{1,2})(?:st|nd|rd|th)?")
# The anchor only has to lie before any date a campaign runs; rrule counts forward from it.
_ANCHOR = datetime(2000, 1, 1)
EXAMPLES = '"monthly, first Tuesday, 10:00", "monthly, day 1, 09:30", "weekly, Monday, 10:00"'


class ScheduleError(ValueError):
    """A schedule nobody can read; the message says what would be understood."""


@dataclass(frozen=True)
class Schedule:
    text: str
    _rule: rrule.rrule | None
    _cron: str | None

    def latest(self, at: datetime) -> datetime | None:
        """The last occurrence at or before ``at`` (aware), as an aware UTC datetime."""
        if self._cron is not None:
            # cronsim's reverse walk starts strictly before its start: nudge past ``at``.
            start = (at + timedelta(seconds=1)).astimezone(UK)
            return _utc(next(CronSim(self._cron, start, reverse=True)))
        assert self._rule is not None
        found = self._rule.before(_local_naive(at), inc=True)
        return None if found is None else _utc(found.replace(tzinfo=UK))

    def next_after(self, at: datetime) -> datetime:
        if self._cron is not None:
            return _utc(next(CronSim(self._cron, at.astimezone(UK))))
        assert self._rule is not None
        found = self._rule.after(_local_naive(at), inc=False)
        assert found is not None  # the rules have no end
        return _utc(found.replace(tzinfo=UK))


def period_key(occurrence: datetime) -> str:
    """An occurrence named by its UK wall-clock time: the key of a period's jobs."""
    return occurrence.astimezone(UK).strftime("%Y-%m-%dT%H:%M")


def parse_schedule(text: str) -> Schedule:
    spec = " ".join(text.split())
    if not spec:
        raise ScheduleError(f"empty schedule: write for example {EXAMPLES}, or a cron expression")
    first = spec.split(",")[0].strip().lower()
    if first in {"monthly", "weekly", "daily"}:
        return Schedule(spec, _friendly(spec), None)
    try:
        CronSim(spec, datetime(2026, 1, 1, tzinfo=UK))
    except CronSimError as error:
        raise ScheduleError(
            f"cannot read schedule {text!r} ({error}): write for example {EXAMPLES}, "
            'or a cron expression such as "0 10 * * 2"'
        ) from None
    return Schedule(spec, None, spec)


def _friendly(spec: str) -> rrule.rrule:
    parts = [p.strip().lower() for p in spec.split(",")]
    at = _clock(parts[-1], spec)
    if parts[0] == "daily" and len(parts) == 2:
        return _rule(rrule.DAILY, at)
    if len(parts) != 3:
        raise ScheduleError(f"cannot read schedule {spec!r}: write for example {EXAMPLES}")
    if parts[0] == "weekly":
        return _rule(rrule.WEEKLY, at, byweekday=_weekday(parts[1], spec))
    day = _DAY_OF_MONTH.fullmatch(parts[1])
    if day is not None:
        number = int(day.group(1))
        if not 1 <= number <= 28:
            # Days 29-31 are missing from some months; rrule would silently skip those months.
            raise ScheduleError(f"day {number} is not in every month: choose 1-28 or 'last Friday'")
        return _rule(rrule.MONTHLY, at, bymonthday=number)
    words = parts[1].split()
    if len(words) != 2 or words[0] not in ORDINALS:
        raise ScheduleError(
            f"cannot read {parts[1]!r} in {spec!r}: write 'first Tuesday', 'last Friday' or 'day 1'"
        )
    weekday = _weekday(words[1], spec)(ORDINALS[words[0]])
    return _rule(rrule.MONTHLY, at, byweekday=weekday)


def _rule(frequency: Literal[0, 1, 2, 3, 4, 5, 6], at: clock_time, **by: Any) -> rrule.rrule:
    return rrule.rrule(
        frequency, dtstart=_ANCHOR, byhour=at.hour, byminute=at.minute, bysecond=0, **by
    )


def _weekday(word: str, spec: str) -> rrule.weekday:
    found = WEEKDAYS.get(word.rstrip("s"))
    if found is None:
        raise ScheduleError(f"{word!r} in {spec!r} is not a day of the week")
    return found


def _clock(word: str, spec: str) -> clock_time:
    try:
        return clock_time.fromisoformat(word.zfill(5))
    except ValueError:
        raise ScheduleError(f"{word!r} in {spec!r} is not a time such as 10:00") from None


def _local_naive(at: datetime) -> datetime:
    return at.astimezone(UK).replace(tzinfo=None)


def _utc(local: datetime) -> datetime:
    # A wall time that does not exist (the hour skipped in March) moves on by the gap, as
    # zoneinfo reads it with fold=0; a repeated one (October) is its first, summer-time reading.
    return local.astimezone(ZoneInfo("UTC"))


def parse_instant(text: str) -> datetime:
    """``--now`` and ``--at``: ISO date or date-time; without a zone it is UK local time."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ScheduleError(
            f"{text!r} is not a date such as 2026-12-01 or 2026-12-01T10:00"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UK)
    return value.astimezone(ZoneInfo("UTC"))
