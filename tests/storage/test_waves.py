"""Outcome waves on a real database: the pseudonym pairs one person's waves, and erasure unpairs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from storage import sealed
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.erasure import erase_person
from storage.key_rotation import rotate_keys
from storage.models import Address, Contact, Conversation, Provider
from storage.people import find_person, identifiers
from storage.subject_access import export_person
from storage.waves import WaveError, mark_wave

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
PHONES = {"ann": "+447700900123", "bob": "+447700900124"}


@pytest.fixture
def vault(db_engine: Engine) -> Vault:
    made = Vault.from_setting(generate_key())
    sealed.bind(db_engine, made)  # the one key ring in use, as in a configured service
    return made


def add_people(engine: Engine, vault: Vault) -> dict[str, int]:
    """Ann and Bob, each a contact with a phone number; returns their contact ids."""
    with transaction(engine) as session:
        provider = Provider(name="Bridge Day Centre", category="day_service", created_at=T0)
        session.add(provider)
        session.flush()
        found = {}
        for who, phone in PHONES.items():
            contact = Contact(provider_id=provider.id, created_at=T0)
            session.add(contact)
            session.flush()
            session.add(
                Address(
                    contact_id=contact.id,
                    channel="sms",
                    address_hash=vault.lookup_hash("sms", phone),
                    encrypted=vault.encrypt(phone),
                    created_at=T0,
                )
            )
            assert contact.id is not None
            found[who] = contact.id
        return found


def add_wave(engine: Engine, vault: Vault, who: str, contact_id: int | None, wave: str) -> int:
    with transaction(engine) as session:
        talk = Conversation(
            channel="sms",
            address_hash=vault.lookup_hash("sms", PHONES[who]),
            contact_id=contact_id,
            flow_id="day_service_outcomes",
            flow_version=2,
            session={},
            status="completed",
            started_at=T0,
            last_activity_at=T0,
            expires_at=T0 + timedelta(days=14),
        )
        session.add(talk)
        session.flush()
        mark_wave(session, vault, talk, wave)
        assert talk.id is not None
        return talk.id


def waves(engine: Engine) -> list[tuple[str | None, str | None]]:
    with Session(engine) as session:
        query = select(Conversation.wave, Conversation.person_key).order_by(col(Conversation.id))
        return list(session.exec(query))


def test_a_persons_waves_share_a_pseudonym_that_is_nothing_else(
    db_engine: Engine, vault: Vault
) -> None:
    ids = add_people(db_engine, vault)
    add_wave(db_engine, vault, "ann", ids["ann"], "baseline")
    add_wave(db_engine, vault, "bob", ids["bob"], "baseline")
    add_wave(db_engine, vault, "ann", ids["ann"], "  3   months ")
    (w1, ann1), (w2, bob1), (w3, ann2) = waves(db_engine)
    assert (w1, w2, w3) == ("baseline", "baseline", "3 months")
    assert ann1 == ann2 != bob1
    assert ann1 is not None
    assert len(ann1) == 64
    hashes = {vault.lookup_hash("sms", PHONES["ann"]), str(ids["ann"])}
    assert ann1 not in hashes


def test_erasure_unpairs_the_persons_waves_and_keeps_the_others(
    db_engine: Engine, vault: Vault
) -> None:
    ids = add_people(db_engine, vault)
    for who in ("ann", "bob"):
        add_wave(db_engine, vault, who, ids[who], "baseline")
        add_wave(db_engine, vault, who, ids[who], "6 months")
    with transaction(db_engine) as session:
        person = find_person(session, vault, identifiers("07700 900123"))
        erase_person(session, person, T0 + timedelta(days=200), vault=vault)
    (w1, ann1), (w2, ann2), (_, bob1), (_, bob2) = waves(db_engine)
    assert (w1, w2) == ("baseline", "6 months")  # the wave alone says nothing about who
    assert (ann1, ann2) == (None, None)
    assert bob1 == bob2 is not None


def test_key_rotation_moves_every_wave_to_the_new_key(db_engine: Engine, vault: Vault) -> None:
    ids = add_people(db_engine, vault)
    add_wave(db_engine, vault, "ann", ids["ann"], "baseline")
    rotated = Vault((generate_key(), *vault.keys))
    add_wave(db_engine, rotated, "ann", ids["ann"], "3 months")
    (_, before), (_, after) = waves(db_engine)
    assert before != after  # unpaired until the rotation has run
    with transaction(db_engine) as session:
        report = rotate_keys(session, rotated, T0)
    (_, first), (_, second) = waves(db_engine)
    assert first == second == rotated.person_keys(ids["ann"])[0]
    assert report.rekeyed_rows >= 1


def test_subject_access_shows_the_wave(db_engine: Engine, vault: Vault) -> None:
    ids = add_people(db_engine, vault)
    add_wave(db_engine, vault, "ann", ids["ann"], "baseline")
    with transaction(db_engine) as session:
        person = find_person(session, vault, identifiers("07700 900123"))
        data = export_person(session, vault, person, T0, "cli:dpo")
    assert [c["wave"] for c in data["conversations"]] == ["baseline"]


@pytest.mark.parametrize(
    ("contact", "wave", "message"),
    [
        (False, "baseline", "only a known contact"),
        (True, " ", "1 to 40 characters"),
        (True, "x" * 41, "1 to 40 characters"),
    ],
)
def test_bad_waves_are_refused(
    db_engine: Engine, vault: Vault, contact: bool, wave: str, message: str
) -> None:
    ids = add_people(db_engine, vault)
    with pytest.raises(WaveError, match=message):
        add_wave(db_engine, vault, "ann", ids["ann"] if contact else None, wave)
