"""PDF: WeasyPrint prints the HTML report, so both always show the same numbers."""

from __future__ import annotations

from weasyprint import HTML

from reports.model import OutcomesSection, Report
from reports.render import html


def render(report: Report) -> bytes:
    document: bytes = HTML(string=html.render(report)).write_pdf()
    return document


def render_outcomes(section: OutcomesSection) -> bytes:
    document: bytes = HTML(string=html.render_outcomes(section)).write_pdf()
    return document
