"""CSV: tidy long format that parses back, one number per row."""

from __future__ import annotations

import csv
import io

import pytest

from reports.model import Report
from reports.render import csvfmt


def parsed(report: Report) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csvfmt.render(report))))


def test_columns_and_known_values(report: Report) -> None:
    rows = parsed(report)
    assert tuple(rows[0]) == csvfmt.COLUMNS
    value = {(r["section"], r["item"], r["option"], r["measure"]): r["value"] for r in rows}
    assert float(value["indicators", "punctuality", "", "percent_positive"]) == pytest.approx(90)
    assert value["indicators", "punctuality", "never", "count"] == "4"
    assert float(value["fft", "fft", "", "percent_positive"]) == pytest.approx(75)
    assert value["channels", "web", "", "respondents"] == "10"
    assert all(r["provider"] == "Sunrise Care" and r["month"] == "2026-10" for r in rows)


def test_suppressed_rows_have_no_value(overview: Report) -> None:
    rows = [
        r for r in parsed(overview) if r["section"] == "providers" and r["option"] == "Tiny Care"
    ]
    assert rows
    assert all(r["value"] == "" and r["suppressed"] == "true" for r in rows)
