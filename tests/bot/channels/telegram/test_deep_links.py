"""``/start <payload>``: a flow id starts that flow; a personal invitation token binds the chat
to the invited contact, once, so the answers count for that person's provider in the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from reports.build import provider_report
from reports.config import ReportConfig
from storage import invitation_links
from storage.db import transaction
from storage.models import Address, Contact, Conversation, Invitation, Provider
from storage.repository import reporting_month
from tests.bot.channels.telegram.harness import TelegramWorld

TAPS = ["Usually", "Always", "Usually", "Good", "They are kind", "SKIP"]


def invite(world: TelegramWorld, expires_in: timedelta = timedelta(days=14)) -> tuple[str, int]:
    """An invited contact with a personal link; returns the token and the contact's id."""
    now = datetime.now(UTC)
    with transaction(world.engine) as db:
        provider = db.exec(select(Provider)).first()
        if provider is None:
            provider = Provider(name="Sunrise Care", created_at=now)
            db.add(provider)
            db.flush()
        contact = Contact(provider_id=provider.id or 0, language="en", created_at=now)
        db.add(contact)
        db.flush()
        invitation = Invitation(
            contact_id=contact.id or 0, provider_id=provider.id or 0, flow_id="homecare_monthly",
            channel="telegram", month=reporting_month(now), created_at=now,
        )  # fmt: skip
        token = invitation_links.attach_token(db, invitation, now + expires_in)
        return token, contact.id or 0


def test_a_public_link_starts_the_flow(telegram_world: TelegramWorld) -> None:
    replies = telegram_world.say(4001, "/start homecare_monthly")
    assert replies[-1] == "Do your care workers arrive on time?"
    with Session(telegram_world.engine) as db:
        conversation = db.exec(select(Conversation)).one()
    assert (conversation.flow_id, conversation.contact_id) == ("homecare_monthly", None)


def test_an_invitation_token_binds_the_chat_and_counts_in_the_report(
    telegram_world: TelegramWorld,
) -> None:
    token, contact_id = invite(telegram_world)
    assert telegram_world.say(4002, f"/start {token}")[-1] == "Do your care workers arrive on time?"
    for tap in TAPS:
        telegram_world.say(4002, tap)
    with Session(telegram_world.engine) as db:
        conversation = db.exec(select(Conversation)).one()
        address = db.exec(select(Address)).one()
        invitation = db.exec(select(Invitation)).one()
    assert conversation.contact_id == contact_id
    assert conversation.provider_id == invitation.provider_id
    assert address.contact_id == contact_id
    assert b"4002" not in address.encrypted  # the chat id is stored encrypted
    assert invitation.used_at is not None
    assert invitation.conversation_id == conversation.id
    month = reporting_month(datetime.now(UTC))
    report = provider_report(
        telegram_world.engine, "Sunrise Care", month, ReportConfig(suppression_threshold=1)
    )
    assert [(c.key, c.count) for c in report.channels] == [("telegram", 1)]


def test_a_used_expired_or_unknown_token_is_refused_politely(
    telegram_world: TelegramWorld,
) -> None:
    token, _ = invite(telegram_world)
    telegram_world.say(4003, f"/start {token}")
    used = telegram_world.say(4004, f"/start {token}")
    assert used[0].startswith("That link has already been used.")
    stale, _ = invite(telegram_world, expires_in=timedelta(seconds=-1))
    assert telegram_world.say(4005, f"/start {stale}")[0].startswith("Sorry, that link has expired")
    unknown = telegram_world.say(4006, "/start AAAAAAAAAAAAAAAAAAAAAA")
    assert unknown[0].startswith("Sorry, I do not recognise that link.")
    with Session(telegram_world.engine) as db:
        assert len(list(db.exec(select(Conversation)))) == 1  # only the first chat's
