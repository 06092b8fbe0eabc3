"""Key rotation: after it, the newest key alone finds and reads everything stored before."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage import people, sealed
from storage import repository as repo
from storage.contact_import import import_contacts
from storage.contact_rows import ContactCsv
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.erasure import erase_person
from storage.key_rotation import rotate_keys
from storage.models import (
    Answer,
    AuditLog,
    Campaign,
    CampaignRun,
    Contact,
    Conversation,
    InboundMessage,
    OptOut,
    Provider,
    SafeguardingFlag,
)
from storage.people import find_person, identifiers

T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
ANN, BOB, CAT = "+447700900123", "+447700900124", "+447700900125"
CATALOG = FlowCatalog.load()


def send(runner: Runner, phone: str, text: str, n: int) -> list[str]:
    outcome = runner.handle("sms", phone, text, f"{phone}-{n}", T0 + timedelta(minutes=n))
    return [m.text for m in outcome.replies]


def stored_before_rotation(engine: Engine, old: Vault) -> None:
    """Ann imported and mid-survey; Bob opted out; Cat opted out and was then erased."""
    with transaction(engine) as session:
        provider = Provider(name="Sunrise Care", created_at=T0)
        session.add(provider)
        session.flush()
        csv = "name,phone,language\nAnn Smith,07700 900123,en\n"
        import_contacts(session, old, provider, ContactCsv(io.StringIO(csv)), T0)
    runner = Runner(engine, old, CATALOG)
    send(runner, ANN, "FEEDBACK", 1)
    send(runner, ANN, "1", 2)
    send(runner, BOB, "STOP", 3)
    send(runner, CAT, "STOP", 4)
    with transaction(engine) as session:
        erase_person(session, find_person(session, old, identifiers(CAT)), T0, vault=old)


def test_rotation_keeps_every_lookup_working(db_engine: Engine) -> None:
    old_key, new_key = generate_key(), generate_key()
    stored_before_rotation(db_engine, Vault.from_setting(old_key))
    with transaction(db_engine) as session:
        report = rotate_keys(session, Vault.from_setting(f"{new_key},{old_key}"), T0, "cli:ops")
    assert (report.addresses, report.names) == (2, 1)
    assert report.rekeyed_rows == 5  # Ann's conversation and 2 messages, Bob's message and opt-out
    assert report.stranded_opt_outs == 1  # Cat's: erased, so only the old key can match it
    assert "keep the older keys configured" in report.summary

    new = Vault.from_setting(new_key)  # the old key is gone: everything must still work
    sealed.bind(db_engine, new)  # as the service restarted with the new key alone would
    with Session(db_engine) as session:
        ann = repo.find_address(session, "sms", new.lookup_hashes("sms", ANN))
        assert ann is not None
        assert new.decrypt(ann.encrypted) == ANN
        contact = session.exec(select(Contact)).one()
        assert new.decrypt(contact.name_encrypted or b"") == "Ann Smith"
        assert repo.is_opted_out(session, "sms", new.lookup_hashes("sms", BOB))
        assert repo.active_conversation(session, "sms", new.lookup_hashes("sms", ANN)) is not None
        hashes = {c.address_hash for c in session.exec(select(Conversation))}
        hashes |= {m.address_hash for m in session.exec(select(InboundMessage))}
        assert hashes <= {new.lookup_hash("sms", ANN), new.lookup_hash("sms", BOB)}
    runner = Runner(db_engine, new, CATALOG)
    send(runner, ANN, "usually", 5)  # Ann carries on the survey she began before rotation
    with Session(db_engine) as session:
        answers = session.exec(select(Answer.question_id, Answer.value).order_by(col(Answer.id)))
        assert list(answers) == [("punctuality", "always"), ("continuity", "usually")]
    assert send(runner, BOB, "FEEDBACK", 6) == []  # still opted out


def test_rotation_is_audited_and_repeatable(db_engine: Engine) -> None:
    old_key, new_key = generate_key(), generate_key()
    stored_before_rotation(db_engine, Vault.from_setting(old_key))
    both = Vault.from_setting(f"{new_key},{old_key}")
    for _ in range(2):
        with transaction(db_engine) as session:
            report = rotate_keys(session, both, T0, "cli:ops")
    assert report.rekeyed_rows == 0  # nothing left under the old key
    with Session(db_engine) as session:
        entries = session.exec(select(AuditLog).where(AuditLog.action == "rotate_keys")).all()
        assert [e.actor for e in entries] == ["cli:ops", "cli:ops"]
        assert len(session.exec(select(OptOut).order_by(col(OptOut.id))).all()) == 2


def test_a_flag_raised_outside_any_survey_is_rekeyed_too(db_engine: Engine) -> None:
    old_key, new_key = generate_key(), generate_key()
    old = Vault.from_setting(old_key)
    assert send(Runner(db_engine, old, CATALOG), ANN, "my carer hits me", 1)  # signposted
    with transaction(db_engine) as session:
        rotate_keys(session, Vault.from_setting(f"{new_key},{old_key}"), T0)
    new = Vault.from_setting(new_key)
    sealed.bind(db_engine, new)
    with Session(db_engine) as session:
        flag = session.exec(select(SafeguardingFlag)).one()
        assert flag.address_hash == new.lookup_hash("sms", ANN)
        assert flag.text == "my carer hits me"  # sealed text moved onto the new key too
        person = find_person(session, new, identifiers(ANN))
        assert [f.id for f in people.flags(session, [], person)] == [flag.id]


def test_a_campaign_runs_link_and_pseudonym_move_to_the_new_key(db_engine: Engine) -> None:
    old_key, new_key = generate_key(), generate_key()
    old = Vault.from_setting(old_key)
    link = "https://cv.example.org/s/AbCdEfGhIjKlMnOpQrStUvW"
    with transaction(db_engine) as session:
        provider = Provider(name="Sunrise Care", created_at=T0)
        session.add(provider)
        session.flush()
        contact = Contact(provider_id=provider.id or 0, created_at=T0)
        campaign = Campaign(name="Outcomes", flow_id="day_service_outcomes",
                            schedule="per person", created_at=T0)  # fmt: skip
        session.add_all([contact, campaign])
        session.flush()
        session.add(
            CampaignRun(
                campaign_id=campaign.id or 0, contact_id=contact.id or 0,
                provider_id=provider.id or 0, period="3 months", status="invited",
                planned_at=T0, link_encrypted=old.encrypt(link),
                person_key=old.person_keys(contact.id or 0)[0],
            )
        )  # fmt: skip
    with transaction(db_engine) as session:
        rotate_keys(session, Vault.from_setting(f"{new_key},{old_key}"), T0)
    new = Vault.from_setting(new_key)
    with Session(db_engine) as session:
        run = session.exec(select(CampaignRun)).one()
        assert run.link_encrypted is not None
        assert new.decrypt(run.link_encrypted) == link  # the reminder still sends the link
        assert run.person_key == new.person_keys(run.contact_id)[0]
