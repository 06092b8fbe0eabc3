"""Choosing each person's route from their recorded needs, and the personal-link route, on a
real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.channels.registry import build_registry
from bot.config.settings import Settings
from bot.surveys.campaign_routes import ConversationRoute, Invite, LinkRoute
from bot.surveys.campaigns import choose_route, parse_order, plan, preface
from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage import campaigns as store
from storage import repository as repo
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.invitation_links import find
from storage.models import Campaign, Contact, Conversation, Invitation, Outbox, Provider

AT = datetime(2026, 12, 1, 10, tzinfo=UTC)
ORDER = parse_order("sms,telegram,web_sms,web_email")


def _person(
    db: Session, vault: Vault, provider_id: int, addresses: dict[str, str], **needs: object
) -> int:
    contact = Contact(provider_id=provider_id, created_at=AT, language="en", **needs)
    contact.name_encrypted = vault.encrypt("Aled Pritchard")
    db.add(contact)
    db.flush()
    for channel, address in addresses.items():
        repo.ensure_address(db, vault, channel, address, AT, contact.id)
    assert contact.id is not None
    return contact.id


def test_preference_then_the_order_then_nobody(db_engine: Engine) -> None:
    vault = Vault.from_setting(generate_key())
    with transaction(db_engine) as db:
        provider = Provider(name="Sunrise Care", created_at=AT)
        db.add(provider)
        db.flush()
        assert provider.id is not None
        ids = [
            _person(db, vault, provider.id, {"sms": "+447700900101"}),
            _person(db, vault, provider.id, {"sms": "+447700900102", "telegram": "42"},
                    preferred_channel="telegram"),
            _person(db, vault, provider.id, {"sms": "+447700900103"}, preferred_channel="telegram"),
            _person(db, vault, provider.id, {"email": "ann@example.org"}),
            _person(db, vault, provider.id, {"sms": "+447700900105"}, preferred_channel="web_sms",
                    answers_on_behalf="daughter"),
            _person(db, vault, provider.id, {"sms": "+447700900106"}),
        ]  # fmt: skip
        repo.set_opt_out(db, "sms", [vault.lookup_hash("sms", "+447700900106")], True, "stop", AT)
        campaign = Campaign(name="M", flow_id="homecare_monthly", schedule="daily, 10:00",
                            created_at=AT)  # fmt: skip
        planned = {p.person.contact_id: p for p in plan(db, campaign, "2026-12", ORDER, cap=1)}
    assert [planned[i].route for i in ids[:5]] == ["sms", "telegram", "sms", "web_email", "web_sms"]
    assert planned[ids[5]].reason == "opted out"
    assert preface(planned[ids[4]].person, "Aled Pritchard") == "This survey is for Aled."
    assert preface(planned[ids[0]].person, "Aled Pritchard") is None
    with Session(db_engine) as db:
        [nobody] = store.people(db, None, [ids[0]])
    assert choose_route(nobody, ("telegram",)) is None


def test_a_personal_link_by_text_is_one_message_with_a_working_token(db_engine: Engine) -> None:
    vault = Vault.from_setting(generate_key())
    settings = Settings(secret_key=generate_key())
    route = LinkRoute("web_sms", "sms", build_registry(settings), "https://cv.example.org/")
    assert route.available()  # the web channel is registered, and SMS carries the link
    with transaction(db_engine) as db:
        provider = Provider(name="Sunrise Care", created_at=AT, commissioners=["Leeds"])
        db.add(provider)
        db.flush()
        assert provider.id is not None
        contact_id = _person(db, vault, provider.id, {"sms": "+447700900101"}, large_print=True)
        [person] = store.people(db, None, [contact_id])
        invite = Invite(person, "homecare_monthly", "en", "2026-12", AT, None, AT + timedelta(7))
        [sent] = route.invite_many(db, [invite])
        [preview] = route.first_messages(db, invite)
    with Session(db_engine) as db:
        [queued] = db.exec(select(Outbox)).all()
        invitation = db.get(Invitation, sent.invitation_id)
        text = queued.body["text"]
        token = text.split("/s/")[1].split("?")[0]
        assert "?print=large" in text
        assert text.startswith("Leeds would like to know what you think of your care from Sunrise")
        assert text.endswith("Reply STOP to opt out.")
        assert preview.text == text.replace(f"https://cv.example.org/s/{token}?print=large",
                                            "<personal link>")  # fmt: skip
        found = find(db, token, AT)
        assert found.refusal is None
        assert found.invitation is not None
        assert invitation is not None
        assert found.invitation.id == invitation.id
        assert (invitation.month, invitation.channel, queued.kind) == (
            "2026-12",
            "web",
            "invitation",
        )
        assert find(db, token, AT + timedelta(days=8)).refusal == "expired"


def test_sending_rechecks_the_cap_and_replaces_an_open_survey(db_engine: Engine) -> None:
    vault = Vault.from_setting(generate_key())
    runner = Runner(db_engine, vault, FlowCatalog.load())
    route = ConversationRoute("sms", runner, build_registry(Settings(secret_key=generate_key())), 1)
    with transaction(db_engine) as db:
        provider = Provider(name="Sunrise Care", created_at=AT)
        db.add(provider)
        db.flush()
        assert provider.id is not None
        ann = _person(db, vault, provider.id, {"sms": "+447700900101"})
        bob = _person(db, vault, provider.id, {"sms": "+447700900102"})
    earlier = AT - timedelta(hours=1)
    runner.handle("sms", "+447700900101", "FEEDBACK", "SM-1", earlier)  # Ann opened a survey
    runner.start_for(  # Bob was invited by hand this month, after the batch was planned
        "sms", "+447700900102", "homecare_monthly", earlier, contact_id=bob,
        provider_id=provider.id, invitation_month="2026-12",
    )  # fmt: skip
    with transaction(db_engine) as db:
        people = {p.contact_id: p for p in store.people(db, None, [ann, bob])}
        invites = [
            Invite(people[c], "homecare_monthly", "en", "2026-12", AT, None, None)
            for c in (ann, bob)
        ]
        sent_ann, sent_bob = route.invite_many(db, invites)
    assert sent_bob.refused == "monthly cap"
    assert sent_ann.conversation_id is not None
    with Session(db_engine) as db:
        mine = db.exec(
            select(Conversation)
            .where(Conversation.contact_id == ann)
            .order_by(col(Conversation.id))
        ).all()
        statuses = {c.id: c.status for c in db.exec(select(Conversation))}
    # Ann's keyword survey was closed as expired; the campaign's is the only one open.
    assert [(c.status, c.session["reminded"]) for c in mine] == [
        ("expired", False), ("active", True)  # the campaign, not the flow, decides reminders
    ]  # fmt: skip
    assert statuses[sent_ann.conversation_id] == "active"
    assert list(statuses.values()).count("active") == 2  # Ann's new one and Bob's
