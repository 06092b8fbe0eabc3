"""The spreadsheet says why a cell is empty, states the RAG thresholds, writes the time as
people do, and lists the FFT answer counts once (on the Answers sheet)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from reports.model import Report
from reports.render import xlsx


def _rows(sheet: Worksheet) -> dict[object, dict[object, object]]:
    header = [cell.value for cell in sheet[1]]
    return {
        row[0].value: dict(zip(header, (c.value for c in row), strict=True))
        for row in sheet.iter_rows(min_row=2)
    }


def test_hidden_cells_say_which_rule_hid_them(overview: Report) -> None:
    rows = _rows(load_workbook(io.BytesIO(xlsx.render(overview)))["Indicators"])
    assert rows["punctuality: Tiny Care"]["Why hidden"] == "fewer than 5 answers."
    hilltop = rows["punctuality: Hilltop Homecare"]
    assert hilltop["n"] is None
    assert hilltop["Why hidden"] == "hidden so that another number cannot be worked out."
    assert rows["punctuality: Sunrise Care"]["Why hidden"] is None


def test_thresholds_time_and_fft_counts_once(report: Report) -> None:
    book = load_workbook(io.BytesIO(xlsx.render(report)))
    punctuality = _rows(book["Indicators"])["punctuality"]
    assert (punctuality["RAG"], punctuality["Green from %"], punctuality["Amber from %"]) == (
        "green", 90.0, 75.0,
    )  # fmt: skip
    assert _rows(book["About"])["Generated"]["Value"] == "3 November 2026, 09:00"
    assert list(_rows(book["FFT"])) == ["Total", "% positive", "% negative"]
    answers = list(book["Answers"].iter_rows(min_row=2, values_only=True))
    assert sum(1 for row in answers if row[0] == "fft") == 6
