"""The outbox: messages waiting to be sent, claimed by the worker, and what became of them.

"Nothing sent twice" wins over "nothing left unsent": a message is marked ``sending`` before the
carrier is called, so if the worker dies mid-call the message stays ``sending`` and is reported
for a person to check, never retried blindly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from storage import repository as repo
from storage.db import transaction
from storage.models import Address, Outbox

FINAL = {"sent", "delivered", "undelivered", "failed", "suppressed", "invalid", "sent_inline"}
CARRIER_STATUSES = {"queued", "accepted", "sending", "sent", "delivered", "undelivered", "failed"}
RECIPIENT_OPTED_OUT = "21610"
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Claimed:
    id: int
    address_id: int
    channel: str
    body: dict[str, Any]
    attempts: int


def claim_due(engine: Engine, channel: str, now: datetime, limit: int) -> list[Claimed]:
    """Take up to ``limit`` due messages; two workers never take the same one."""
    with transaction(engine) as db:
        query = (
            select(Outbox)
            .where(Outbox.channel == channel, Outbox.status == "queued", Outbox.send_after <= now)
            .order_by(col(Outbox.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list(db.exec(query))
        for row in rows:
            row.status = "sending"
            row.attempts += 1
            db.add(row)
        return [Claimed(r.id or 0, r.address_id, r.channel, r.body, r.attempts) for r in rows]


def address_of(engine: Engine, address_id: int) -> Address | None:
    with transaction(engine) as db:
        return db.get(Address, address_id)


def is_suppressed(engine: Engine, address: Address) -> bool:
    with transaction(engine) as db:
        return repo.is_opted_out(db, address.channel, [address.address_hash])


def finish(engine: Engine, outbox_id: int, status: str, at: datetime, **fields: Any) -> None:
    with transaction(engine) as db:
        row = db.get(Outbox, outbox_id)
        if row is None:
            return
        row.status = status
        if status == "sent":
            row.sent_at = at
        for name, value in fields.items():
            setattr(row, name, value)
        db.add(row)


def retry_later(engine: Engine, outbox_id: int, attempts: int, error: str, now: datetime) -> bool:
    """Back off (30 s, 1 min, 2 min … up to an hour); False once attempts are used up."""
    if attempts >= MAX_ATTEMPTS:
        finish(engine, outbox_id, "failed", now, last_error=error)
        return False
    delay = min(timedelta(seconds=30 * 2 ** (attempts - 1)), timedelta(hours=1))
    finish(engine, outbox_id, "queued", now, last_error=error, send_after=now + delay)
    return True


def opt_out_address(engine: Engine, address: Address, reason: str, at: datetime) -> None:
    """The carrier says this person opted out: record it as if they had texted STOP."""
    with transaction(engine) as db:
        repo.set_opt_out(db, address.channel, [address.address_hash], True, reason, at)
        cancel_queued(db, address.id, at)


def cancel_queued(db: Any, address_id: int | None, at: datetime) -> None:
    query = select(Outbox).where(Outbox.address_id == address_id, Outbox.status == "queued")
    for row in db.exec(query):
        row.status = "suppressed"
        row.last_error = "recipient opted out"
        db.add(row)


def record_status(
    engine: Engine, external_id: str, status: str, error_code: str | None, at: datetime
) -> bool:
    """A delivery report from the carrier; False when the message is unknown."""
    with transaction(engine) as db:
        row = db.exec(select(Outbox).where(Outbox.external_id == external_id)).first()
        if row is None:
            return False
        if status in CARRIER_STATUSES:
            row.status = "sent" if status in {"queued", "accepted", "sending"} else status
        if error_code:
            row.last_error = f"carrier error {error_code}"
        db.add(row)
        if error_code == RECIPIENT_OPTED_OUT:
            address = db.get(Address, row.address_id)
            if address is not None:
                repo.set_opt_out(db, address.channel, [address.address_hash], True, "carrier", at)
                cancel_queued(db, address.id, at)
        return True


def stuck_sending(engine: Engine) -> int:
    """Messages a stopped worker left mid-send: reported, never resent automatically."""
    with transaction(engine) as db:
        return len(list(db.exec(select(Outbox.id).where(Outbox.status == "sending"))))
