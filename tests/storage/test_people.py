"""Subject access and erasure on a real database, with data written by the real runner."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table
from sqlmodel import Session, col, select

from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage import people, sealed
from storage.contact_import import import_contacts
from storage.contact_rows import ContactCsv
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.erasure import HANDLED_HERE, ErasureBlocked, ErasureReport, erase_person
from storage.models import (
    Address,
    Answer,
    AuditLog,
    Contact,
    Conversation,
    InboundMessage,
    OptOut,
    Outbox,
    Provider,
    SafeguardingFlag,
    metadata,
)
from storage.people import UnknownPerson, find_person, identifiers
from storage.scrub import ERASED_HASH
from storage.subject_access import export_person
from tests.storage.raw_dump import raw_dump

T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
ANN, BOB = "+447700900123", "+447700900124"
CATALOG = FlowCatalog.load()
SURVEY = ["1", "usualy", "never", "2", "Kind staff", "Ring if late"]


@pytest.fixture
def vault() -> Vault:
    return Vault.from_setting(generate_key())


@pytest.fixture
def held(db_engine: Engine, vault: Vault) -> Runner:
    """Ann (imported, answered by text) and Bob (texted in, never imported)."""
    sealed.bind(db_engine, vault)  # one key ring for the engine, as the service has
    with transaction(db_engine) as session:
        provider = Provider(name="Sunrise Care", created_at=T0)
        session.add(provider)
        session.flush()
        csv = (
            "name,phone,email,language,answers_on_behalf,started_on\n"
            "Ann Smith,07700 900123,ann@example.org,en,son,2026-04-01\n"
        )
        import_contacts(session, vault, provider, ContactCsv(io.StringIO(csv)), T0)
    runner = Runner(db_engine, vault, CATALOG)
    converse(runner, "sms", ANN, ["FEEDBACK", *SURVEY])
    converse(runner, "sms", BOB, ["FEEDBACK", *SURVEY])
    return runner


def converse(runner: Runner, channel: str, address: str, texts: list[str], start: int = 0) -> None:
    for n, text in enumerate(texts, start):
        runner.handle(channel, address, text, f"{channel}{address}-{n}", T0 + timedelta(minutes=n))


def rows(engine: Engine, model: type) -> list:
    with Session(engine) as session:
        return list(session.exec(select(model).order_by(col(model.id))))


def export(engine: Engine, vault: Vault, who: str) -> dict:
    with transaction(engine) as session:
        person = find_person(session, vault, identifiers(who))
        return export_person(session, vault, person, T0 + timedelta(days=1), "cli:dpo")


def erase(engine: Engine, vault: Vault, who: str, everything: bool = False) -> ErasureReport:
    with transaction(engine) as session:
        person = find_person(session, vault, identifiers(who))
        return erase_person(
            session, person, T0 + timedelta(days=1), everything, "cli:dpo", vault=vault
        )


def test_export_holds_everything_about_the_person(
    held: Runner, db_engine: Engine, vault: Vault
) -> None:
    data = export(db_engine, vault, "07700 900123")
    (contact,) = data["contacts"]
    assert (contact["name"], contact["provider"], contact["answers_on_behalf"]) == (
        "Ann Smith", "Sunrise Care", "son",
    )  # fmt: skip
    assert contact["started_on"] == "2026-04-01"
    assert [(a["channel"], a["address"]) for a in data["addresses"]] == [
        ("sms", ANN), ("email", "ann@example.org"),
    ]  # fmt: skip
    (talk,) = data["conversations"]
    assert (talk["flow_id"], talk["status"], talk["channel"]) == (
        "homecare_monthly",
        "completed",
        "sms",
    )
    assert talk["started_at"] == T0.isoformat()
    answers = {a["question_id"]: a["value"] for a in talk["answers"]}
    assert answers["fft"] == "good"
    assert answers["improve"] == "Ring if late"
    assert len(data["messages_received"]) == 7
    assert len(data["messages_sent"]) == 8
    assert data["opt_outs"] == []
    assert data["safeguarding_flags"] == []
    assert export(db_engine, vault, "email:ANN@example.org")["contacts"] == data["contacts"]


def test_export_is_audited_without_the_number(
    held: Runner, db_engine: Engine, vault: Vault
) -> None:
    export(db_engine, vault, "+44 7700 900123")
    (entry,) = [e for e in rows(db_engine, AuditLog) if e.action == "subject_access_export"]
    assert entry.actor == "cli:dpo"
    assert entry.subject == f"sms:{vault.lookup_hash('sms', ANN)[:12]}"
    assert entry.detail["conversations"] == 1
    assert "7700" not in f"{entry.subject}{entry.detail}"


def test_export_finds_surveys_entered_by_phone(
    held: Runner, db_engine: Engine, vault: Vault
) -> None:
    converse(held, "telephone", ANN, ["FEEDBACK", "1"], start=50)
    talks = export(db_engine, vault, "07700900123")["conversations"]
    assert sorted(t["channel"] for t in talks) == ["sms", "telephone"]


def test_unknown_person(held: Runner, db_engine: Engine, vault: Vault) -> None:
    with pytest.raises(UnknownPerson):
        export(db_engine, vault, "07700 900999")


def test_erase_keeps_anonymous_answers_and_removes_the_rest(
    held: Runner, db_engine: Engine, vault: Vault
) -> None:
    report = erase(db_engine, vault, "07700 900123")
    assert (report.addresses, report.messages, report.answers, report.conversations) == (
        2,
        15,
        6,
        1,
    )
    assert not report.opt_out_kept
    ann, bob = sorted(rows(db_engine, Conversation), key=lambda c: c.address_hash != ERASED_HASH)
    assert ann.address_hash == ERASED_HASH
    assert ann.session["answers"] == {}
    assert ann.session["context"] == {}
    kept = {
        a.question_id: (a.value, a.raw_text)
        for a in rows(db_engine, Answer)
        if a.conversation_id == ann.id
    }
    assert kept["fft"] == ("good", None)
    assert kept["punctuality"][0] == "always"
    assert kept["improve"] == (None, None)
    assert kept["fft_why"] == (None, None)
    (contact,) = rows(db_engine, Contact)
    assert (contact.name_encrypted, contact.answers_on_behalf) == (None, None)
    assert contact.erased_at == T0 + timedelta(days=1)
    assert [vault.decrypt(a.encrypted) for a in rows(db_engine, Address)] == [BOB]
    assert {m.address_hash for m in rows(db_engine, InboundMessage)} == {bob.address_hash}
    assert len(rows(db_engine, Outbox)) == 8  # Bob's
    (bob_words,) = [
        a.raw_text
        for a in rows(db_engine, Answer)
        if a.question_id == "improve" and a.conversation_id == bob.id
    ]
    assert bob_words == "Ring if late"  # Bob's words are untouched
    assert "Ring if late" not in raw_dump(db_engine)  # and, as everyone's, sealed at rest
    with pytest.raises(UnknownPerson):
        export(db_engine, vault, "07700 900123")


def test_erase_audit_names_no_number(held: Runner, db_engine: Engine, vault: Vault) -> None:
    erase(db_engine, vault, "07700 900123")
    (entry,) = [e for e in rows(db_engine, AuditLog) if e.action == "erase"]
    assert entry.subject == f"sms:{vault.lookup_hash('sms', ANN)[:12]}"
    assert entry.detail["everything"] is False
    assert "7700" not in f"{entry.subject}{entry.detail}"


def test_opt_out_survives_erasure(held: Runner, db_engine: Engine, vault: Vault) -> None:
    converse(held, "sms", ANN, ["STOP"], start=20)
    report = erase(db_engine, vault, "07700 900123")
    assert report.opt_out_kept
    assert "kept on the suppression list" in report.summary
    (row,) = rows(db_engine, OptOut)
    assert row.active
    assert row.address_hash == vault.lookup_hash("sms", ANN)
    # The only thing still held is the keyed hash: subject access says exactly that.
    data = export(db_engine, vault, "07700 900123")
    assert data["addresses"] == []
    assert data["conversations"] == []
    assert [o["opted_out"] for o in data["opt_outs"]] == [True]
    # And the runner still never texts them.
    assert held.handle("sms", ANN, "FEEDBACK", "again", T0 + timedelta(days=2)).replies == []


def test_erase_everything(held: Runner, db_engine: Engine, vault: Vault) -> None:
    converse(held, "sms", ANN, ["STOP"], start=20)
    report = erase(db_engine, vault, "07700 900123", everything=True)
    assert "deleted" in report.summary
    assert rows(db_engine, Contact) == []
    (bob,) = rows(db_engine, Conversation)
    assert {a.conversation_id for a in rows(db_engine, Answer)} == {bob.id}
    assert len(rows(db_engine, OptOut)) == 1
    assert "Ann Smith" not in raw_dump(db_engine)


def test_open_safeguarding_flag_blocks_erasure(
    db_engine: Engine, vault: Vault, held: Runner
) -> None:
    converse(held, "sms", ANN, ["FEEDBACK", "5", "5", "5", "5", "he hits me"], start=30)
    with pytest.raises(ErasureBlocked, match="1 safeguarding flag"):
        erase(db_engine, vault, "07700 900123", everything=True)
    assert len(rows(db_engine, Address)) == 3  # nothing changed
    with transaction(db_engine) as session:
        flag = session.exec(select(SafeguardingFlag)).one()
        flag.status = "closed"
    erase(db_engine, vault, "07700 900123", everything=True)
    (kept,) = rows(db_engine, SafeguardingFlag)
    assert (kept.status, kept.conversation_id, kept.answer_id) == ("closed", None, None)


# --- the one list of tables that hold a person ---------------------------------------------------
PERSON_COLUMNS = {"address_hash", "contact_id", "address_id", "conversation_id", "encrypted"}
PERSON_TABLES = {"contact", "address", "conversation"}


def holds_a_person(table: Table) -> bool:
    """A column that names a person or points at one (directly or through a conversation)."""
    if table.name in PERSON_TABLES or PERSON_COLUMNS & set(table.columns.keys()):
        return True
    return any(fk.column.table.name in PERSON_TABLES for fk in table.foreign_keys)


def test_every_table_that_holds_a_person_is_in_the_one_list() -> None:
    listed = {holding.model.__tablename__ for holding in people.HOLDINGS}
    holding_people = {table.name for table in metadata.sorted_tables if holds_a_person(table)}
    assert holding_people - listed == set(), "add these to storage.people.HOLDINGS"
    assert listed <= holding_people  # and nothing is listed that holds no one


def test_a_table_with_a_person_column_would_be_noticed() -> None:
    extra = MetaData()
    chat = Table("telegram_chat", extra, Column("id", Integer), Column("address_id", Integer))
    scores = Table("scores", extra, Column("id", Integer), Column("value", Integer))
    assert holds_a_person(chat)
    assert not holds_a_person(scores)


def test_erasure_handles_every_listed_table() -> None:
    by_hand = {h.model for h in people.HOLDINGS if h.on_erasure != people.OnErasure.DELETE}
    assert by_hand == set(HANDLED_HERE)


def test_export_has_a_list_for_every_table(held: Runner, db_engine: Engine, vault: Vault) -> None:
    data = export(db_engine, vault, ANN)
    exported = {h.export_as for h in people.HOLDINGS if h.export_as is not None}
    assert exported == set(data) - {"exported_at"}
