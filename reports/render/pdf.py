"""PDF: WeasyPrint prints the HTML report, so both always show the same numbers.

The PDF is tagged (PDF/UA-1): public bodies must publish accessible documents (Public Sector
Bodies Accessibility Regulations 2018), so headings, tables with their header cells, lists and
charts with alt text reach a screen reader as structure, not as loose text on a page.
"""

from __future__ import annotations

from weasyprint import HTML

from reports.model import OutcomesSection, Report
from reports.render import html

PDF_VARIANT = "pdf/ua-1"


def render(report: Report) -> bytes:
    document: bytes = HTML(string=html.render(report, for_pdf=True)).write_pdf(
        pdf_variant=PDF_VARIANT
    )
    return document


def render_outcomes(section: OutcomesSection) -> bytes:
    document: bytes = HTML(string=html.render_outcomes(section)).write_pdf()
    return document
