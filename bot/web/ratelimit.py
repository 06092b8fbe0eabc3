"""Sign-in rate limiting: failed attempts counted per email and per client address.

Kept in the database (table ``signinattempt``), not in memory: the service may run as several
workers or processes sharing PostgreSQL, and a restart must not reset an attacker's count. Emails
and addresses are stored only as keyed hashes. Defaults: 5 failures for one email, or 20 from one
address (a council office shares one address), within 15 minutes, block further tries until the
oldest falls out of the window. A blocked try checks no password and is not itself counted. A
successful sign-in clears that email's failures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func
from sqlmodel import col, select

from storage.db import transaction
from storage.models import SignInAttempt

KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Limits:
    per_email: int = 5
    per_client: int = 20
    window: timedelta = timedelta(minutes=15)


class SignInLimiter:
    def __init__(
        self, engine: Engine, keyed: Callable[[str, str], str], limits: Limits | None = None
    ) -> None:
        self.engine = engine
        self.keyed = keyed
        self.limits = limits or Limits()

    def blocked(self, email: str, client: str, now: datetime) -> bool:
        email_key, client_key = self.keyed("email", email), self.keyed("client", client)
        since = now - self.limits.window
        recent = col(SignInAttempt.at) >= since
        with transaction(self.engine) as session:
            by_email = session.exec(
                select(func.count()).where(recent, SignInAttempt.email_key == email_key)
            ).one()
            by_client = session.exec(
                select(func.count()).where(recent, SignInAttempt.client_key == client_key)
            ).one()
        return by_email >= self.limits.per_email or by_client >= self.limits.per_client

    def failed(self, email: str, client: str, now: datetime) -> None:
        with transaction(self.engine) as session:
            session.exec(delete(SignInAttempt).where(col(SignInAttempt.at) < now - KEEP))
            session.add(
                SignInAttempt(
                    at=now,
                    email_key=self.keyed("email", email),
                    client_key=self.keyed("client", client),
                )
            )

    def succeeded(self, email: str) -> None:
        email_key = self.keyed("email", email)
        with transaction(self.engine) as session:
            session.exec(delete(SignInAttempt).where(col(SignInAttempt.email_key) == email_key))
