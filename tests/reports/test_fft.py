"""The Friends and Family Test by NHS England's method: Don't know is in the denominator."""

from __future__ import annotations

import pytest

from reports.fft import combine, fft


def test_percentages_count_dont_know_in_the_total() -> None:
    result = fft(
        {"very_good": 50, "good": 30, "neither": 10, "poor": 5, "very_poor": 3, "dont_know": 2}
    )
    assert result.total == 100
    assert result.percent_positive == pytest.approx(80.0)
    assert result.percent_negative == pytest.approx(8.0)


def test_dont_know_lowers_both_percentages() -> None:
    result = fft({"very_good": 3, "poor": 1, "dont_know": 4})
    assert result.percent_positive == pytest.approx(37.5)  # 3 / 8, not 3 / 4
    assert result.percent_negative == pytest.approx(12.5)


def test_empty_total_gives_no_percentage() -> None:
    result = fft({})
    assert result.total == 0
    assert result.percent_positive is None
    assert result.percent_negative is None


def test_combined_figures_add_counts_then_recompute() -> None:
    small = {"very_good": 1, "dont_know": 1}  # 50 %
    large = {"good": 3, "poor": 1}  # 75 %
    combined = combine([small, large])
    assert combined.total == 6
    assert combined.percent_positive == pytest.approx(400 / 6)  # not the mean, 62.5 %


def test_unknown_answers_are_an_error() -> None:
    with pytest.raises(ValueError, match="not Friends and Family Test"):
        fft({"excellent": 1})
