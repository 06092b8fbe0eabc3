"""Session cookies: the cookie carries one random token and nothing else.

A signed-in session is a row in the database (storage/sessions.py), so signing out, changing a
password, deactivating an account or ``carevoice users sessions EMAIL --revoke`` end it at once
for every copy of the cookie. A visitor who has not signed in has a token with no row: enough to
tie a form's CSRF token to this browser, and worth nothing else.

The CSRF token is an HMAC of the session token under a key derived from CAREVOICE_SECRET_KEY,
so it is never stored and changes with every new session. The cookie is HttpOnly, SameSite=Lax,
Path=/, and Secure when the service's public URL is https.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response
from sqlalchemy import Engine

from bot.config.settings import Settings, vault_for
from storage import sessions as stored
from storage.models import User

COOKIE = "carevoice_session"
# What new_token() makes: 43 URL-safe characters. Anything else is not ours.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def session_secret(settings: Settings) -> bytes:
    """HMAC of a fixed label under the newest encryption key: a key for this purpose only."""
    material = settings.secret_key
    if not material:
        vault_for(settings)  # makes the local key file of the zero-set-up SQLite default
        material = (settings.var_dir / "secret.key").read_text()
    newest = material.split(",")[0].strip()
    return hmac.new(newest.encode(), b"carevoice dashboard sessions v1", hashlib.sha256).digest()


def timeouts_of(settings: Settings) -> stored.Timeouts:
    return stored.Timeouts(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_max_hours),
    )


@dataclass(frozen=True)
class SessionData:
    token: str
    user_id: int | None
    csrf: str
    password_check: str | None = None
    new: bool = False


class SessionStore:
    def __init__(
        self, engine: Engine, secret: bytes, secure: bool, timeouts: stored.Timeouts
    ) -> None:
        self.engine = engine
        self._secret = secret
        self.secure = secure
        self.timeouts = timeouts

    def keyed(self, label: str, value: str) -> str:
        """A keyed hash, e.g. of an email or client address for the rate limiter."""
        message = f"{label}:{value}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _data(self, token: str, live: stored.Live | None = None, new: bool = False) -> SessionData:
        csrf = self.keyed("csrf", token)
        if live is None:
            return SessionData(token, None, csrf, None, new)
        return SessionData(token, live.user_id, csrf, live.password_check, new)

    def fresh(self) -> SessionData:
        return self._data(stored.new_token(), new=True)

    def load(self, request: Request, now: datetime) -> SessionData:
        """The request's session, or a new anonymous one (with its own CSRF token)."""
        token = request.cookies.get(COOKIE, "")
        if not _TOKEN.fullmatch(token):
            return self.fresh()
        return self._data(token, stored.find(self.engine, token, now, self.timeouts))

    def begin(self, user: User, now: datetime) -> SessionData:
        """A new signed-in session: a new token, so one fixed before sign-in is worth nothing."""
        assert user.id is not None
        token = stored.begin(self.engine, user.id, user.password_hash, now, self.timeouts)
        return self._data(token, stored.Live(user.id, stored.password_check(user.password_hash)))

    def end(self, session: SessionData) -> None:
        stored.end(self.engine, session.token)

    def matches(self, session: SessionData, user: User) -> bool:
        """The password has not changed since this session began."""
        check = stored.password_check(user.password_hash)
        return session.password_check is not None and hmac.compare_digest(
            session.password_check, check
        )

    def write(self, response: Response, data: SessionData) -> None:
        response.set_cookie(
            COOKIE,
            data.token,
            max_age=int(self.timeouts.absolute.total_seconds()),
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", secure=self.secure, httponly=True, samesite="lax")
