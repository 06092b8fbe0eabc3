"""Pages for survey and consultation results (see ``consultation``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from bot.dashboard.consultation import find_flow, months_with_answers, results
from bot.dashboard.consultation_downloads import add_window_routes
from bot.dashboard.context import Dashboard
from bot.web.pages import PageError, not_found
from reports.build import MONTH


def add_consultation_routes(router: APIRouter, dash: Dashboard) -> None:
    add_window_routes(router, dash)  # before the month pages: "results" is not a month

    @router.get("/reports/surveys/{flow_id}")
    def survey(request: Request, flow_id: str) -> Response:
        session, viewer = dash.signed_in(request)
        flow = find_flow(dash.settings, viewer, flow_id)
        if flow is None:
            raise not_found()
        context = {"flow": flow, "months": months_with_answers(dash.engine, flow.id)}
        return dash.show("survey.html.j2", session, viewer, context)

    @router.get("/reports/surveys/{flow_id}/{month}")
    def survey_month(request: Request, flow_id: str, month: str) -> Response:
        session, viewer = dash.signed_in(request)
        flow = find_flow(dash.settings, viewer, flow_id)
        if flow is None or not MONTH.match(month):
            raise not_found()
        threshold = dash.config.suppression_threshold
        questions = results(dash.engine, flow, month, threshold)
        if not any(q.n for q in questions):
            raise PageError(404, "No answers this month", f"No one answered {flow.title} then.")
        context = {"flow": flow, "month": month, "questions": questions, "threshold": threshold}
        return dash.show("consultation.html.j2", session, viewer, context)
