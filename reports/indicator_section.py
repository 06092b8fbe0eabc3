"""The indicators section: per indicator, this month's figure, the all-provider figure, the
change since last month and the 12-month run chart, with suppression decided across the group of
all providers for each indicator and month."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reports import figures, statistics
from reports.config import ReportConfig
from reports.fft import FFT_VALUES, fft
from reports.figures import EMPTY, Figure
from reports.indicators import IndicatorInfo, label
from reports.model import FftBlock, IndicatorResult, ProviderFigure, RagThresholds
from reports.queries import Cell
from reports.suppression import hidden_because, is_small, suppress

Key = tuple[str, str]  # (indicator, month)


@dataclass
class Grid:
    """Every provider's cells for the window, and which of them may be shown."""

    cells: dict[Key, dict[int, Cell]] = field(default_factory=dict)
    hidden: set[tuple[int, str, str]] = field(default_factory=set)

    @classmethod
    def build(cls, cells: list[Cell], threshold: int) -> Grid:
        grid = cls()
        for cell in cells:
            grid.cells.setdefault((cell.indicator, cell.month), {})[cell.provider_id] = cell
        for (indicator, month), group in grid.cells.items():
            totals = {provider: cell.n for provider, cell in group.items()}
            for provider in suppress(totals, threshold, sum(totals.values())):
                grid.hidden.add((provider, indicator, month))
        return grid

    def figure(self, provider_id: int | None, indicator: str, month: str, threshold: int) -> Figure:
        group = self.cells.get((indicator, month), {})
        if provider_id is not None:
            cell = group.get(provider_id)
            if cell is None:
                return EMPTY
            hidden = (provider_id, indicator, month) in self.hidden
            return Figure(cell.n, cell.positive, cell.negative, hidden)
        n = sum(c.n for c in group.values())
        positive, negative = (
            sum(c.positive for c in group.values()),
            sum(c.negative for c in group.values()),
        )
        return Figure(n, positive, negative, is_small(n, threshold))

    def indicators(self, provider_id: int | None) -> set[str]:
        return {
            indicator
            for (indicator, _), group in self.cells.items()
            if provider_id is None or provider_id in group
        }


@dataclass(frozen=True)
class Inputs:
    grid: Grid
    months: list[str]  # the window, oldest first; the report's month last
    options: Mapping[tuple[int, str], Mapping[str, int]]
    declared: Mapping[str, IndicatorInfo]
    names: Mapping[int, str]
    config: ReportConfig


def indicators(inputs: Inputs, provider_id: int | None) -> list[IndicatorResult]:
    order = list(inputs.declared)
    found = inputs.grid.indicators(provider_id)
    ranked = sorted(found, key=lambda n: (order.index(n) if n in order else len(order), n))
    return [_indicator(inputs, provider_id, name) for name in ranked]


def _indicator(inputs: Inputs, provider_id: int | None, name: str) -> IndicatorResult:
    threshold, month = inputs.config.suppression_threshold, inputs.months[-1]
    history = {m: inputs.grid.figure(provider_id, name, m, threshold) for m in inputs.months}
    figure, info = history[month], inputs.declared.get(name)
    low, high = figure.interval()
    bands = inputs.config.bands(name)
    percent = figure.percent()
    return IndicatorResult(
        indicator=name,
        label=label(name),
        question=info.question if info else "",
        n=None if figure.suppressed else figure.n,
        counts=figures.option_counts(info, _counts(inputs, provider_id, name), figure),
        positive=None if figure.suppressed else figure.positive,
        percent_positive=percent,
        ci_low=low,
        ci_high=high,
        percent_negative=figure.percent(figure.negative),
        suppressed=figure.suppressed,
        rag=statistics.rag(percent, bands.green, bands.amber),
        rag_thresholds=RagThresholds(green=bands.green, amber=bands.amber),
        hidden_because=hidden_because(figure.n, figure.suppressed, threshold),
        all_providers=(
            figures.comparison(inputs.grid.figure(None, name, month, threshold), threshold)
            if provider_id is not None
            else None
        ),
        change=figures.change(figure, history[inputs.months[-2]], inputs.months[-2]),
        spc=figures.run_chart(history, inputs.config),
        providers=_providers(inputs, name) if provider_id is None else None,
    )


def _counts(inputs: Inputs, provider_id: int | None, name: str) -> dict[str, int]:
    if provider_id is not None:
        return dict(inputs.options.get((provider_id, name), {}))
    total: dict[str, int] = {}
    for (_, indicator), counts in inputs.options.items():
        if indicator == name:
            for value, count in counts.items():
                total[value] = total.get(value, 0) + count
    return total


def _providers(inputs: Inputs, name: str) -> list[ProviderFigure]:
    """Each provider beside the others, by name: FFT results are not a league table."""
    month, threshold = inputs.months[-1], inputs.config.suppression_threshold
    rows = []
    for provider_id in inputs.grid.cells.get((name, month), {}):
        figure = inputs.grid.figure(provider_id, name, month, threshold)
        low, high = figure.interval()
        rows.append(
            ProviderFigure(
                provider=inputs.names.get(provider_id, str(provider_id)),
                n=None if figure.suppressed else figure.n,
                percent_positive=figure.percent(),
                ci_low=low,
                ci_high=high,
                suppressed=figure.suppressed,
                hidden_because=hidden_because(figure.n, figure.suppressed, threshold),
            )
        )
    return sorted(rows, key=lambda row: row.provider.lower())


def fft_block(inputs: Inputs, provider_id: int | None) -> FftBlock:
    month, threshold = inputs.months[-1], inputs.config.suppression_threshold
    figure = inputs.grid.figure(provider_id, "fft", month, threshold)
    counts = {k: v for k, v in _counts(inputs, provider_id, "fft").items() if k in FFT_VALUES}
    if figure.suppressed:
        return FftBlock(
            total=None,
            counts=None,
            percent_positive=None,
            percent_negative=None,
            suppressed=True,
            hidden_because=hidden_because(figure.n, figure.suppressed, threshold),
        )
    result = fft(counts)
    return FftBlock(
        total=result.total,
        counts=figures.option_counts(inputs.declared.get("fft"), result.counts, figure),
        percent_positive=result.percent_positive,
        percent_negative=result.percent_negative,
        suppressed=False,
    )
