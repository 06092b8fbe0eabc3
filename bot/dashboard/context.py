"""What every dashboard page shares: settings, database, sessions, the sign-in limiter, and
finding out who is asking."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response
from sqlalchemy import Engine
from sqlmodel import Session

from bot.config.settings import Settings
from bot.dashboard.access import Role, Viewer
from bot.web.pages import Redirect, page
from bot.web.proxies import Network
from bot.web.ratelimit import SignInLimiter
from bot.web.sessions import SessionData, SessionStore
from reports.config import ReportConfig
from storage.models import User

SIGN_IN = "/reports/sign-in"


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Dashboard:
    settings: Settings
    engine: Engine
    store: SessionStore
    limiter: SignInLimiter
    config: ReportConfig
    trusted_proxies: tuple[Network, ...] = ()

    def session(self, request: Request) -> SessionData:
        return self.store.load(request, now())

    def viewer_of(self, session: SessionData) -> Viewer | None:
        """The signed-in user, if the session is live and names an active user whose password
        is unchanged since sign-in."""
        if session.user_id is None:
            return None
        with Session(self.engine) as db:
            user = db.get(User, session.user_id)
        if user is None or not user.active or user.role not in set(Role):
            return None
        if not self.store.matches(session, user):
            return None
        return Viewer.of(user)

    def signed_in(self, request: Request) -> tuple[SessionData, Viewer]:
        """The session and its user; anyone else is sent to the sign-in page."""
        session = self.session(request)
        viewer = self.viewer_of(session)
        if viewer is None:
            raise Redirect(SIGN_IN)
        return session, viewer

    def show(
        self,
        template: str,
        session: SessionData,
        viewer: Viewer | None,
        context: Mapping[str, Any] | None = None,
        status: int = 200,
    ) -> Response:
        values = {"viewer": viewer, "csrf": session.csrf, **(context or {})}
        response = page(template, values, status)
        if session.new:
            self.store.write(response, session)
        return response
