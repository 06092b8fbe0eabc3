"""Idempotency outlives content: a message id handled before a purge or an erasure is still
recognised afterwards, so a replayed request is not applied again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, delete, select

from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage import handled
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.erasure import erase_person
from storage.models import Address, Answer, Conversation, HandledId, InboundMessage
from storage.people import find_person, identifiers
from storage.retention import purge

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
PHONE = "+447700900123"
SURVEY = ["FEEDBACK", "1", "1", "1", "2", "Kind staff"]


def count(engine: Engine, model: type) -> int:
    with Session(engine) as db:
        return len(list(db.exec(select(model))))


def answered(engine: Engine, vault: Vault) -> Runner:
    runner = Runner(engine, vault, FlowCatalog.load())
    for n, text in enumerate(SURVEY):
        runner.handle("sms", PHONE, text, f"SM{n:032x}", T0 + timedelta(minutes=n))
    return runner


def replay_all(runner: Runner) -> list[bool]:
    at = T0 + timedelta(days=60)
    return [
        runner.handle("sms", PHONE, text, f"SM{n:032x}", at).duplicate
        for n, text in enumerate(SURVEY)
    ]


def purge_all(engine: Engine, vault: Vault) -> None:
    with transaction(engine) as db:
        purge(db, T0 + timedelta(days=30), T0 + timedelta(days=30), vault=vault)


def test_a_replay_after_purge_is_not_applied(db_engine: Engine) -> None:
    vault = Vault.from_setting(generate_key())
    runner = answered(db_engine, vault)
    answers = count(db_engine, Answer)
    purge_all(db_engine, vault)
    assert count(db_engine, InboundMessage) == 0
    assert replay_all(runner) == [True] * len(SURVEY)
    assert count(db_engine, InboundMessage) == 0
    assert count(db_engine, Answer) == answers
    assert count(db_engine, Conversation) == 1


def test_messages_from_before_the_table_get_their_hash_at_purge(db_engine: Engine) -> None:
    vault = Vault.from_setting(generate_key())
    runner = answered(db_engine, vault)
    with transaction(db_engine) as db:
        db.exec(delete(HandledId))  # as if handled before migration 0006
    purge_all(db_engine, vault)
    assert count(db_engine, HandledId) == len(SURVEY)
    assert replay_all(runner) == [True] * len(SURVEY)


def test_a_replay_after_erasure_brings_nothing_back(db_engine: Engine) -> None:
    vault = Vault.from_setting(generate_key())
    runner = answered(db_engine, vault)
    with transaction(db_engine) as db:
        person = find_person(db, vault, identifiers(PHONE))
        erase_person(db, person, T0 + timedelta(days=1), vault=vault)
    assert count(db_engine, Address) == 0
    assert replay_all(runner) == [True] * len(SURVEY)
    assert count(db_engine, Address) == 0  # the number is not stored again
    # A new message from the same person is, of course, handled.
    assert not runner.handle("sms", PHONE, "FEEDBACK", "SMnew", T0 + timedelta(days=2)).duplicate


def test_hashes_are_kept_for_the_retention_period_plus_a_margin(db_engine: Engine) -> None:
    vault = Vault.from_setting(generate_key())
    answered(db_engine, vault)
    cut = T0 + timedelta(days=1)
    with transaction(db_engine) as db:
        purge(db, cut, cut, vault=vault)
    assert count(db_engine, HandledId) == len(SURVEY)
    within = T0 + handled.MARGIN - timedelta(days=1)
    with transaction(db_engine) as db:
        purge(db, within, within, vault=vault)
    assert count(db_engine, HandledId) == len(SURVEY)  # the margin is not over yet
    beyond = T0 + handled.MARGIN + timedelta(days=1)
    with transaction(db_engine) as db:
        purge(db, beyond, beyond, vault=vault)
    assert count(db_engine, HandledId) == 0


def test_only_a_keyed_hash_is_stored(db_engine: Engine) -> None:
    answered(db_engine, Vault.from_setting(generate_key()))
    with Session(db_engine) as db:
        stored = {row.id_hash for row in db.exec(select(HandledId))}
    assert len(stored) == len(SURVEY)
    assert all(len(h) == 64 and "SM" not in h for h in stored)


def test_a_redelivery_of_a_message_from_before_the_table_returns_its_reply(
    db_engine: Engine,
) -> None:
    vault = Vault.from_setting(generate_key())
    runner = answered(db_engine, vault)
    with transaction(db_engine) as db:
        db.exec(delete(HandledId))  # handled before handled ids were kept
    answers = count(db_engine, Answer)
    again = runner.handle("sms", PHONE, SURVEY[1], f"SM{1:032x}", T0 + timedelta(minutes=9))
    assert again.duplicate
    assert again.replies  # the reply it was given, not a new turn
    assert count(db_engine, Answer) == answers


def test_a_replay_after_key_rotation_is_recognised_by_the_retired_key(db_engine: Engine) -> None:
    old = generate_key()
    answered(db_engine, Vault.from_setting(old))
    purge_all(db_engine, Vault.from_setting(old))
    rotated = Runner(db_engine, Vault.from_setting(f"{generate_key()},{old}"), FlowCatalog.load())
    assert replay_all(rotated) == [True] * len(SURVEY)
    assert count(db_engine, HandledId) == len(SURVEY)
