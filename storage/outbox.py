"""The outbox: messages waiting to be sent, claimed by the worker, and what became of them.

Channel-neutral: a row holds the engine's ``Message`` as JSON (each channel renders it at send
time, so one channel can show buttons where another shows numbers) and a status from the list
below; every channel maps its carrier's codes and status names to these before calling here.

"Nothing sent twice" wins over "nothing left unsent": a message is marked ``sending`` before the
carrier is called, so if the worker dies mid-call the message stays ``sending`` and is reported
for a person to check, never retried blindly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from storage import repository as repo
from storage.db import transaction
from storage.models import Address, Outbox

QUEUED = "queued"
SENDING = "sending"  # handed to the carrier, no answer yet (or the worker stopped mid-call)
SENT = "sent"  # the carrier took it
DELIVERED = "delivered"  # the carrier says it reached the handset or chat
UNDELIVERED = "undelivered"
FAILED = "failed"
SUPPRESSED = "suppressed"  # not sent: the person opted out
INVALID = "invalid"  # not sent: no such number or chat
SENT_INLINE = "sent_inline"  # delivered in the webhook's own answer (TwiML, a web page)
FINAL = frozenset({SENT, DELIVERED, UNDELIVERED, FAILED, SUPPRESSED, INVALID, SENT_INLINE})
# What we start rather than answer: only these wait for the end of quiet hours. A reply to
# someone writing to us at 21:05 goes out at once.
WE_START = ("invitation", "reminder")
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Claimed:
    id: int
    address_id: int
    channel: str
    kind: str
    body: dict[str, Any]
    attempts: int


def claim_due(
    engine: Engine, channel: str, now: datetime, limit: int, *, replies_only: bool = False
) -> list[Claimed]:
    """Take up to ``limit`` due messages of one channel; two workers never take the same one.

    ``replies_only`` (in quiet hours): leave invitations and reminders for later."""
    with transaction(engine) as db:
        query = (
            select(Outbox)
            .where(Outbox.channel == channel, Outbox.status == QUEUED, Outbox.send_after <= now)
            .order_by(col(Outbox.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if replies_only:
            query = query.where(col(Outbox.kind).not_in(WE_START))
        rows = list(db.exec(query))
        for row in rows:
            row.status = SENDING
            row.attempts += 1
            db.add(row)
        return [
            Claimed(r.id or 0, r.address_id, r.channel, r.kind, r.body, r.attempts) for r in rows
        ]


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
        if status == SENT:
            row.sent_at = at
        for name, value in fields.items():
            setattr(row, name, value)
        db.add(row)


def retry_later(
    engine: Engine,
    outbox_id: int,
    attempts: int,
    error: str,
    now: datetime,
    after: float | None = None,
) -> bool:
    """Queue again: after ``after`` seconds when the carrier said how long to wait, otherwise
    backing off (30 s, 1 min, 2 min … up to an hour); False once attempts are used up."""
    if attempts >= MAX_ATTEMPTS:
        finish(engine, outbox_id, FAILED, now, last_error=error)
        return False
    delay = (
        timedelta(seconds=after)
        if after is not None
        else min(timedelta(seconds=30 * 2 ** (attempts - 1)), timedelta(hours=1))
    )
    finish(engine, outbox_id, QUEUED, now, last_error=error, send_after=now + delay)
    return True


def opt_out_address(engine: Engine, address: Address, reason: str, at: datetime) -> None:
    """The carrier says this person opted out: record it as if they had said STOP."""
    with transaction(engine) as db:
        repo.set_opt_out(db, address.channel, [address.address_hash], True, reason, at)
        cancel_queued(db, address.id, at)


def cancel_queued(db: Session, address_id: int | None, at: datetime) -> None:
    query = select(Outbox).where(Outbox.address_id == address_id, Outbox.status == QUEUED)
    for row in db.exec(query):
        row.status = SUPPRESSED
        row.last_error = "recipient opted out"
        db.add(row)


def record_status(
    engine: Engine,
    external_id: str,
    status: str | None,
    error: str | None,
    recipient_gone: bool,
    at: datetime,
) -> bool:
    """A delivery report, already in outbox words; False when the message is unknown.

    ``status`` None leaves the status as it is; ``recipient_gone`` opts the address out."""
    with transaction(engine) as db:
        row = db.exec(select(Outbox).where(Outbox.external_id == external_id)).first()
        if row is None:
            return False
        # Reports can arrive out of order: a late "sent" never hides a later outcome.
        if status is not None and not (status == SENT and row.status in FINAL - {SENT}):
            row.status = status
        if error:
            row.last_error = error
        db.add(row)
        if recipient_gone:
            address = db.get(Address, row.address_id)
            if address is not None:
                repo.set_opt_out(db, address.channel, [address.address_hash], True, "carrier", at)
                cancel_queued(db, address.id, at)
        return True


def stuck_sending(engine: Engine) -> int:
    """Messages a stopped worker left mid-send: reported, never resent automatically."""
    with transaction(engine) as db:
        return len(list(db.exec(select(Outbox.id).where(Outbox.status == SENDING))))
