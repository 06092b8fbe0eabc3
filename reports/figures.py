"""One indicator's numbers for a scope (a provider, or all providers) and what they become
in the report: percentages with intervals, change, SPC — never anything of a suppressed unit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reports import spc, statistics
from reports.config import ReportConfig
from reports.indicators import IndicatorInfo
from reports.model import ChangeResult, Comparison, OptionCount, SpcPoint, SpcResult, SpcSignal
from reports.suppression import hidden_because


@dataclass(frozen=True)
class Figure:
    n: int
    positive: int
    negative: int
    suppressed: bool

    @property
    def shown(self) -> bool:
        """Published with a percentage: not suppressed and somebody answered."""
        return not self.suppressed and self.n > 0

    def percent(self, count: int | None = None) -> float | None:
        if not self.shown:
            return None
        return 100 * (self.positive if count is None else count) / self.n

    def interval(self) -> tuple[float | None, float | None]:
        found = statistics.wilson(self.positive, self.n) if self.shown else None
        return (None, None) if found is None else (100 * found.low, 100 * found.high)


EMPTY = Figure(0, 0, 0, False)


def comparison(figure: Figure, threshold: int) -> Comparison:
    low, high = figure.interval()
    return Comparison(
        n=None if figure.suppressed else figure.n,
        percent_positive=figure.percent(),
        ci_low=low,
        ci_high=high,
        suppressed=figure.suppressed,
        hidden_because=hidden_because(figure.n, figure.suppressed, threshold),
    )


def change(now: Figure, before: Figure, previous_month: str) -> ChangeResult | None:
    if not (now.shown and before.shown):
        return None
    found = statistics.change(now.positive, now.n, before.positive, before.n)
    return ChangeResult(
        previous_month=previous_month,
        previous_percent_positive=before.percent() or 0.0,
        change_points=100 * found.difference,
        ci_low=100 * found.low,
        ci_high=100 * found.high,
        z=found.z,
        p_value=found.p_value,
        significant=found.significant,
    )


def run_chart(history: Mapping[str, Figure], config: ReportConfig) -> SpcResult:
    """The months with a published figure; suppressed and empty months are gaps. Below the
    minimum number of months the points stand alone: limits from fewer would mislead."""
    points = [
        SpcPoint(month=month, n=figure.n, percent_positive=figure.percent() or 0.0)
        for month, figure in sorted(history.items())
        if figure.shown
    ]
    values = [point.percent_positive for point in points]
    minimum = config.spc_min_points
    found = spc.chart(values, config.shift_length, config.trend_length)
    if found is None or len(points) < minimum:
        return SpcResult(
            points=points,
            mean=None,
            lower_limit=None,
            upper_limit=None,
            signals=[],
            min_points=minimum,
        )
    signals = [
        SpcSignal(rule=s.rule, direction=s.direction, months=[points[i].month for i in s.indexes])
        for s in found.signals
    ]
    # Percentages cannot leave 0–100, so neither can the limits drawn beside them.
    return SpcResult(
        points=points,
        mean=found.mean,
        lower_limit=max(0.0, found.lower),
        upper_limit=min(100.0, found.upper),
        signals=signals,
        min_points=minimum,
    )


def option_counts(
    info: IndicatorInfo | None, counts: Mapping[str, int], figure: Figure
) -> list[OptionCount] | None:
    """Counts per option in the flow's order (zeros included); None when suppressed."""
    if figure.suppressed:
        return None
    declared: Sequence[tuple[str, str]] = info.options if info else ()
    known = {value for value, _ in declared}
    extra = [(value, value) for value in sorted(counts) if value not in known]
    return [
        OptionCount(
            value=value, label=label, count=counts.get(value, 0), polarity=_polarity(info, value)
        )
        for value, label in [*declared, *extra]
    ]


def _polarity(info: IndicatorInfo | None, value: str) -> str:
    if info is not None and value in info.positive:
        return "positive"
    if info is not None and value in info.negative:
        return "negative"
    return "neutral"
