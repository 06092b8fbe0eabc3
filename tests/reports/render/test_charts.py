"""The run chart draws what its caption promises: every point, the average and both process
limits inside the visible axis, and signal months in red."""

from __future__ import annotations

from matplotlib.lines import Line2D

from reports.model import SpcPoint, SpcResult, SpcSignal
from reports.render import charts


def _spc(values: list[float], lower: float | None, upper: float | None) -> SpcResult:
    months = [f"2026-{number:02d}" for number in range(1, len(values) + 1)]
    return SpcResult(
        points=[
            SpcPoint(month=m, n=40, percent_positive=v) for m, v in zip(months, values, strict=True)
        ],
        mean=None if lower is None else sum(values) / len(values),
        lower_limit=lower,
        upper_limit=upper,
        signals=[],
        min_points=6,
    )


def _dashed(lines: list[Line2D]) -> list[float]:
    return sorted(float(line.get_ydata()[0]) for line in lines if line.get_linestyle() == "--")  # type: ignore[index]


def test_limits_far_from_the_points_are_inside_the_axis() -> None:
    # Points 50–60 with limits 20 and 95: the old "data ± 15" axis (35–76) hid both dashed lines.
    spc = _spc([50, 55, 60, 52, 58, 54, 56], lower=20.0, upper=95.0)
    figure = charts.draw(spc, "Punctuality")
    assert figure is not None
    axes = figure.axes[0]
    low, high = axes.get_ylim()
    assert _dashed(axes.get_lines()) == [20.0, 95.0]
    assert low < 20.0
    assert high > 95.0
    assert 0 <= high <= 101


def test_a_limit_clipped_to_zero_stays_above_the_frame() -> None:
    figure = charts.draw(_spc([5, 30, 2, 25, 8, 28], lower=0.0, upper=60.0), "Low")
    assert figure is not None
    low, _ = figure.axes[0].get_ylim()
    assert low < 0.0


def test_too_few_months_draw_the_points_without_limits() -> None:
    figure = charts.draw(_spc([70.0, 80.0], lower=None, upper=None), "FFT")
    assert figure is not None
    axes = figure.axes[0]
    assert _dashed(axes.get_lines()) == []
    plotted = axes.get_lines()[0]
    assert list(plotted.get_ydata()) == [70.0, 80.0]  # type: ignore[arg-type]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["Jan 2026", "Feb 2026"]


def test_one_month_is_still_a_chart_and_no_months_are_none() -> None:
    svg = charts.run_chart(_spc([75.0], None, None), "FFT")
    assert svg is not None
    assert ">Jan 2026<" in svg.replace("\n", "")  # labels stay text, readable and searchable
    assert charts.run_chart(_spc([], None, None), "FFT") is None


def test_signal_months_are_red() -> None:
    spc = _spc([50, 52, 54, 56, 58, 60], lower=40.0, upper=70.0).model_copy(
        update={"signals": [SpcSignal(rule="trend", direction="up", months=["2026-05"])]}
    )
    figure = charts.draw(spc, "Trend")
    assert figure is not None
    red = figure.axes[0].collections[0].get_offsets()
    assert [float(y) for _, y in red] == [58.0]
