"""Twilio's codes and status names, translated into the outbox's neutral words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.channels.base import Failure
from bot.channels.sms.twilio import delivery_report, failure_for
from storage.db import transaction
from storage.models import Address, OptOut, Outbox
from tests.bot.channels.sms.harness import SmsWorld


@pytest.mark.parametrize(
    ("status", "code", "neutral", "error", "gone"),
    [
        ("queued", None, "sent", None, False),
        ("sending", "", "sent", None, False),
        ("delivered", None, "delivered", None, False),
        ("read", None, "delivered", None, False),
        ("undelivered", "30003", "undelivered", "Twilio error 30003", False),
        ("failed", "21610", "failed", "Twilio error 21610", True),
        ("receiving", None, None, None, False),  # not about a message we sent: leave it
    ],
)
def test_status_callbacks_in_outbox_words(
    status: str, code: str | None, neutral: str | None, error: str | None, gone: bool
) -> None:
    report = delivery_report(status, code)
    assert (report.status, report.error, report.recipient_gone) == (neutral, error, gone)


def test_refusals_without_an_answer_are_retried() -> None:
    assert failure_for(None, None) == Failure.RETRY_LATER


def sent_message(world: SmsWorld, sid: str) -> None:
    now = datetime.now(UTC)
    with transaction(world.engine) as db:
        address = Address(channel="sms", address_hash="a" * 64, encrypted=b"x", created_at=now)
        db.add(address)
        db.flush()
        for status, external_id in (("sent", sid), ("queued", None)):
            db.add(
                Outbox(
                    channel="sms", address_id=address.id or 0, kind="invitation", body={},
                    status=status, send_after=now, created_at=now, external_id=external_id,
                )
            )  # fmt: skip


def test_a_callback_saying_the_person_opted_out_stops_their_texts(sms_world: SmsWorld) -> None:
    sent_message(sms_world, "SMgone")
    form = {"MessageSid": "SMgone", "MessageStatus": "failed", "ErrorCode": "21610"}
    assert sms_world.post("/sms/twilio/status", form).status_code == 204
    with Session(sms_world.engine) as db:
        rows = {o.external_id: o for o in db.exec(select(Outbox))}
        opt_out = db.exec(select(OptOut)).one()
    assert (rows["SMgone"].status, rows["SMgone"].last_error) == ("failed", "Twilio error 21610")
    assert rows[None].status == "suppressed"
    assert (opt_out.active, opt_out.keyword) == (True, "carrier")


def test_a_late_sent_callback_does_not_undo_delivered(sms_world: SmsWorld) -> None:
    sent_message(sms_world, "SMlate")
    for status in ("delivered", "sent"):
        form = {"MessageSid": "SMlate", "MessageStatus": status}
        assert sms_world.post("/sms/twilio/status", form).status_code == 204
    with Session(sms_world.engine) as db:
        row = db.exec(select(Outbox).where(Outbox.external_id == "SMlate")).one()
    assert row.status == "delivered"
