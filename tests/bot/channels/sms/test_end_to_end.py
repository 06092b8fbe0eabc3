"""Invite three people, send through (fake) Twilio with the real client, and hear back by SMS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.channels.registry import build_registry
from bot.config.settings import vault_for
from bot.jobs.outbox import OutboxWorker
from bot.surveys.catalog import FlowCatalog
from bot.surveys.invitations import plan, send_invitations
from bot.surveys.runner import Runner
from storage import repository as repo
from storage.db import transaction
from storage.models import Answer, Contact, Outbox, Provider
from storage.repository import reporting_month
from tests.bot.channels.sms.harness import OUR_NUMBER, SmsWorld, messages

PHONES = ["+447700900201", "+447700900202", "+447700900203"]
SURVEY = ["1", "2", "1", "2", "Kind and patient", "skip"]


def add_people(world: SmsWorld) -> None:
    vault = vault_for(world.settings)
    now = datetime.now(UTC)
    with transaction(world.engine) as db:
        provider = Provider(name="Sunrise Care", created_at=now)
        db.add(provider)
        db.flush()
        for phone in PHONES:
            contact = Contact(provider_id=provider.id or 0, language="en", created_at=now)
            db.add(contact)
            db.flush()
            repo.ensure_address(db, vault, "sms", phone, now, contact.id)


def invite_and_send(world: SmsWorld, at: datetime) -> int:
    vault = vault_for(world.settings)
    runner = Runner(
        world.engine, vault, FlowCatalog.load(), channels=build_registry(world.settings)
    )
    provider_id, found = plan(world.engine, "Sunrise Care", "sms", reporting_month(at), 1)
    send_invitations(runner, vault, "homecare_monthly", provider_id, found.eligible, at)
    worker = OutboxWorker(world.engine, vault, build_registry(world.settings), quiet_hours="")
    return worker.drain(lambda: at).sent


def test_invite_send_answer_and_stop(sms_world: SmsWorld) -> None:
    add_people(sms_world)
    now = datetime.now(UTC)
    assert invite_and_send(sms_world, now) == 6  # intro and first question, for three people
    for phone in PHONES:
        first, question = sms_world.twilio.texts_to(phone)
        assert first.endswith("Reply STOP to opt out.")
        assert question.startswith("Do your care workers arrive on time?")
    assert {s.from_ for s in sms_world.twilio.sent} == {OUR_NUMBER}
    assert all(
        s.status_callback == "https://carevoice.example.org/sms/twilio/status"
        for s in sms_world.twilio.sent
    )

    for phone in PHONES[:2]:
        for reply in SURVEY:
            assert sms_world.text(phone, reply).status_code == 200
    last = messages(sms_world.text(PHONES[2], "STOP", OptOutType="STOP").text)
    assert last == []

    with Session(sms_world.engine) as db:
        answers = list(db.exec(select(Answer)))
    assert len(answers) == 2 * len(SURVEY)
    assert {a.channel for a in answers} == {"sms"}

    # Next month: the two who answered are invited again; the one who said STOP never is.
    sent_before = len(sms_world.twilio.sent)
    invite_and_send(sms_world, now + timedelta(days=32))
    newly = [s.to for s in sms_world.twilio.sent[sent_before:]]
    assert PHONES[2] not in newly
    assert set(newly) == set(PHONES[:2])


def test_carrier_opt_out_and_retries(sms_world: SmsWorld) -> None:
    add_people(sms_world)
    sms_world.twilio.opted_out.add(PHONES[0])
    sms_world.twilio.busy[PHONES[1]] = 1
    sms_world.twilio.invalid.add(PHONES[2])
    now = datetime.now(UTC)
    invite_and_send(sms_world, now)
    with Session(sms_world.engine) as db:
        statuses = sorted(o.status for o in db.exec(select(Outbox)))
    # 21610: both texts to the first person suppressed; 429: retried later; 21211: invalid.
    assert statuses.count("suppressed") == 2
    assert "invalid" in statuses
    assert sms_world.twilio.texts_to(PHONES[0]) == []
    vault = vault_for(sms_world.settings)
    worker = OutboxWorker(
        sms_world.engine, vault, build_registry(sms_world.settings), quiet_hours=""
    )
    worker.drain(lambda: now + timedelta(hours=1))
    assert len(sms_world.twilio.texts_to(PHONES[1])) == 2
    assert (
        sms_world.text(PHONES[0], "FEEDBACK").text.count("<Message>") == 0
    )  # opted out by carrier


def test_quiet_hours_hold_texts(sms_world: SmsWorld) -> None:
    add_people(sms_world)
    evening = datetime(2026, 10, 14, 21, 30, tzinfo=UTC)  # 22:30 in London (BST)
    vault = vault_for(sms_world.settings)
    runner = Runner(
        sms_world.engine, vault, FlowCatalog.load(), channels=build_registry(sms_world.settings)
    )
    provider_id, found = plan(sms_world.engine, "Sunrise Care", "sms", reporting_month(evening), 1)
    send_invitations(runner, vault, "homecare_monthly", provider_id, found.eligible, evening)
    worker = OutboxWorker(sms_world.engine, vault, build_registry(sms_world.settings))
    assert worker.drain(lambda: evening).sent == 0
    assert sms_world.twilio.sent == []
    assert worker.drain(lambda: evening + timedelta(hours=11)).sent == 6


def test_one_reminder_to_people_who_started_but_did_not_finish(sms_world: SmsWorld) -> None:
    add_people(sms_world)
    now = datetime.now(UTC)
    invite_and_send(sms_world, now)
    sms_world.text(PHONES[0], "1")  # started, then went quiet
    vault = vault_for(sms_world.settings)
    runner = Runner(
        sms_world.engine, vault, FlowCatalog.load(), channels=build_registry(sms_world.settings)
    )
    worker = OutboxWorker(
        sms_world.engine, vault, build_registry(sms_world.settings), quiet_hours=""
    )
    later = now + timedelta(days=3)
    assert runner.tick(later) == 3  # everyone silent for longer than the flow's 2-day delay
    worker.drain(lambda: later)
    assert runner.tick(later + timedelta(hours=1)) == 0  # once only
    reminder = sms_world.twilio.texts_to(PHONES[0])[-1]
    assert reminder.startswith("Just a reminder: we would still love to hear from you.")
    assert "Do you see the same care workers most of the time?" in reminder
