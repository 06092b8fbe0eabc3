"""HTML: one self-contained file (styles inline, charts as inline SVG, no JavaScript), printable.
The PDF is made from this same HTML."""

from __future__ import annotations

import base64
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from reports.model import OutcomesSection, Report
from reports.render import charts, outcome_words, words


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("reports.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a misspelt field is an error, never a silently empty cell
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["pct"] = words.pct
    environment.filters["month_name"] = words.month_name
    environment.filters["count"] = lambda value: "—" if value is None else f"{value:,}"
    environment.globals["words"] = words
    environment.globals["outcome_words"] = outcome_words
    return environment


def render(report: Report, *, for_pdf: bool = False) -> str:
    """``for_pdf`` puts each chart in an ``<img>`` with alt text: WeasyPrint tags an image as a
    PDF Figure carrying that text, while an inline SVG would reach a screen reader as nothing.
    It also puts each table's caption just before the table (see the template's ``table``)."""
    chart_svgs = {
        result.indicator: svg
        for result in report.indicators
        if (svg := charts.run_chart(result.spc, f"{result.label}: % positive by month"))
    }
    template = _environment().get_template("report.html.j2")
    outcome_chart = _outcome_chart(report.outcomes) if report.outcomes else None
    return template.render(
        report=report,
        # The SVG is our own matplotlib output (its text escaped by matplotlib), so it is trusted.
        charts={name: Markup(svg) for name, svg in chart_svgs.items()},
        chart_uris={name: _data_uri(svg) for name, svg in chart_svgs.items()} if for_pdf else {},
        for_pdf=for_pdf,
        outcome_chart=outcome_chart,
    )


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def render_outcomes(section: OutcomesSection) -> str:
    """The outcomes report on its own (``carevoice report --outcomes``)."""
    template = _environment().get_template("outcomes.html.j2")
    return template.render(outcomes=section, outcome_chart=_outcome_chart(section))


def _outcome_chart(section: OutcomesSection) -> Markup | None:
    svg = charts.distance_travelled(section.domains)
    return Markup(svg) if svg else None  # our own matplotlib output, as for the run charts
