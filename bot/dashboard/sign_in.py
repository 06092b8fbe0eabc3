"""Signing in and out: CSRF-checked forms, rate-limited, audited; a new session (and a new CSRF
token) at every sign-in, so a session fixed before sign-in is worth nothing after it; sign-out
deletes the session on the server, so a copied cookie ends with it."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from bot.dashboard.auth import authenticate, normalise_email
from bot.dashboard.context import SIGN_IN, Dashboard, now
from bot.web import csrf
from bot.web.inputs import clean_text
from bot.web.proxies import client_address
from bot.web.sessions import SessionData
from storage.db import transaction
from storage.repository import audit

TOO_MANY = (
    "Too many failed attempts to sign in. Wait {wait}, then try again. "
    "If you have forgotten your password, ask your administrator."
)
WRONG = "Enter a correct email address and password"

FormText = Annotated[str, Form()]


def add_sign_in_routes(router: APIRouter, dash: Dashboard) -> None:
    @router.get(SIGN_IN)
    def sign_in_form(request: Request) -> Response:
        session = dash.session(request)
        if dash.viewer_of(session) is not None:
            return RedirectResponse("/reports", status_code=303)
        return _form(dash, session)

    @router.post(SIGN_IN)
    def sign_in(
        request: Request, email: FormText = "", password: FormText = "", csrf_token: FormText = ""
    ) -> Response:
        session = dash.session(request)
        csrf.check(session, csrf_token)
        # An email address is at most 254 characters (RFC 5321); anything longer is not one.
        email = normalise_email(clean_text(email))[:320]
        errors = _missing(email, password)
        if errors:
            return _form(dash, session, email, errors, 400)
        client = client_address(request, dash.trusted_proxies)
        decision = dash.limiter.attempt(email, client, now())
        if not decision.allowed:
            return _too_many(dash, session, email, decision.wait)
        user = authenticate(dash.engine, email, password)
        if user is None:
            return _form(dash, session, email, {"email": WRONG}, 400)
        dash.limiter.succeeded(email)
        with transaction(dash.engine) as db:
            audit(db, user.email, "dashboard.sign_in", f"user:{user.id}", None, now())
        response = RedirectResponse("/reports", status_code=303)
        dash.store.write(response, dash.store.begin(user, now()))
        return response

    @router.post("/reports/sign-out")
    def sign_out(request: Request, csrf_token: FormText = "") -> Response:
        session = dash.session(request)
        csrf.check(session, csrf_token)
        viewer = dash.viewer_of(session)
        if viewer is not None:
            with transaction(dash.engine) as db:
                audit(db, viewer.email, "dashboard.sign_out", f"user:{viewer.user_id}", None, now())
        # Deleting the row, not just the cookie, is what makes a copied cookie worthless.
        dash.store.end(session)
        response = RedirectResponse(SIGN_IN, status_code=303)
        dash.store.clear(response)
        return response


def _too_many(dash: Dashboard, session: SessionData, email: str, wait: timedelta) -> Response:
    seconds = max(1, math.ceil(wait.total_seconds()))
    spoken = f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
    response = _form(dash, session, email, {"email": TOO_MANY.format(wait=spoken)}, 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _missing(email: str, password: str) -> dict[str, str]:
    errors = {}
    if not email:
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"
    return errors


def _form(
    dash: Dashboard,
    session: SessionData,
    email: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = {"email": email, "errors": errors or {}, "notice": None}
    return dash.show("sign_in.html.j2", session, None, context, status)
