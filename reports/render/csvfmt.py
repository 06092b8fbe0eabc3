"""CSV in tidy long format: one number per row, so any tool can filter and pivot it.

Columns: ``scope, provider, month, section, item, option, measure, value, suppressed``. A
suppressed unit gives rows with an empty ``value`` and ``suppressed`` true — never its number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from reports.model import IndicatorResult, Report

COLUMNS = (
    "scope",
    "provider",
    "month",
    "section",
    "item",
    "option",
    "measure",
    "value",
    "suppressed",
)
# section, item, option, measure, value, suppressed
Line = tuple[str, str, str, str, float | int | str | None, bool]

INDICATOR_MEASURES = ("n", "positive", "percent_positive", "ci_low", "ci_high", "percent_negative")


def render(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    head = (report.scope, report.provider or "", report.month)
    for section, item, option, measure, value, suppressed in rows(report):
        shown = "" if value is None else value
        writer.writerow((*head, section, item, option, measure, shown, str(suppressed).lower()))
    return out.getvalue()


def rows(report: Report) -> Iterator[Line]:
    yield "respondents", "all", "", "respondents", report.respondents, report.respondents_suppressed
    for indicator in report.indicators:
        yield from _indicator(indicator)
    fft = report.fft
    for measure in ("total", "percent_positive", "percent_negative"):
        yield "fft", "fft", "", measure, getattr(fft, measure), fft.suppressed
    for option in fft.counts or []:
        yield "fft", "fft", option.value, "count", option.count, False
    for cell in report.channels:
        yield "channels", cell.key, "", "respondents", cell.count, cell.suppressed
    if (rate := report.response_rate) is not None:
        for measure in ("invited", "responded", "percent", "ci_low", "ci_high"):
            yield "response_rate", "all", "", measure, getattr(rate, measure), rate.suppressed
    text = report.free_text
    yield "free_text", "all", "", "answers", text.answers, text.suppressed
    for cell in text.sentiment:
        yield "sentiment", cell.key, "", "count", cell.count, cell.suppressed
    for theme in text.themes:
        yield "themes", theme.theme, "", "count", theme.count, theme.suppressed
    guard = report.safeguarding
    yield "safeguarding", "all", "", "raised", guard.raised, guard.suppressed
    for cell in guard.by_status:
        yield "safeguarding", cell.key, "", "count", cell.count, cell.suppressed


def _indicator(result: IndicatorResult) -> Iterator[Line]:
    name, hidden = result.indicator, result.suppressed
    for measure in INDICATOR_MEASURES:
        yield "indicators", name, "", measure, getattr(result, measure), hidden
    yield "indicators", name, "", "rag", result.rag, hidden
    for option in result.counts or []:
        yield "indicators", name, option.value, "count", option.count, hidden
    if result.all_providers is not None:
        other = result.all_providers
        for measure in ("n", "percent_positive", "ci_low", "ci_high"):
            value = getattr(other, measure)
            yield "all_providers", name, "", measure, value, other.suppressed
    if result.change is not None:
        for measure in ("change_points", "ci_low", "ci_high", "p_value", "significant"):
            yield (
                "change",
                name,
                result.change.previous_month,
                measure,
                getattr(result.change, measure),
                False,
            )
    for point in result.spc.points:
        yield "trend", name, point.month, "percent_positive", point.percent_positive, False
    for figure in result.providers or []:
        yield (
            "providers",
            name,
            figure.provider,
            "percent_positive",
            figure.percent_positive,
            figure.suppressed,
        )
        yield "providers", name, figure.provider, "n", figure.n, figure.suppressed
