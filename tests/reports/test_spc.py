"""SPC run-chart rules (Making Data Count), each against a hand-worked example."""

from __future__ import annotations

import pytest

from reports.spc import chart


def rules(values: list[float], rule: str) -> list[tuple[tuple[int, ...], str]]:
    result = chart(values)
    assert result is not None
    return [(s.indexes, s.direction) for s in result.signals if s.rule == rule]


def test_limits_by_hand() -> None:
    # Mean 11.6; moving ranges 2, 1, 2, 1 → mean 1.5; limits 11.6 ± 2.66 × 1.5 = 11.6 ± 3.99.
    result = chart([10, 12, 11, 13, 12])
    assert result is not None
    assert result.mean == pytest.approx(11.6)
    assert result.mean_moving_range == pytest.approx(1.5)
    assert (result.lower, result.upper) == (pytest.approx(7.61), pytest.approx(15.59))
    assert result.signals == ()


def test_point_outside_the_limits() -> None:
    # Mean 640/12 = 53.33; mean moving range (10 × 2 + 30) / 11 = 4.545; upper limit 65.42.
    values = [50, 52] * 5 + [50, 80]
    assert rules(values, "outside_limits") == [((11,), "up")]


def test_run_of_seven_on_one_side_of_the_mean() -> None:
    values = [60, 61, 60, 61, 60, 70, 71, 70, 71, 70, 71, 70]  # mean 66.25
    assert rules(values, "shift") == [((5, 6, 7, 8, 9, 10, 11), "up")]


def test_run_of_six_is_not_a_shift_and_the_mean_breaks_a_run() -> None:
    assert rules([1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9], "shift") == []
    assert rules([1, 1, 1, 5, 1, 1, 1, 9, 9, 9, 9, 9, 9], "shift") == []


def test_trend_of_six_increasing_points() -> None:
    values = [50, 51, 52, 53, 54, 55, 55, 54]
    assert rules(values, "trend") == [((0, 1, 2, 3, 4, 5), "up")]


def test_five_rising_points_and_a_tie_are_no_trend() -> None:
    assert rules([50, 51, 52, 53, 54, 54, 55], "trend") == []


def test_trend_downwards() -> None:
    assert rules([9, 8, 7, 6, 5, 4, 6], "trend") == [((0, 1, 2, 3, 4, 5), "down")]


def test_two_of_three_near_a_limit() -> None:
    # Mean 0.95; mean moving range (9 + 2.2 + 0) / 11 = 1.018; upper 3.659; outer third > 2.756.
    values = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 3.2, 3.2]
    assert rules(values, "near_limit") == [((10, 11), "up")]
    assert rules(values, "outside_limits") == []


def test_a_chart_needs_two_points() -> None:
    assert chart([80.0]) is None
    assert chart([]) is None
