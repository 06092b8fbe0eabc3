"""Dashboard sessions kept in the database, so that ending one takes effect at once.

A signed cookie cannot be taken back: a copy keeps working until it expires. Here the cookie
carries only a random token and the table holds its SHA-256 (a 256-bit random token needs no
key or slow hash), so sign-out, a password change, deactivation or ``carevoice users sessions
--revoke`` delete the row and every copy of the cookie is worthless from the next request.
Two timeouts bound a session: idle (no request for a while) and absolute (from sign-in).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, delete, select, update

from storage.db import transaction
from storage.models import UserSession

# Writing last_seen_at on every page view would make every read a write; a minute's slack in
# the idle timeout costs nothing.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=8)


@dataclass(frozen=True)
class Live:
    """A session that is still valid: whose it is and the password digest it was made with."""

    user_id: int
    password_check: str


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_check(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()


def begin(
    engine: Engine, user_id: int, password_hash: str, now: datetime, timeouts: Timeouts
) -> str:
    """Store a new session for ``user_id``; returns the token for the cookie."""
    token = new_token()
    with transaction(engine) as db:
        _delete_stale(db, now, timeouts)
        db.add(
            UserSession(
                token_hash=token_hash(token),
                user_id=user_id,
                password_check=password_check(password_hash),
                created_at=now,
                last_seen_at=now,
                expires_at=now + timeouts.absolute,
            )
        )
    return token


def find(engine: Engine, token: str, now: datetime, timeouts: Timeouts) -> Live | None:
    """The live session for ``token`` (its idle clock restarted), or None."""
    hashed = token_hash(token)
    with Session(engine) as db:
        row = db.exec(select(UserSession).where(UserSession.token_hash == hashed)).first()
    if row is None or row.expires_at <= now or row.last_seen_at + timeouts.idle <= now:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        with transaction(engine) as db:
            db.exec(
                update(UserSession)
                .where(col(UserSession.token_hash) == hashed)
                .values(last_seen_at=now)
            )
    return Live(row.user_id, row.password_check)


def end(engine: Engine, token: str) -> None:
    with transaction(engine) as db:
        db.exec(delete(UserSession).where(col(UserSession.token_hash) == token_hash(token)))


def end_all(db: Session, user_id: int) -> int:
    """End every session of one user, inside the caller's transaction; returns how many."""
    result = db.exec(delete(UserSession).where(col(UserSession.user_id) == user_id))
    return result.rowcount


def live_sessions(
    db: Session, user_id: int, now: datetime, timeouts: Timeouts
) -> list[UserSession]:
    query = (
        select(UserSession)
        .where(
            UserSession.user_id == user_id,
            col(UserSession.expires_at) > now,
            col(UserSession.last_seen_at) > now - timeouts.idle,
        )
        .order_by(col(UserSession.created_at))
    )
    return list(db.exec(query))


def _delete_stale(db: Session, now: datetime, timeouts: Timeouts) -> None:
    db.exec(
        delete(UserSession).where(
            or_(
                col(UserSession.expires_at) <= now,
                col(UserSession.last_seen_at) <= now - timeouts.idle,
            )
        )
    )
