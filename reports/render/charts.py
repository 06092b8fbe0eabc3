"""Charts as inline SVG, drawn by matplotlib's SVG backend (no display, no JavaScript).

Text stays text (``svg.fonttype = none``) so charts are searchable and readable by screen
readers, and ids are salted with a constant so the same report gives the same bytes.
"""

from __future__ import annotations

import calendar
import io
import re
from typing import Any

# A bare Figure (not pyplot) never touches a GUI backend: savefig(format="svg") uses the SVG one.
from matplotlib import rc_context
from matplotlib.figure import Figure

from reports.model import DomainOutcome, SpcResult

_POINT, _SIGNAL, _LINE = "#1d70b8", "#d4351c", "#505a5f"  # GOV.UK blue, red, dark grey
_STYLE: dict[Any, Any] = {  # matplotlib types its keys as a Literal of every setting
    "svg.fonttype": "none",
    "svg.hashsalt": "carevoice",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def run_chart(spc: SpcResult, title: str) -> str | None:
    """The chart as inline SVG; None when no month has a published figure."""
    figure = draw(spc, title)
    if figure is None:
        return None
    with rc_context(_STYLE):  # savefig reads svg.* settings when it writes, not when drawing
        return _svg(figure)


def draw(spc: SpcResult, title: str) -> Figure | None:
    """The months' % positive with mean and process limits; signal points in red. With fewer
    months than SPC needs the points are drawn alone (the report says why)."""
    if not spc.points:
        return None
    months = [_short_month(p.month) for p in spc.points]
    values = [p.percent_positive for p in spc.points]
    flagged = {_short_month(m) for s in spc.signals for m in s.months}
    with rc_context(_STYLE):
        figure = Figure(figsize=(6.4, 2.6))
        axes = figure.add_subplot()
        axes.plot(months, values, color=_POINT, marker="o", linewidth=1.5)
        red = [i for i, month in enumerate(months) if month in flagged]
        if red:
            axes.scatter(
                [months[i] for i in red], [values[i] for i in red], color=_SIGNAL, zorder=3
            )
        for level, style in ((spc.mean, "-"), (spc.lower_limit, "--"), (spc.upper_limit, "--")):
            if level is not None:
                axes.axhline(level, color=_LINE, linestyle=style, linewidth=0.8)
        axes.set_ylim(*_y_range(values, spc))
        axes.set_ylabel("% positive")
        axes.set_title(title, loc="left", fontsize=10)
        axes.tick_params(axis="x", labelrotation=45)
        figure.tight_layout()
        return figure


def _short_month(month: str) -> str:
    """ "2026-10" → "Oct 2026": a reader's label, not a database key."""
    year, number = month.split("-")
    return f"{calendar.month_abbr[int(number)]} {year}"


def _y_range(values: list[float], spc: SpcResult) -> tuple[float, float]:
    """Room for every point and both process limits (the caption promises the dashed lines),
    with a margin so none sits on the frame; never beyond 0–100 %."""
    levels = [v for v in (spc.lower_limit, spc.upper_limit) if v is not None]
    low, high = min([*values, *levels]), max([*values, *levels])
    margin = max(5.0, (high - low) * 0.1)
    # One point beyond 0 and 100, so a limit clipped to either is not hidden by the frame.
    return max(0.0, low - margin) - 1, min(100.0, high + margin) + 1


def distance_travelled(domains: list[DomainOutcome]) -> str | None:
    """Each published domain's average first and latest score, as a share of the way along its
    scale towards the better end, so that domains on different scales can share one axis."""
    shown = [
        d
        for d in domains
        if not d.suppressed and d.baseline_mean is not None and d.follow_up_mean is not None
    ]
    if not shown:
        return None
    with rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "carevoice",
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        figure = Figure(figsize=(6.4, 0.6 + 0.45 * len(shown)))
        axes = figure.add_subplot()
        for row, d in enumerate(reversed(shown)):
            first, latest = (_towards_better(d, v) for v in (d.baseline_mean, d.follow_up_mean))
            axes.plot([first, latest], [row, row], color=_LINE, linewidth=1.5)
            axes.scatter([first], [row], facecolors="white", edgecolors=_POINT, zorder=3)
            axes.scatter([latest], [row], color=_POINT, zorder=3)
        axes.set_yticks(range(len(shown)), [d.label for d in reversed(shown)])
        axes.set_xlim(-2, 102)
        axes.set_xticks([0, 25, 50, 75, 100], ["worst", "", "middle", "", "best"])
        axes.set_title(
            "Distance travelled: first (open) to latest (filled)", loc="left", fontsize=10
        )
        figure.tight_layout()
        return _svg(figure)


def _towards_better(d: DomainOutcome, score: float | None) -> float:
    span = d.scale_high - d.scale_low
    share = ((score or 0) - d.scale_low) / span if span else 0.0
    return 100 * (share if d.better == "higher" else 1 - share)


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    # Inline in HTML: drop the XML declaration and DOCTYPE, keep the <svg> element.
    return re.sub(r"^.*?(?=<svg)", "", text, flags=re.DOTALL)
