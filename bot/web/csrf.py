"""CSRF protection: every form carries the session's token; every POST must send it back.

A per-session synchronizer token (OWASP), compared in constant time. SameSite=Lax cookies are a
second line of defence, not the only one.
"""

from __future__ import annotations

import hmac

from bot.web.pages import PageError
from bot.web.sessions import SessionData

FIELD = "csrf_token"


def check(session: SessionData, submitted: str | None) -> None:
    """Raise a 403 page unless ``submitted`` is this session's token."""
    if session.new or not submitted or not hmac.compare_digest(session.csrf, submitted):
        raise PageError(
            403,
            "This form has expired",
            "Go back, reload the page and try again. This protects you from forms sent by "
            "other websites.",
        )
