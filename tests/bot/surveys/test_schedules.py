"""Schedules read in UK time: the friendly form and cron, across clock changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.surveys.schedules import ScheduleError, parse_instant, parse_schedule, period_key


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("spec", ["monthly, first Tuesday, 10:00", "0 10 * * 2#1"])
def test_ten_oclock_stays_ten_oclock_across_the_change_to_summer_time(spec: str) -> None:
    schedule = parse_schedule(spec)
    assert schedule.latest(utc("2027-03-02T10:00")) == utc("2027-03-02T10:00")  # GMT
    assert schedule.latest(utc("2027-04-06T09:00")) == utc("2027-04-06T09:00")  # 10:00 BST
    assert schedule.latest(utc("2027-04-06T08:59")) == utc("2027-03-02T10:00")
    assert period_key(utc("2027-04-06T09:00")) == "2027-04-06T10:00"


def test_back_to_winter_time() -> None:
    schedule = parse_schedule("monthly, first Tuesday, 10:00")
    assert schedule.next_after(utc("2027-10-05T09:00")) == utc("2027-11-02T10:00")


def test_a_month_with_five_tuesdays_runs_once() -> None:
    first = parse_schedule("monthly, first Tuesday, 10:00")
    last = parse_schedule("monthly, last Tuesday, 10:00")
    # December 2026 has Tuesdays on the 1st, 8th, 15th, 22nd and 29th.
    assert first.latest(utc("2026-12-31T12:00")) == utc("2026-12-01T10:00")
    assert first.next_after(utc("2026-12-01T10:00")) == utc("2027-01-05T10:00")
    assert last.latest(utc("2026-12-31T12:00")) == utc("2026-12-29T10:00")
    assert parse_schedule("monthly, fifth Tuesday, 10:00").next_after(
        utc("2026-12-01T00:00")
    ) == utc("2026-12-29T10:00")


def test_other_friendly_forms() -> None:
    assert parse_schedule("weekly, Monday, 09:30").next_after(utc("2026-12-01T00:00")) == utc(
        "2026-12-07T09:30"
    )
    assert parse_schedule("monthly, day 15, 9:00").next_after(utc("2026-12-01T00:00")) == utc(
        "2026-12-15T09:00"
    )
    assert parse_schedule("daily, 10:00").latest(utc("2026-12-01T09:59")) == utc("2026-11-30T10:00")


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("monthly, first Tusday, 10:00", "not a day of the week"),
        ("monthly, day 31, 10:00", "not in every month"),
        ("monthly, first Tuesday, 25:00", "not a time"),
        ("every so often", "cannot read schedule"),
        ("", "empty schedule"),
    ],
)
def test_unreadable_schedules_say_what_would_be_understood(spec: str, says: str) -> None:
    with pytest.raises(ScheduleError, match=says):
        parse_schedule(spec)


def test_instants_without_a_zone_are_uk_time() -> None:
    assert parse_instant("2026-07-01T10:00") == utc("2026-07-01T09:00")
    assert parse_instant("2026-12-01T10:00") == utc("2026-12-01T10:00")
    with pytest.raises(ScheduleError):
        parse_instant("tomorrow")
