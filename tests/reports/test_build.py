"""Reports built from a real database agree with hand calculations, and hide what is small."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from reports.build import ReportError, provider_report
from reports.model import IndicatorResult, Report
from reports.statistics import change, wilson
from tests.reports.data import FLAGGED_TEXT, MONTH, SECRET_CONVERSATION_TEXT, UNSAFE_TEXT


def indicator(report: Report, name: str) -> IndicatorResult:
    return next(i for i in report.indicators if i.indicator == name)


def test_punctuality_by_hand(report: Report) -> None:
    found = indicator(report, "punctuality")
    interval = wilson(36, 40)
    assert interval is not None
    assert (found.n, found.positive, found.suppressed) == (40, 36, False)
    assert found.percent_positive == pytest.approx(90.0)
    assert found.percent_negative == pytest.approx(10.0)
    assert (found.ci_low, found.ci_high) == (
        pytest.approx(100 * interval.low),
        pytest.approx(100 * interval.high),
    )
    assert found.rag == "green"
    assert found.counts is not None
    assert [(c.value, c.count) for c in found.counts] == [
        ("always", 36),
        ("usually", 0),
        ("sometimes", 0),
        ("rarely", 0),
        ("never", 4),
    ]


def test_change_since_last_month(report: Report) -> None:
    found = indicator(report, "punctuality").change
    expected = change(36, 40, 40, 40)
    assert found is not None
    assert found.previous_month == "2026-09"
    assert found.change_points == pytest.approx(-10.0)
    assert found.ci_low == pytest.approx(100 * expected.low)
    assert found.significant is expected.significant


def test_run_chart_finds_the_rising_trend(report: Report) -> None:
    spc = indicator(report, "punctuality").spc
    assert len(spc.points) == 12
    assert spc.points[0].percent_positive == pytest.approx(50.0)
    trends = [s for s in spc.signals if s.rule == "trend"]
    assert trends
    assert trends[0].direction == "up"
    assert trends[0].months[0] == "2025-11"


def test_all_provider_figure_adds_counts(report: Report) -> None:
    # 36 + 9 + 2 positive of 40 + 12 + 3.
    comparison = indicator(report, "punctuality").all_providers
    assert comparison is not None
    assert comparison.n == 55
    assert comparison.percent_positive == pytest.approx(100 * 47 / 55)


def test_fft_by_nhs_method(report: Report) -> None:
    assert report.fft.total == 40
    assert report.fft.percent_positive == pytest.approx(75.0)
    assert report.fft.percent_negative == pytest.approx(10.0)
    assert not report.fft.suppressed


def test_small_providers_are_suppressed_with_their_neighbour(loaded: Engine) -> None:
    for name in ("Tiny Care", "Hilltop Homecare"):
        found = indicator(provider_report(loaded, name, MONTH), "punctuality")
        assert found.suppressed
        assert found.n is found.percent_positive is found.ci_low is found.counts is None
        assert found.rag is None
        assert found.change is None


def test_channels_and_response_rate(report: Report) -> None:
    assert report.respondents == 41
    assert [(c.key, c.count) for c in report.channels] == [("sms", 31), ("web", 10)]
    rate = report.response_rate
    assert rate is not None
    assert (rate.invited, rate.responded) == (50, 20)
    assert rate.percent == pytest.approx(40.0)


def test_quotes_are_redacted_and_never_held_or_unsafe(report: Report) -> None:
    quotes = [q for theme in report.free_text.themes for q in theme.quotes]
    assert "Mrs [NAME] was late again and did not ring" in quotes
    assert all(len(t.quotes) <= 3 for t in report.free_text.themes)
    joined = " ".join(quotes)
    for secret in (FLAGGED_TEXT, UNSAFE_TEXT, SECRET_CONVERSATION_TEXT, "Jones", "07700"):
        assert secret not in joined


def test_themes_and_sentiment_counts(report: Report) -> None:
    themes = {t.theme: t for t in report.free_text.themes}
    assert themes["punctuality"].count == 6
    assert themes["staff_attitude"].suppressed  # 2 comments: too few to show, or to quote
    assert themes["staff_attitude"].quotes == []
    assert report.free_text.answers == 8


def test_safeguarding_counts_without_content(report: Report) -> None:
    assert report.safeguarding.suppressed  # one flag: a count of 1 is not published
    assert report.safeguarding.raised is None


def test_all_provider_report_lists_providers_by_name(overview: Report) -> None:
    found = indicator(overview, "punctuality")
    assert found.n == 55
    assert found.providers is not None
    assert [p.provider for p in found.providers] == [
        "Hilltop Homecare",
        "Sunrise Care",
        "Tiny Care",
    ]
    assert [p.suppressed for p in found.providers] == [True, False, True]
    assert overview.provider is None


def test_unknown_provider_and_empty_month_are_clear_errors(loaded: Engine) -> None:
    with pytest.raises(ReportError, match=r"^no provider called 'Nobody'$"):
        provider_report(loaded, "Nobody", MONTH)
    with pytest.raises(
        ReportError, match=r"^no provider called 'Sunrize Care': did you mean 'Sunrise Care'\?$"
    ):
        provider_report(loaded, "Sunrize Care", MONTH)
    with pytest.raises(ReportError, match="no answers for Sunrise Care in 2027-01"):
        provider_report(loaded, "Sunrise Care", "2027-01")
    with pytest.raises(ReportError, match="not YYYY-MM"):
        provider_report(loaded, "Sunrise Care", "October")
