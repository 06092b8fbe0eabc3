"""Per-person waves as dates: due so many calendar months after a person started, open for a
window of UK days, read from the operator's short form."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.surveys.person_waves import (
    Wave,
    WaveSpecError,
    open_waves,
    parse_waves,
    stored,
    waves_of,
)
from storage.models import Campaign

WAVES = parse_waves("baseline:0, 3 months:3, 6 months:6")


def campaign(window: int = 14) -> Campaign:
    return Campaign(
        name="Outcomes", flow_id="day_service_outcomes", schedule="per person",
        created_at=datetime(2026, 1, 1, tzinfo=UTC), waves=stored(WAVES), window_days=window,
    )  # fmt: skip


def test_waves_are_read_in_order_and_kept() -> None:
    assert (Wave("baseline", 0), Wave("3 months", 3), Wave("6 months", 6)) == WAVES
    assert waves_of(campaign()) == WAVES


def test_two_waves_of_one_name_are_refused() -> None:
    with pytest.raises(WaveSpecError, match="two waves have the same name"):
        parse_waves("baseline:0,later:3,later:6")


def test_a_follow_up_is_due_calendar_months_later_and_at_the_end_of_a_short_month() -> None:
    [due] = open_waves(campaign(), date(2026, 11, 30), datetime(2027, 2, 28, 9, tzinfo=UTC))
    assert (due.wave.name, due.opens) == ("3 months", date(2027, 2, 28))


def test_the_window_runs_in_uk_days_across_summer_time() -> None:
    started = date(2026, 6, 1)  # 3 months on is 1 September, in British Summer Time
    [due] = open_waves(campaign(), started, datetime(2026, 9, 1, 9, tzinfo=UTC))
    assert due.closes_at == datetime(2026, 9, 14, 23, 0, tzinfo=UTC)  # midnight UK, 15 September
    assert open_waves(campaign(), started, datetime(2026, 9, 14, 22, 59, tzinfo=UTC)) == [due]
    assert open_waves(campaign(), started, datetime(2026, 9, 14, 23, 0, tzinfo=UTC)) == []
    # 00:30 UK time on 1 September is still 31 August in UTC: the wave is open by UK date.
    assert open_waves(campaign(), started, datetime(2026, 8, 31, 23, 30, tzinfo=UTC)) == [due]
    assert open_waves(campaign(), started, datetime(2026, 8, 31, 22, 30, tzinfo=UTC)) == []


def test_nobody_without_a_start_date_is_due() -> None:
    assert open_waves(campaign(), None, datetime(2026, 9, 1, 9, tzinfo=UTC)) == []


def test_overlapping_windows_are_all_open_earliest_first() -> None:
    found = open_waves(campaign(window=120), date(2026, 1, 5), datetime(2026, 4, 6, tzinfo=UTC))
    assert [d.wave.name for d in found] == ["baseline", "3 months"]
