"""The outcomes page: a provider's change in each outcome domain over a contract period.

The page is the outcomes report itself (``reports.outcome_report``, rendered by the report's own
HTML template) inside the dashboard, with the same report downloadable in every format, so a
figure read on screen is the figure in the PDF and the JSON. Who may see a provider is decided
as for the monthly reports: a provider the viewer may not see is "not found".
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from markupsafe import Markup

from bot.dashboard import catalog
from bot.dashboard.context import Dashboard
from bot.dashboard.report_pages import MEDIA_TYPES
from bot.web.pages import PageError, Redirect, not_found
from reports.build import MONTH, ReportError
from reports.model import OutcomesSection
from reports.outcome_report import outcomes_report
from reports.render.formats import Format, render_outcomes

BASE = "/reports/outcomes"
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_BODY = re.compile(r"<body>(.*?)</body>", re.DOTALL)


def add_outcome_routes(router: APIRouter, dash: Dashboard) -> None:
    @router.get(f"{BASE}/view")
    def choose(
        request: Request,
        provider: Annotated[str, Query()] = "",
        start: Annotated[str, Query(alias="from")] = "",
        end: Annotated[str, Query(alias="to")] = "",
    ) -> Response:
        dash.signed_in(request)
        if not provider.isdigit() or not MONTH.match(start) or not MONTH.match(end):
            raise Redirect("/reports#outcomes")
        raise Redirect(f"{BASE}/{provider}/{start}/{end}")

    @router.get(BASE + "/{provider_id:int}/{start}/{end}.{fmt}")
    def download(request: Request, provider_id: int, start: str, end: str, fmt: str) -> Response:
        _, viewer = dash.signed_in(request)
        found = catalog.provider(dash.engine, viewer, provider_id)
        if found is None:
            raise not_found()
        try:
            wanted = Format(fmt)
        except ValueError:
            raise not_found() from None
        section = _build(dash, found.name, start, end)
        slug = re.sub(r"[^a-z0-9]+", "-", found.name.lower()).strip("-") or "provider"
        name = f"outcomes-{slug}-{start}-to-{end}.{wanted.value}"
        return Response(
            render_outcomes(section, wanted),
            media_type=MEDIA_TYPES[wanted],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @router.get(BASE + "/{provider_id:int}/{start}/{end}")
    def inline(request: Request, provider_id: int, start: str, end: str) -> Response:
        session, viewer = dash.signed_in(request)
        found = catalog.provider(dash.engine, viewer, provider_id)
        if found is None:
            raise not_found()
        section = _build(dash, found.name, start, end)
        context = _embedded(section) | {
            "outcomes": section,
            "base_path": f"{BASE}/{provider_id}/{start}/{end}",
            "formats": [f.value for f in Format],
        }
        return dash.show("outcomes.html.j2", session, viewer, context)


def _build(dash: Dashboard, provider: str, start: str, end: str) -> OutcomesSection:
    try:
        return outcomes_report(
            dash.engine, provider, start, end, dash.config, dash.settings.flows_dir
        )
    except ReportError as error:
        text = str(error)
        raise PageError(
            404, "There is no outcomes report for this period", text[:1].upper() + text[1:] + "."
        ) from None


def _embedded(section: OutcomesSection) -> dict[str, object]:
    """The report's own HTML (escaped by its template) for the dashboard's page."""
    from reports.render import html

    document = html.render_outcomes(section)
    style, body = _STYLE.search(document), _BODY.search(document)
    if style is None or body is None:
        raise RuntimeError("the outcomes template changed shape")
    content = body.group(1).replace("<main>", '<main id="main-content" tabindex="-1">', 1)
    return {
        "report_style": Markup(style.group(1).replace("body {", ".report {")),
        "report_body": Markup(content),
    }
