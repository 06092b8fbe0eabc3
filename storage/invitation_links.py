"""Personal links: a single-use token tied to one invitation, so an answer given through the link
counts for that person's provider and is never counted twice.

The token is 22 URL-safe characters from ``secrets`` (about 131 bits) and only its SHA-256 is
stored: a token that random cannot be guessed from its hash, so no key is needed and a key
rotation does not break links already sent. Web pages (``/s/{token}``) and Telegram deep links
(``?start=<token>``) share these rules.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session, select

from storage.models import Invitation

TOKEN_BYTES = 16  # 128 bits at least, as the web form issue asks; token_urlsafe gives 22 chars
Refusal = Literal["unknown", "expired", "used"]


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES + 1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def attach_token(
    db: Session, invitation: Invitation, expires_at: datetime | None, token: str | None = None
) -> str:
    """Give ``invitation`` a fresh personal link; returns the token (to send, never to store)."""
    token = token or new_token()
    invitation.token_hash = token_hash(token)
    invitation.expires_at = expires_at
    db.add(invitation)
    db.flush()
    return token


@dataclass(frozen=True)
class Found:
    invitation: Invitation | None
    refusal: Refusal | None


def find(db: Session, token: str, at: datetime, *, for_update: bool = False) -> Found:
    """The invitation a token names, or why it cannot be used now."""
    if not token or len(token) > 64:
        return Found(None, "unknown")
    query = select(Invitation).where(Invitation.token_hash == token_hash(token))
    if for_update:
        query = query.with_for_update()
    invitation = db.exec(query).first()
    if invitation is None:
        return Found(None, "unknown")
    if invitation.used_at is not None:
        return Found(invitation, "used")
    if invitation.expires_at is not None and at >= invitation.expires_at:
        return Found(invitation, "expired")
    return Found(invitation, None)


def mark_used(db: Session, invitation: Invitation, at: datetime) -> None:
    invitation.used_at = at
    db.add(invitation)
