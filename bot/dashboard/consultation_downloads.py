"""The consultation over its window: the results page and its CSV, XLSX and PDF downloads.

Pages: /reports/surveys/{flow_id}/results, and the same with .csv, .xlsx or .pdf. The PDF is the
results page printed by WeasyPrint (as the monthly reports are), so both show the same numbers.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request, Response

from bot.dashboard.consultation import find_flow
from bot.dashboard.consultation_window import WindowReport, report, table
from bot.dashboard.context import Dashboard
from bot.web.pages import PageError, environment, not_found
from flows.definition import Flow

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def add_window_routes(router: APIRouter, dash: Dashboard) -> None:
    def flow_for(request: Request, flow_id: str) -> tuple[Any, Any, Flow]:
        session, viewer = dash.signed_in(request)
        flow = find_flow(dash.settings, viewer, flow_id)
        if flow is None:
            raise not_found()
        return session, viewer, flow

    @router.get("/reports/surveys/{flow_id}/results")
    def window(request: Request, flow_id: str) -> Response:
        session, viewer, flow = flow_for(request, flow_id)
        found = report(dash.engine, flow, dash.config.suppression_threshold)
        return dash.show("consultation_window.html.j2", session, viewer, _context(found))

    @router.get("/reports/surveys/{flow_id}/results.{fmt}")
    def download(request: Request, flow_id: str, fmt: str) -> Response:
        if fmt not in MEDIA:
            raise not_found()
        _, _, flow = flow_for(request, flow_id)
        threshold = dash.config.suppression_threshold
        if fmt == "pdf":
            body = _pdf(report(dash.engine, flow, threshold))
        else:
            rows = table(dash.engine, flow, threshold)
            if rows is None:
                raise PageError(404, "Too few responses to download",
                                f"A download needs at least {threshold} responses, so that no "
                                "one can be recognised from their answers.")  # fmt: skip
            body = _csv(*rows) if fmt == "csv" else _xlsx(*rows)
        disposition = f'attachment; filename="{flow.id}-results.{fmt}"'
        return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": disposition})


def _context(found: WindowReport) -> dict[str, Any]:
    return {"title": f"{found.flow.title}: results", "r": found}


def _csv(header: list[str], body: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    # A cell starting with = + - @ would be run as a formula by spreadsheets: quote it as text.
    writer.writerows([_safe(cell) for cell in row] for row in body)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def _safe(cell: str) -> str:
    return "'" + cell if cell[:1] in {"=", "+", "-", "@"} else cell


def _xlsx(header: list[str], body: list[list[str]]) -> bytes:
    # Imported here: openpyxl costs ~28 MB in every serve process otherwise.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Responses"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in body:
        sheet.append([_safe(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf(found: WindowReport) -> bytes:
    from weasyprint import HTML

    html = environment().get_template("consultation_print.html.j2").render(**_context(found))
    document: bytes = HTML(string=html).write_pdf()
    return document
