"""Report pages: choose a provider and month, read the report in the page, download any format.

A provider the viewer may not see is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from markupsafe import Markup

from bot.dashboard import catalog
from bot.dashboard.access import Viewer
from bot.dashboard.context import Dashboard
from bot.web.pages import PageError, Redirect, not_found
from reports.build import MONTH, ReportError, all_providers_report, provider_report
from reports.model import Report
from reports.render.formats import Format, render

MEDIA_TYPES = {
    Format.json: "application/json",
    Format.csv: "text/csv; charset=utf-8",
    Format.html: "text/html; charset=utf-8",
    Format.pdf: "application/pdf",
    Format.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def add_report_routes(router: APIRouter, dash: Dashboard) -> None:
    @router.get("/reports")
    def index(request: Request) -> Response:
        session, viewer = dash.signed_in(request)
        choices = catalog.providers(dash.engine, viewer)
        ids = None if viewer.sees_all_providers else [p.id for p in choices]
        months = catalog.months(dash.engine, ids) if choices else []
        # Start where there is something to read: the newest month with answers, and the first
        # provider that has answers in it (not simply the first provider in the list).
        ready = (
            catalog.with_answers(dash.engine, [p.id for p in choices], months[0]) if months else []
        )
        chosen = next((p.id for p in choices if p.id in ready), None)
        context = {
            "providers": choices, "months": months, "chosen": chosen,
            "surveys": _surveys(dash, viewer),
        }  # fmt: skip
        return dash.show("index.html.j2", session, viewer, context)

    @router.get("/reports/view")
    def choose(
        request: Request,
        provider: Annotated[str, Query()] = "",
        month: Annotated[str, Query()] = "",
    ) -> Response:
        dash.signed_in(request)
        if not provider.isdigit() or not MONTH.match(month):
            raise Redirect("/reports")
        raise Redirect(f"/reports/{provider}/{month}")

    @router.get("/reports/all/{month}.{fmt}")
    def all_download(request: Request, month: str, fmt: str) -> Response:
        _, viewer = dash.signed_in(request)
        _all_allowed(viewer)
        return _download(_build(dash, None, month), _format(fmt))

    @router.get("/reports/all/{month}")
    def all_inline(request: Request, month: str) -> Response:
        session, viewer = dash.signed_in(request)
        _all_allowed(viewer)
        report = _build(dash, None, month)
        return dash.show("report.html.j2", session, viewer, _inline(report, "all"))

    @router.get("/reports/{provider_id:int}/{month}.{fmt}")
    def download(request: Request, provider_id: int, month: str, fmt: str) -> Response:
        _, viewer = dash.signed_in(request)
        name = _provider_name(dash, viewer, provider_id)
        return _download(_build(dash, name, month), _format(fmt))

    @router.get("/reports/{provider_id:int}/{month}")
    def inline(request: Request, provider_id: int, month: str) -> Response:
        session, viewer = dash.signed_in(request)
        name = _provider_name(dash, viewer, provider_id)
        report = _build(dash, name, month)
        return dash.show("report.html.j2", session, viewer, _inline(report, str(provider_id)))


def _surveys(dash: Dashboard, viewer: Viewer) -> list[tuple[str, str]]:
    from bot.dashboard.consultation import visible_flows

    return [(flow.id, flow.title) for flow in visible_flows(dash.settings, viewer)]


def _all_allowed(viewer: Viewer) -> None:
    if not viewer.sees_all_providers:
        raise not_found()


def _provider_name(dash: Dashboard, viewer: Viewer, provider_id: int) -> str:
    found = catalog.provider(dash.engine, viewer, provider_id)
    if found is None:
        raise not_found()
    return found.name


def _format(fmt: str) -> Format:
    try:
        return Format(fmt)
    except ValueError:
        raise not_found() from None


def _build(dash: Dashboard, provider: str | None, month: str) -> Report:
    try:
        if provider is None:
            return all_providers_report(dash.engine, month, dash.config, dash.settings.flows_dir)
        return provider_report(dash.engine, provider, month, dash.config, dash.settings.flows_dir)
    except ReportError as error:
        raise PageError(404, "There is no report for this month", _sentence(error)) from None


def _sentence(error: ReportError) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + "."


def _download(report: Report, fmt: Format) -> Response:
    slug = re.sub(r"[^a-z0-9]+", "-", (report.provider or "all providers").lower()).strip("-")
    filename = f"report-{slug or 'provider'}-{report.month}.{fmt.value}"
    return Response(
        render(report, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_BODY = re.compile(r"<body>(.*?)</body>", re.DOTALL)


def _inline(report: Report, path: str) -> dict[str, object]:
    """The report's own HTML (already escaped by its template) inside the dashboard's page."""
    from reports.render import html

    document = html.render(report)
    style, body = _STYLE.search(document), _BODY.search(document)
    if style is None or body is None:
        raise RuntimeError("the report template changed shape")
    content = body.group(1).replace("<main>", '<main id="main-content" tabindex="-1">', 1)
    return {
        "report": report,
        "base_path": f"/reports/{path}/{report.month}",
        "formats": [f.value for f in Format],
        "report_style": Markup(style.group(1).replace("body {", ".report {")),
        "report_body": Markup(content),
    }
