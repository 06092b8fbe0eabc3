"""XLSX: one sheet per section, numbers stored as numbers with number formats (percentages are
kept 0–100 and shown with one decimal place), suppressed cells empty with a "suppressed" column."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from reports.model import Hidden, Report
from reports.render import words

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

PERCENT = '0.0"%"'  # values are 0–100, so not Excel's ×100 percent format
COUNT = "#,##0"
P_VALUE = "0.0000"


def render(report: Report) -> bytes:
    # Imported when a spreadsheet is made: openpyxl costs ~28 MB in every serve process otherwise.
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    _about(book.create_sheet("About"), report)
    _indicators(book.create_sheet("Indicators"), report)
    _options(book.create_sheet("Answers"), report)
    _trend(book.create_sheet("Trend"), report)
    _fft(book.create_sheet("FFT"), report)
    threshold = report.suppression_threshold
    _cells(book.create_sheet("Channels"), ("Channel", "People"), report.channels, threshold)
    _themes(book.create_sheet("Themes"), report)
    statuses = report.safeguarding.by_status
    _cells(book.create_sheet("Safeguarding"), ("Status", "Concerns"), statuses, threshold)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(
    sheet: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    formats: Sequence[str | None],
) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
        for cell, number_format in zip(sheet[sheet.max_row], formats, strict=False):
            if number_format and isinstance(cell.value, int | float):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    for number, title in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = max(12, len(title) + 2)


def _about(sheet: Worksheet, report: Report) -> None:
    rows = [
        ("Provider", report.provider or "All providers"),
        ("Month", report.month),
        ("Generated", words.when(report.generated_at)),
        ("Report format", report.schema_version),
        ("Suppression threshold", report.suppression_threshold),
        ("People who answered", report.respondents),
        ("People who answered suppressed", report.respondents_suppressed),
    ]
    if (rate := report.response_rate) is not None:
        rows += [
            ("Invited", rate.invited),
            ("Responded", rate.responded),
            ("Response rate %", rate.percent),
        ]
    _table(sheet, ("Item", "Value"), rows, (None, None))


def _indicators(sheet: Worksheet, report: Report) -> None:
    header = (
        "Indicator",
        "n",
        "Positive",
        "% positive",
        "CI low %",
        "CI high %",
        "% negative",
        "Suppressed",
        "Why hidden",
        "RAG",
        "Green from %",
        "Amber from %",
        "All providers %",
        "Change (points)",
        "Change significant",
        "p-value",
    )
    rows = []
    for i in report.indicators:
        other = i.all_providers.percent_positive if i.all_providers else None
        change = i.change
        rows.append(
            (
                i.indicator,
                i.n,
                i.positive,
                i.percent_positive,
                i.ci_low,
                i.ci_high,
                i.percent_negative,
                i.suppressed,
                _why(i.hidden_because, report.suppression_threshold),
                i.rag,
                i.rag_thresholds.green if i.rag_thresholds else None,
                i.rag_thresholds.amber if i.rag_thresholds else None,
                other,
                change.change_points if change else None,
                change.significant if change else None,
                change.p_value if change else None,
            )
        )
        for p in i.providers or []:
            rows.append(
                (
                    f"{i.indicator}: {p.provider}",
                    p.n,
                    None,
                    p.percent_positive,
                    p.ci_low,
                    p.ci_high,
                    None,
                    p.suppressed,
                    _why(p.hidden_because, report.suppression_threshold),
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                )
            )
    formats = (
        None,
        COUNT,
        COUNT,
        PERCENT,
        PERCENT,
        PERCENT,
        PERCENT,
        None,
        None,
        None,
        PERCENT,
        PERCENT,
        PERCENT,
        "0.0",
        None,
        P_VALUE,
    )
    _table(sheet, header, rows, formats)


def _options(sheet: Worksheet, report: Report) -> None:
    rows = [
        (i.indicator, o.value, o.label, o.polarity, o.count)
        for i in report.indicators
        for o in i.counts or []
    ]
    _table(
        sheet,
        ("Indicator", "Value", "Answer", "Counts as", "Count"),
        rows,
        (None, None, None, None, COUNT),
    )


def _trend(sheet: Worksheet, report: Report) -> None:
    rows = [
        (
            i.indicator,
            p.month,
            p.n,
            p.percent_positive,
            i.spc.mean,
            i.spc.lower_limit,
            i.spc.upper_limit,
            ", ".join(s.rule for s in i.spc.signals if p.month in s.months),
        )
        for i in report.indicators
        for p in i.spc.points
    ]
    header = (
        "Indicator",
        "Month",
        "n",
        "% positive",
        "Mean %",
        "Lower limit %",
        "Upper limit %",
        "Signals",
    )
    _table(sheet, header, rows, (None, None, COUNT, PERCENT, PERCENT, PERCENT, PERCENT, None))


def _fft(sheet: Worksheet, report: Report) -> None:
    # The count of each answer is on the Answers sheet (indicator "fft"): once is enough.
    fft = report.fft
    why = _why(fft.hidden_because, report.suppression_threshold)
    rows: list[tuple[Any, ...]] = [
        ("Total", fft.total, fft.suppressed, why),
        ("% positive", fft.percent_positive, fft.suppressed, why),
        ("% negative", fft.percent_negative, fft.suppressed, why),
    ]
    _table(sheet, ("Measure", "Value", "Suppressed", "Why hidden"), rows, (None, "0.0##", None))


def _cells(sheet: Worksheet, header: tuple[str, str], cells: Iterable[Any], threshold: int) -> None:
    rows = [(c.key, c.count, c.suppressed, _why(c.hidden_because, threshold)) for c in cells]
    _table(sheet, (*header, "Suppressed", "Why hidden"), rows, (None, COUNT, None))


def _why(because: Hidden | None, threshold: int) -> str | None:
    return None if because is None else words.hidden(because, threshold).removeprefix("Not shown: ")


def _themes(sheet: Worksheet, report: Report) -> None:
    rows = [
        (
            t.label,
            t.count,
            t.suppressed,
            _why(t.hidden_because, report.suppression_threshold),
            *t.quotes,
        )
        for t in report.free_text.themes
    ]
    _table(
        sheet,
        ("Theme", "Comments", "Suppressed", "Why hidden", "Quote 1", "Quote 2", "Quote 3"),
        rows,
        (None, COUNT),
    )
