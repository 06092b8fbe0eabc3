"""Every format rendered from the same fixture: read back, checked against the report model,
and searched for the values of suppressed units, which must be nowhere."""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import Engine

from reports.build import provider_report
from reports.model import Report
from reports.render.formats import Format, render
from tests.reports.conftest import NOW
from tests.reports.data import MONTH

# Tiny Care (2 of 3; 95 % interval 20.77–93.85) and Hilltop Homecare (punctuality interval
# 46.77–91.11; FFT 10 of 12 = 83.33 %, interval 55.20–95.30) are suppressed. None of these
# numbers may appear, at any rounding.
SECRETS = (
    "66.6",
    "66.7",
    "20.7",
    "20.8",
    "93.8",
    "93.9",
    "46.7",
    "46.8",
    "91.1",
    "83.3",
    "55.2",
    "95.3",
)


def text_of(body: bytes, fmt: Format) -> str:
    if fmt is Format.pdf:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if fmt is Format.xlsx:
        book = load_workbook(io.BytesIO(body))
        return "\n".join(
            repr(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row
        )
    if fmt is Format.html:
        # Chart geometry (SVG coordinates) is not data; the chart's words and numbers are.
        page = body.decode()
        svg_text = re.findall(r">([^<>]+)<", "".join(re.findall(r"<svg.*?</svg>", page, re.S)))
        return re.sub(r"<svg.*?</svg>", "", page, flags=re.S) + "\n".join(svg_text)
    return body.decode()


@pytest.fixture
def all_reports(loaded: Engine, report: Report, overview: Report) -> list[Report]:
    small = [
        provider_report(loaded, name, MONTH, now=NOW) for name in ("Tiny Care", "Hilltop Homecare")
    ]
    return [report, overview, *small]


@pytest.mark.parametrize("fmt", list(Format))
def test_suppressed_values_appear_in_no_format(all_reports: list[Report], fmt: Format) -> None:
    for made in all_reports:
        text = text_of(render(made, fmt), fmt)
        found = [secret for secret in SECRETS if secret in text]
        assert not found, (made.provider, fmt, found)


def test_html_is_self_contained_with_inline_svg_and_no_script(report: Report) -> None:
    page = render(report, Format.html).decode()
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)=["']https?:""", page)
    # Even one month is drawn: the points alone, with a caption saying why there are no limits.
    assert page.count("<svg") == len([i for i in report.indicators if i.spc.points])
    assert "Sunrise Care — October 2026" in page
    assert "76.9% – 96.0%" in page  # punctuality's Wilson interval, rounded for display
    assert "@media print" in page
    assert "Mrs [NAME] was late again" in page


def test_pdf_text_agrees_with_the_json(report: Report) -> None:
    text = text_of(render(report, Format.pdf), Format.pdf)
    document = json.loads(render(report, Format.json))
    punctuality = next(i for i in document["indicators"] if i["indicator"] == "punctuality")
    for value in ("percent_positive", "ci_low", "ci_high", "percent_negative"):
        assert f"{punctuality[value]:.1f}%" in text
    assert f"{document['fft']['percent_positive']:.1f}% positive" in text
    assert "Sunrise Care" in text
    assert "Safeguarding" in text


def test_xlsx_reads_back_with_numbers_and_formats(report: Report) -> None:
    book = load_workbook(io.BytesIO(render(report, Format.xlsx)))
    assert book.sheetnames == [
        "About",
        "Indicators",
        "Answers",
        "Trend",
        "FFT",
        "Channels",
        "Themes",
        "Safeguarding",
    ]
    sheet = book["Indicators"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    percent = rows["punctuality"][header.index("% positive")]
    assert percent.value == pytest.approx(90.0)
    assert percent.number_format == '0.0"%"'
    assert rows["punctuality"][header.index("n")].value == 40
    assert len(list(book["Trend"].iter_rows(min_row=2))) == sum(
        len(i.spc.points) for i in report.indicators
    )


def test_xlsx_leaves_suppressed_cells_empty(overview: Report) -> None:
    sheet = load_workbook(io.BytesIO(render(overview, Format.xlsx)))["Indicators"]
    header = [cell.value for cell in sheet[1]]
    tiny = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "punctuality: Tiny Care")
    assert tiny[header.index("Suppressed")].value is True
    assert all(tiny[header.index(c)].value is None for c in ("n", "% positive", "CI low %"))
