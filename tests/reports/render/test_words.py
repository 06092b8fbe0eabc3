"""The sentences a contract manager reads: times as people write them, changes without
"Level no change", thresholds spelt out, and why a figure is hidden."""

from __future__ import annotations

import pytest

from reports.model import ChangeResult, IndicatorResult, RagThresholds, SpcPoint, SpcResult
from reports.render import words


@pytest.mark.parametrize(
    ("iso", "shown"),
    [
        ("2026-12-01T09:14:00+00:00", "1 December 2026, 09:14"),
        ("2026-07-01T08:14:59+00:00", "1 July 2026, 09:14"),  # British Summer Time
        ("2026-11-03T23:30:00+00:00", "3 November 2026, 23:30"),
    ],
)
def test_times_are_uk_local_and_not_iso(iso: str, shown: str) -> None:
    assert words.when(iso) == shown


def _change(points: float) -> ChangeResult:
    return ChangeResult(
        previous_month="2026-09",
        previous_percent_positive=80.0,
        change_points=points,
        ci_low=points - 5,
        ci_high=points + 5,
        z=None,
        p_value=None,
        significant=False,
    )


@pytest.mark.parametrize(
    ("points", "start"),
    [
        (0.0, "No change since September 2026 (80.0%)"),
        (0.04, "No change since September 2026"),  # would round to "up 0.0 points"
        (-0.04, "No change since September 2026"),
        (2.25, "Up 2.2 points since September 2026"),
        (-3.26, "Down 3.3 points since September 2026"),
    ],
)
def test_change_wording(points: float, start: str) -> None:
    sentence = words.change(_change(points))
    assert sentence.startswith(start)
    assert "Level" not in sentence


def test_bands_say_each_threshold() -> None:
    assert words.bands(RagThresholds(green=95, amber=82.5)) == (
        "green from 95%, amber from 82.5%, red below 82.5%"
    )
    assert words.bands(None) == ""


def test_hidden_says_which_rule_hid_a_figure() -> None:
    assert words.hidden("small", 5) == "Not shown: fewer than 5 answers."
    assert words.hidden("small", 10, "comments") == "Not shown: fewer than 10 comments."
    assert words.hidden("protects", 5) == (
        "Not shown: hidden so that another number cannot be worked out."
    )
    assert words.hidden_short("protects", 5) == "hidden so that another number cannot be worked out"


def _indicator(values: list[float], minimum: int) -> IndicatorResult:
    months = [f"2026-{number:02d}" for number in range(1, len(values) + 1)]
    spc = SpcResult(
        points=[
            SpcPoint(month=m, n=30, percent_positive=v) for m, v in zip(months, values, strict=True)
        ],
        mean=None,
        lower_limit=None,
        upper_limit=None,
        signals=[],
        min_points=minimum,
    )
    return IndicatorResult(
        indicator="fft",
        label="Friends and Family Test",
        question="",
        n=30,
        counts=None,
        positive=20,
        percent_positive=66.0,
        ci_low=50.0,
        ci_high=80.0,
        percent_negative=10.0,
        suppressed=False,
        rag=None,
        spc=spc,
    )


def test_too_few_months_name_the_minimum_and_promise_signals_later() -> None:
    text = words.spc(_indicator([70.0, 80.0], minimum=6))
    assert "Only 2 months have a published figure" in text
    assert "at least 6 months" in text
    assert "signals" in text
    assert "Only 1 month has" in words.spc(_indicator([70.0], minimum=6))


def test_chart_alt_text_describes_the_points() -> None:
    alt = words.chart_alt(_indicator([70.0, 80.0], minimum=6))
    assert alt.startswith("Run chart of Friends and Family Test: % positive in 2 months")
    assert "January 2026 to February 2026" in alt
    assert "lowest 70.0% (January 2026), highest 80.0% (February 2026)" in alt
    assert "fewer than 6 months" in alt
