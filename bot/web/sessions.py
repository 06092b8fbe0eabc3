"""Signed session cookies (itsdangerous): who is signed in and the CSRF token, nothing else.

The cookie is HttpOnly, SameSite=Lax, Path=/, and Secure when the service's public URL is https.
It lasts at most ``MAX_AGE`` from sign-in (a working day), and ends early when the user's
password changes or the account is deactivated (the cookie carries a keyed fingerprint of the
password hash, checked on every request). The signing key is derived from CAREVOICE_SECRET_KEY by
HMAC, so the dashboard needs no setting of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.config.settings import Settings, vault_for

COOKIE = "carevoice_session"
MAX_AGE = 8 * 60 * 60


def session_secret(settings: Settings) -> bytes:
    """HMAC of a fixed label under the newest encryption key: a key for this purpose only."""
    material = settings.secret_key
    if not material:
        vault_for(settings)  # makes the local key file of the zero-set-up SQLite default
        material = (settings.var_dir / "secret.key").read_text()
    newest = material.split(",")[0].strip()
    return hmac.new(newest.encode(), b"carevoice dashboard sessions v1", hashlib.sha256).digest()


@dataclass(frozen=True)
class SessionData:
    user_id: int | None
    csrf: str
    fingerprint: str | None = None
    new: bool = False


class SessionStore:
    def __init__(self, secret: bytes, secure: bool) -> None:
        self._secret = secret
        self._serializer = URLSafeTimedSerializer(secret, salt="dashboard-session")
        self.secure = secure

    def fingerprint(self, password_hash: str) -> str:
        return hmac.new(self._secret, password_hash.encode(), hashlib.sha256).hexdigest()[:32]

    def keyed(self, label: str, value: str) -> str:
        """A keyed hash, e.g. of an email or client address for the rate limiter."""
        message = f"{label}:{value}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def fresh(self, user_id: int | None = None, fingerprint: str | None = None) -> SessionData:
        return SessionData(user_id, secrets.token_urlsafe(32), fingerprint, new=True)

    def load(self, request: Request) -> SessionData:
        """The request's session, or a new anonymous one (with its own CSRF token)."""
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data: Any = self._serializer.loads(raw, max_age=MAX_AGE)
                return SessionData(data["u"], str(data["c"]), data.get("f"))
            except (BadSignature, KeyError, TypeError):
                pass
        return self.fresh()

    def write(self, response: Response, data: SessionData) -> None:
        value = self._serializer.dumps({"u": data.user_id, "c": data.csrf, "f": data.fingerprint})
        response.set_cookie(
            COOKIE,
            value,
            max_age=MAX_AGE,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", secure=self.secure, httponly=True, samesite="lax")
