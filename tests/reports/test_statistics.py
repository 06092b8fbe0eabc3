"""Known answers for intervals and change: Newcombe, Stat Med 1998;17:857–872 (Wilson score
intervals, table I) and 17:873–890 (differences, method 10, table II)."""

from __future__ import annotations

import pytest

from reports.statistics import change, proportion, rag, two_proportion_z, wilson


@pytest.mark.parametrize(
    ("positive", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # Hand calculation at the ends: O = 0 of 10 gives (z² + z²) / 2(10 + z²) = 0.2775 above.
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_known_answers(positive: int, n: int, low: float, high: float) -> None:
    interval = wilson(positive, n)
    assert interval is not None
    assert (round(interval.low, 4), round(interval.high, 4)) == (low, high)


def test_wilson_and_proportion_are_empty_when_nobody_answered() -> None:
    assert wilson(0, 0) is None
    assert proportion(0, 0) is None


@pytest.mark.parametrize(("positive", "n"), [(-1, 5), (6, 5), (0, -1)])
def test_impossible_counts_are_refused(positive: int, n: int) -> None:
    with pytest.raises(ValueError, match="impossible"):
        wilson(positive, n)


@pytest.mark.parametrize(
    ("now", "before", "low", "high", "significant"),
    [
        ((56, 70), (48, 80), 0.0524, 0.3339, True),
        ((9, 10), (3, 10), 0.1705, 0.8090, True),
        ((5, 56), (0, 29), -0.0381, 0.1926, False),
    ],
)
def test_newcombe_change_known_answers(
    now: tuple[int, int], before: tuple[int, int], low: float, high: float, significant: bool
) -> None:
    result = change(*now, *before)
    assert (round(result.low, 4), round(result.high, 4)) == (low, high)
    assert result.significant is significant


def test_two_proportion_z_by_hand() -> None:
    # 56/70 vs 48/80: pooled p = 104/150; se = √(p(1−p)(1/70 + 1/80)) = 0.075467; z = 0.2/se.
    statistic, p_value = two_proportion_z(56, 70, 48, 80)
    assert statistic == pytest.approx(2.6502, abs=1e-4)
    assert p_value == pytest.approx(0.00805, abs=1e-5)


def test_z_is_undefined_when_every_answer_is_the_same() -> None:
    assert two_proportion_z(10, 10, 20, 20) == (None, None)
    assert change(10, 10, 20, 20).z is None


def test_change_needs_both_months() -> None:
    with pytest.raises(ValueError, match="both months"):
        change(1, 2, 0, 0)


@pytest.mark.parametrize(
    ("percent", "expected"),
    [(100.0, "green"), (90.0, "green"), (89.99, "amber"), (75.0, "amber"), (74.9, "red")],
)
def test_rag_default_bands(percent: float, expected: str) -> None:
    assert rag(percent) == expected


def test_rag_bands_are_configurable_and_empty_without_a_value() -> None:
    assert rag(92.0, green=95, amber=85) == "amber"
    assert rag(None) is None
