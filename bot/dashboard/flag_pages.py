"""Safeguarding triage pages, for commissioners and admins only (anyone else: not found)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from bot.dashboard.access import Viewer
from bot.dashboard.context import Dashboard, now
from bot.safeguarding import triage as flag_triage
from bot.safeguarding.triage import Change
from bot.web import csrf
from bot.web.inputs import InputProblem, bounded_text, clean_text
from bot.web.pages import PageError, not_found
from bot.web.sessions import SessionData

FormText = Annotated[str, Form()]


def add_flag_routes(router: APIRouter, dash: Dashboard) -> None:
    @router.get("/flags")
    def flags(request: Request, status: Annotated[str, Query()] = "") -> Response:
        session, viewer = _triager(dash, request)
        status = clean_text(status)[:20]  # only ever compared with the known statuses
        rows = flag_triage.list_flags(dash.engine, status or None)
        context = {
            "rows": rows,
            "status": status if status in flag_triage.STATUSES else "",
            "counts": flag_triage.counts(dash.engine),
            "statuses": flag_triage.STATUSES,
        }
        return dash.show("flags.html.j2", session, viewer, context)

    @router.get("/flags/{flag_id:int}")
    def flag(request: Request, flag_id: int) -> Response:
        session, viewer = _triager(dash, request)
        return _flag_page(dash, session, viewer, flag_id)

    @router.post("/flags/{flag_id:int}")
    def triage(
        request: Request,
        flag_id: int,
        csrf_token: FormText = "",
        assigned_to: FormText = "",
        status: FormText = "",
        note: FormText = "",
    ) -> Response:
        session, viewer = _triager(dash, request)
        csrf.check(session, csrf_token)
        if flag_triage.find(dash.engine, flag_id) is None:
            raise not_found()
        try:
            change = Change(
                " ".join(bounded_text("Assigned to", assigned_to, 200).split()),
                clean_text(status).strip()[:20],
                bounded_text("Note", note, 5_000).strip(),
            )
        except InputProblem as problem:
            raise PageError(400, "Sorry, we could not read that", f"{problem}.") from None
        errors = flag_triage.apply(dash.engine, flag_id, change, viewer.email, now())
        if errors:
            return _flag_page(dash, session, viewer, flag_id, errors, change, 400)
        return RedirectResponse(f"/flags/{flag_id}", status_code=303)


def _triager(dash: Dashboard, request: Request) -> tuple[SessionData, Viewer]:
    session, viewer = dash.signed_in(request)
    if not viewer.may_triage:
        raise not_found()
    return session, viewer


def _flag_page(
    dash: Dashboard,
    session: SessionData,
    viewer: Viewer,
    flag_id: int,
    errors: dict[str, str] | None = None,
    change: Change | None = None,
    status: int = 200,
) -> Response:
    found = flag_triage.find(dash.engine, flag_id)
    if found is None:
        raise not_found()
    row, texts = found
    context = {
        "row": row,
        "texts": texts,
        "errors": errors or {},
        "choices": flag_triage.NEXT[row.flag.status],
        "form": change or Change(row.flag.assigned_to or "", row.flag.status, ""),
    }
    return dash.show("flag.html.j2", session, viewer, context, status)
