"""The HTTP service: an application factory every channel plugs into.

Errors are always JSON with a plain message; no stack trace ever reaches a client. Every
request body is size-limited before it is read, and every response carries security headers.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot.config.database import unavailable
from bot.config.settings import Settings
from bot.config.wiring import Services
from bot.dashboard import dashboard_router
from bot.web.api_docs import add_api_docs
from bot.web.bodylimit import KIB, BodyLimit
from bot.web.headers import SecurityHeaders
from bot.web.ratelimit import Limits
from storage.migrate import current, head

log = logging.getLogger("carevoice.app")

# Bytes a request body may have, by path prefix (others: bot/web/bodylimit.DEFAULT_LIMIT).
# Twilio's form is under 10 KiB even for 1,600 characters of emoji; dashboard forms are small.
# Telegram updates are small JSON. A web-form page posts one answer (fields are capped at 2,000
# characters); its limit is higher so that a too-long answer gets the form's own page, which
# says what to do, rather than a bare 413.
BODY_LIMITS = {
    "/sms/": 64 * KIB, "/telegram/": 64 * KIB, "/f/": 256 * KIB, "/s/": 256 * KIB,
    "/reports": 64 * KIB, "/flags": 64 * KIB, "/u/": 4 * KIB,
}  # fmt: skip


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    sign_in_limits: Limits | None = None,
) -> FastAPI:
    """Build the service. ``carevoice serve`` (uvicorn) calls this with no arguments."""
    services = Services.build(settings, engine) if engine else Services.for_service(settings)
    settings, engine, runner = services.settings, services.engine, services.runner
    app = FastAPI(title="carevoice", version="0.1.0", docs_url=None, redoc_url=None)
    app.add_middleware(BodyLimit, limits=BODY_LIMITS)
    # Added last, so outermost: its headers are on the body limit's 413s too.
    app.add_middleware(SecurityHeaders, https=settings.public_url.startswith("https://"))
    if settings.api_docs:
        add_api_docs(app)
    app.state.settings = settings
    app.state.engine = engine
    app.state.runner = runner
    for channel in services.channels:
        router = channel.router(services)
        if router is not None:
            app.include_router(router)
    app.include_router(dashboard_router(settings, engine, limits=sign_in_limits))

    retry_after = str(max(1, round(settings.database_lock_timeout)))

    @app.exception_handler(SQLAlchemyError)
    async def _database(request: Request, error: SQLAlchemyError) -> JSONResponse:
        if not unavailable(error):
            return await _unexpected(request, error)
        # A carrier retries on 503 (and a load balancer reads Retry-After); the retried
        # request is applied once, by its external id.
        reason = type(getattr(error, "orig", None) or error).__name__
        log.warning("database unavailable on %s %s (%s)", request.method, request.url.path, reason)
        body = {"error": "the service is busy; try again shortly"}
        return JSONResponse(body, status_code=503, headers={"Retry-After": retry_after})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        # Logged with the route only: a request body may hold health information.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal error"}, status_code=500)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is up. On the event loop itself: it answers even when every worker
        thread is waiting on a stalled database."""
        return {"status": "ok"}

    @app.get("/readyz", responses={503: {"description": "database unreachable or not migrated"}})
    def readyz() -> JSONResponse:
        """The database is reachable and its schema is current."""
        return readiness(engine)

    return app


def readiness(engine: Engine) -> JSONResponse:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = current(engine)
    except SQLAlchemyError as error:
        reason = type(getattr(error, "orig", None) or error).__name__
        return JSONResponse({"status": "unavailable", "database": f"unreachable ({reason})"}, 503)
    if revision != head():
        body = {
            "status": "unavailable",
            "database": f"schema at {revision or 'nothing'}, needs {head()}",
            "fix": "run: carevoice db upgrade",
        }
        return JSONResponse(body, 503)
    return JSONResponse({"status": "ok", "database": "ok", "schema": revision})
