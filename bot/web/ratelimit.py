"""Sign-in throttling that holds when many guesses arrive at once.

Every attempt is *counted before the password is checked*, in one transaction that first takes a
lock per account and per client address (PostgreSQL: transaction-scoped advisory locks, always
in that order so two attempts cannot deadlock; SQLite: the single write lock of BEGIN IMMEDIATE).
So of 40 simultaneous guesses at one account, no more than the allowance reach Argon2: the
others see the count the earlier ones wrote. Counting only failures, after the check, let a
burst of guesses all pass the check before any failure was written.

Growing delays, not a lock-out: an account gets ``free_per_email`` attempts, then each further
one must wait twice as long as the last since the previous attempt (``first_delay``, doubling,
at most ``max_delay``). A guesser is slowed to one try per ``max_delay``; the real user is never
shut out for longer than that. A client address (a council office shares one) gets a larger
allowance and a shorter ceiling. A successful sign-in clears the account's attempts. Emails and
addresses are stored only as keyed hashes, and attempts are forgotten after ``window``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, delete, func, text
from sqlmodel import Session, col, select

from storage.db import transaction
from storage.models import SignInAttempt

_EMAIL_LOCKS, _CLIENT_LOCKS = 7101, 7102  # advisory lock namespaces (classid) of this module


@dataclass(frozen=True)
class Limits:
    per_email: int = 5
    per_client: int = 20
    first_delay: timedelta = timedelta(seconds=15)
    max_delay: timedelta = timedelta(minutes=15)
    max_client_delay: timedelta = timedelta(minutes=2)
    window: timedelta = timedelta(days=1)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    wait: timedelta = timedelta(0)


def delay_after(count: int, free: int, first: timedelta, ceiling: timedelta) -> timedelta:
    """How long after the previous attempt the next may come, ``count`` attempts in."""
    if count < free:
        return timedelta(0)
    doublings = min(count - free, 20)  # 2**20 × 15 s is far past any ceiling
    return min(first * (1 << doublings), ceiling)


class SignInLimiter:
    def __init__(
        self, engine: Engine, keyed: Callable[[str, str], str], limits: Limits | None = None
    ) -> None:
        self.engine = engine
        self.keyed = keyed
        self.limits = limits or Limits()

    def attempt(self, email: str, client: str, now: datetime) -> Decision:
        """Count this attempt, or refuse it; a refused attempt checks no password."""
        email_key, client_key = self.keyed("email", email), self.keyed("client", client)
        with transaction(self.engine) as db:
            _lock(db, _EMAIL_LOCKS, email_key)
            _lock(db, _CLIENT_LOCKS, client_key)
            since = now - self.limits.window
            by_email = col(SignInAttempt.email_key) == email_key
            by_client = col(SignInAttempt.client_key) == client_key
            wait = max(
                self._wait(db, by_email, since, now, per_client=False),
                self._wait(db, by_client, since, now, per_client=True),
            )
            if wait > timedelta(0):
                return Decision(False, wait)
            db.exec(delete(SignInAttempt).where(col(SignInAttempt.at) < since))
            db.add(SignInAttempt(at=now, email_key=email_key, client_key=client_key))
        return Decision(True)

    def _wait(
        self, db: Session, which: ColumnElement[bool], since: datetime, now: datetime,
        per_client: bool,
    ) -> timedelta:  # fmt: skip
        query = select(func.count(), func.max(SignInAttempt.at))
        count, latest = db.exec(query.where(col(SignInAttempt.at) >= since, which)).one()
        if latest is None:
            return timedelta(0)
        limits = self.limits
        free, ceiling = (
            (limits.per_client, limits.max_client_delay)
            if per_client
            else (limits.per_email, limits.max_delay)
        )
        needed = delay_after(count, free, limits.first_delay, ceiling)
        if not needed:
            # Within the allowance. (``latest`` may even be after ``now``: a request that read
            # the clock later may have taken the lock first.)
            return timedelta(0)
        return max(timedelta(0), latest + needed - now)

    def succeeded(self, email: str) -> None:
        email_key = self.keyed("email", email)
        with transaction(self.engine) as db:
            db.exec(delete(SignInAttempt).where(col(SignInAttempt.email_key) == email_key))


def _lock(db: Session, namespace: int, key: str) -> None:
    if db.get_bind().dialect.name != "postgresql":
        return
    number = int.from_bytes(bytes.fromhex(key[:8]), "big", signed=True)
    db.exec(  # type: ignore[call-overload]
        text("SELECT pg_advisory_xact_lock(:namespace, :key)").bindparams(
            namespace=namespace, key=number
        )
    )
