"""Plain-English sentences about each figure and its uncertainty, for HTML and PDF readers who
are contract managers, not statisticians. Rounding happens here, and only here."""

from __future__ import annotations

from datetime import date

from reports.model import ChangeResult, IndicatorResult, SpcSignal

SUPPRESSED = "Not shown: fewer than {threshold} answers (or needed to protect a small group)."

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


def figure(result: IndicatorResult, threshold: int) -> str:
    if result.suppressed:
        return SUPPRESSED.format(threshold=threshold)
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
    direction = "up" if found.change_points > 0 else "down" if found.change_points < 0 else "level"
    size = f"{abs(found.change_points):.1f} points" if direction != "level" else "no change"
    verdict = (
        "This is a real change: chance alone would rarely give one this large."
        if found.significant
        else "This could be chance: the change is within the range expected from month to month."
    )
    return (
        f"{direction.capitalize()} {size} since {month_name(found.previous_month)} "
        f"({pct(found.previous_percent_positive)}); 95 % interval for the change "
        f"{found.ci_low:+.1f} to {found.ci_high:+.1f} points. {verdict}"
    )


def spc(result: IndicatorResult) -> str:
    chart = result.spc
    if len(chart.points) < 2:
        return "Too few months with published figures to draw a run chart."
    if not chart.signals:
        return (
            f"Over {len(chart.points)} months the figure varies around an average of "
            f"{pct(chart.mean)} only as much as expected: no sign of a real change."
        )
    return " ".join(_signal(signal) for signal in chart.signals)


def _signal(signal: SpcSignal) -> str:
    direction = "higher" if signal.direction == "up" else "lower"
    rule = _RULES[signal.rule].format(count=len(signal.months), direction=direction)
    meaning = (
        "improving" if signal.direction == "up" else "worsening"
    )  # higher % positive is better
    return f"{month_name(signal.months[0])} {rule} ({meaning})."
