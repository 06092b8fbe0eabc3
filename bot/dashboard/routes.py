"""The dashboard's router. Mount it in the app factory with::

    app.include_router(dashboard_router(settings, engine))

Pages: /reports/sign-in, /reports/sign-out, /reports, /reports/{provider_id}/{month}[.fmt],
/reports/all/{month}[.fmt], /reports/outcomes/{provider_id}/{from}/{to}[.fmt],
/reports/surveys/{flow_id}[/{month}], /flags, /flags/{id}.
Any other address under /reports or /flags is a friendly HTML "not found" page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from bot.config.settings import Settings
from bot.dashboard.consultation_pages import add_consultation_routes
from bot.dashboard.context import Dashboard
from bot.dashboard.flag_pages import add_flag_routes
from bot.dashboard.outcome_pages import add_outcome_routes
from bot.dashboard.report_pages import add_report_routes
from bot.dashboard.sign_in import add_sign_in_routes
from bot.web.pages import HtmlRoute, not_found
from bot.web.proxies import parse_trusted
from bot.web.ratelimit import Limits, SignInLimiter
from bot.web.sessions import SessionStore, session_secret, timeouts_of
from reports.config import ReportConfig


def dashboard_router(
    settings: Settings,
    engine: Engine,
    config: ReportConfig | None = None,
    limits: Limits | None = None,
) -> APIRouter:
    store = SessionStore(
        engine,
        session_secret(settings),
        settings.public_url.startswith("https://"),
        timeouts_of(settings),
    )
    dash = Dashboard(
        settings=settings,
        engine=engine,
        store=store,
        limiter=SignInLimiter(engine, store.keyed, limits),
        config=config or ReportConfig(),
        trusted_proxies=parse_trusted(settings.trusted_proxies),
    )
    router = APIRouter(route_class=HtmlRoute, include_in_schema=False)
    add_sign_in_routes(router, dash)
    add_outcome_routes(router, dash)  # before /reports/{provider_id}/{month}: never ambiguous
    add_report_routes(router, dash)
    add_consultation_routes(router, dash)
    add_flag_routes(router, dash)

    @router.api_route("/reports/{rest:path}", methods=["GET", "POST"])
    @router.api_route("/flags/{rest:path}", methods=["GET", "POST"])
    def unknown(request: Request, rest: str) -> Response:
        raise not_found()

    return router
