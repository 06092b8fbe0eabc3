"""Choosing each person's route from their recorded needs, and the personal-link route, on a
real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channels.registry import build_registry
from bot.config.settings import Settings
from bot.surveys.campaign_routes import Invite, LinkRoute
from bot.surveys.campaigns import choose_route, parse_order, plan, preface
from storage import campaigns as store
from storage import repository as repo
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.invitation_links import find
from storage.models import Campaign, Contact, Invitation, Outbox, Provider

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
    assert not route.available()  # no web channel registered in this branch
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
