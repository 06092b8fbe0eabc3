"""Plain-English sentences about each figure and its uncertainty, for HTML and PDF readers who
are contract managers, not statisticians. Rounding happens here, and only here."""

from __future__ import annotations

from datetime import date, datetime

from reports.model import ChangeResult, Hidden, IndicatorResult, RagThresholds, SpcSignal
from storage.repository import REPORTING_ZONE

SUPPRESSED = "Not shown: fewer than {threshold} answers (or needed to protect a small group)."
_HIDDEN = {
    "small": "Not shown: fewer than {threshold} {noun}.",
    "protects": "Not shown: hidden so that another number cannot be worked out.",
}
_HIDDEN_SHORT = {
    "small": "not shown (fewer than {threshold})",
    "protects": "hidden so that another number cannot be worked out",
}

_RULES = {
    "outside_limits": "is outside the process limits",
    "shift": "begins a run of {count} months on one side of the average",
    "trend": "begins {count} months each {direction} than the one before",
    "near_limit": "is one of two months in three close to a process limit",
}


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def month_name(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1).strftime("%B %Y")


def hidden(because: Hidden | None, threshold: int, noun: str = "answers") -> str:
    """Why a figure is not shown, by the rule that hid it."""
    return (_HIDDEN[because] if because else SUPPRESSED).format(threshold=threshold, noun=noun)


def hidden_short(because: Hidden | None, threshold: int) -> str:
    """The same, to fit in a table cell or a list."""
    return _HIDDEN_SHORT[because or "small"].format(threshold=threshold)


def when(iso: str) -> str:
    """An ISO instant as a reader writes it, in UK time: "1 December 2026, 09:14"."""
    local = datetime.fromisoformat(iso).astimezone(REPORTING_ZONE)
    return f"{local.day} {local:%B %Y, %H:%M}"


def bands(thresholds: RagThresholds | None) -> str:
    if thresholds is None:
        return ""
    green, amber = f"{thresholds.green:g}%", f"{thresholds.amber:g}%"
    return f"green from {green}, amber from {amber}, red below {amber}"


def figure(result: IndicatorResult, threshold: int) -> str:
    if result.suppressed:
        return hidden(result.hidden_because, threshold)
    if not result.n:
        return "Nobody answered this question this month."
    return (
        f"{result.positive} of {result.n} people ({pct(result.percent_positive)}) gave a positive "
        f"answer and {pct(result.percent_negative)} a negative one. Allowing for chance in who "
        f"happened to reply, the true figure is very likely (95 % confidence) between "
        f"{pct(result.ci_low)} and {pct(result.ci_high)}."
    )


def change(found: ChangeResult | None) -> str:
    if found is None:
        return "No comparison with last month: there is no published figure for one of the months."
    points = round(found.change_points, 1)
    # Rounded first, so a change of 0.04 points is "no change", never "up 0.0 points".
    size = (
        f"Up {points:.1f} points"
        if points > 0
        else f"Down {-points:.1f} points"
        if points < 0
        else "No change"
    )
    verdict = (
        "This is a real change: chance alone would rarely give one this large."
        if found.significant
        else "This could be chance: the change is within the range expected from month to month."
    )
    return (
        f"{size} since {month_name(found.previous_month)} "
        f"({pct(found.previous_percent_positive)}); 95 % interval for the change "
        f"{found.ci_low:+.1f} to {found.ci_high:+.1f} points. {verdict}"
    )


def spc(result: IndicatorResult) -> str:
    chart = result.spc
    count, minimum = len(chart.points), chart.min_points
    if not count:
        return "No month in the last year has a published figure, so there is no run chart."
    if count < minimum:
        months = "month has" if count == 1 else "months have"
        return (
            f"Only {count} {months} a published figure. Process limits and signals of real "
            f"change need at least {minimum} months, so the chart shows the points alone: "
            f"signals will be looked for once there are more months."
        )
    if not chart.signals:
        return (
            f"Over {count} months the figure varies around an average of "
            f"{pct(chart.mean)} only as much as expected: no sign of a real change."
        )
    return " ".join(_signal(signal) for signal in chart.signals)


def chart_alt(result: IndicatorResult) -> str:
    """What the run chart shows, in words, for screen readers and the PDF's alt text."""
    chart = result.spc
    points = chart.points
    low = min(points, key=lambda p: p.percent_positive)
    high = max(points, key=lambda p: p.percent_positive)
    span = (
        f"{month_name(points[0].month)}"
        if len(points) == 1
        else f"{month_name(points[0].month)} to {month_name(points[-1].month)}"
    )
    text = (
        f"Run chart of {result.label}: % positive in {len(points)} "
        f"{'month' if len(points) == 1 else 'months'}, {span}; lowest {pct(low.percent_positive)} "
        f"({month_name(low.month)}), highest {pct(high.percent_positive)} "
        f"({month_name(high.month)})."
    )
    if chart.mean is None:
        return f"{text} No average or process limits: fewer than {chart.min_points} months."
    return (
        f"{text} Average {pct(chart.mean)}; process limits {pct(chart.lower_limit)} and "
        f"{pct(chart.upper_limit)}; {len(chart.signals) or 'no'} "
        f"{'signal' if len(chart.signals) == 1 else 'signals'} of real change."
    )


def _signal(signal: SpcSignal) -> str:
    direction = "higher" if signal.direction == "up" else "lower"
    rule = _RULES[signal.rule].format(count=len(signal.months), direction=direction)
    meaning = (
        "improving" if signal.direction == "up" else "worsening"
    )  # higher % positive is better
    return f"{month_name(signal.months[0])} {rule} ({meaning})."
