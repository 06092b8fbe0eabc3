"""Which renderer makes which format. HTML, PDF and XLSX are imported only when asked for:
matplotlib and WeasyPrint take a second to import, which a JSON report should not pay."""

from __future__ import annotations

from enum import StrEnum

from reports.model import OutcomesSection, Report


class Format(StrEnum):
    html = "html"
    pdf = "pdf"
    xlsx = "xlsx"
    csv = "csv"
    json = "json"

    @property
    def binary(self) -> bool:
        return self in (Format.pdf, Format.xlsx)


def render(report: Report, fmt: Format) -> bytes:
    if fmt is Format.json:
        from reports.render import jsonfmt

        return jsonfmt.render(report).encode()
    if fmt is Format.csv:
        from reports.render import csvfmt

        return csvfmt.render(report).encode()
    if fmt is Format.html:
        from reports.render import html

        return html.render(report).encode()
    if fmt is Format.pdf:
        from reports.render import pdf

        return pdf.render(report)
    from reports.render import xlsx

    return xlsx.render(report)


def render_outcomes(section: OutcomesSection, fmt: Format) -> bytes:
    """The outcomes report (``carevoice report --outcomes``) in any of the report formats."""
    if fmt is Format.json:
        from reports.render import jsonfmt

        return jsonfmt.render_outcomes(section).encode()
    if fmt is Format.html:
        from reports.render import html

        return html.render_outcomes(section).encode()
    if fmt is Format.pdf:
        from reports.render import pdf

        return pdf.render_outcomes(section)
    from reports.render import outcome_tables

    if fmt is Format.csv:
        return outcome_tables.csv_text(section).encode()
    return outcome_tables.xlsx_bytes(section)
