"""Erasure and purge take people's words off the disk, not just out of the tables.

Before: after ``contacts erase`` with the service running on SQLite, the erased person's free text
stayed in ``carevoice.db-wal`` (75 copies in one probe) and in the free space of database pages.
Free text is now sealed before it is written (storage.sealed), so it is never on disk in clear;
these tests keep erasure and purge honest should anything be stored in clear again.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text, update
from sqlmodel import Session, select

from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage.contact_import import import_contacts
from storage.contact_rows import ContactCsv
from storage.crypto import Vault, generate_key
from storage.db import make_engine, reclaim, transaction
from storage.erasure import TABLES as ERASURE_TABLES
from storage.erasure import erase_person
from storage.migrate import upgrade
from storage.models import Answer, Provider, SafeguardingFlag
from storage.people import find_person, identifiers
from storage.retention import TABLES as RETAINED_TABLES
from storage.retention import purge

T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
ANN = "+447700900123"
WORDS = "Maureen-from-Flat-9 is rude to my mum"
SURVEY = ["FEEDBACK", "1", "1", "1", "2", WORDS, "Ring me on 0113 496 0000 please"]


def answered(engine: Engine, vault: Vault) -> None:
    with transaction(engine) as session:
        provider = Provider(name="Sunrise Care", created_at=T0)
        session.add(provider)
        session.flush()
        csv = "name,phone,language\nAnn Smith,07700 900123,en\n"
        import_contacts(session, vault, provider, ContactCsv(io.StringIO(csv)), T0)
    runner = Runner(engine, vault, FlowCatalog.load())
    for n, reply in enumerate(SURVEY):
        runner.handle("sms", ANN, reply, f"SM{n:032x}", T0 + timedelta(minutes=n))


def held(engine: Engine) -> str | None:
    with Session(engine) as db:
        return db.exec(select(Answer.raw_text).where(Answer.question_id == "fft_why")).one()


def on_disk(database: Path, words: str) -> int:
    needle = words.encode()
    found = 0
    for path in (database, database.with_name(database.name + "-wal")):
        if path.exists():
            found += path.read_bytes().count(needle)
    return found


@pytest.fixture
def sqlite_file(tmp_path: Path) -> tuple[Path, Engine]:
    database = tmp_path / "cv.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    return database, engine


def test_erased_words_are_in_neither_the_database_nor_the_wal(
    sqlite_file: tuple[Path, Engine],
) -> None:
    database, engine = sqlite_file
    vault = Vault.from_setting(generate_key())
    service = make_engine(f"sqlite:///{database}")  # the running service's own connection
    live = service.connect()
    live.execute(text("SELECT count(*) FROM answer"))
    live.commit()
    answered(engine, vault)
    assert held(engine) == WORDS  # held, sealed: not on disk in clear even now
    assert on_disk(database, WORDS) == 0
    with transaction(engine) as session:
        # Triaged first, as erasure requires: what she wrote may be raised as a possible concern.
        session.exec(update(SafeguardingFlag).values(status="closed"))  # type: ignore[call-overload]
        person = find_person(session, vault, identifiers(ANN))
        erase_person(session, person, T0 + timedelta(1), vault=vault)
    assert reclaim(engine, ERASURE_TABLES) == "write-ahead log emptied"
    assert on_disk(database, WORDS) == 0
    assert on_disk(database, "0113 496 0000") == 0
    assert live.execute(text("SELECT count(*) FROM answer")).scalar_one() > 0  # still usable
    live.close()
    service.dispose()
    engine.dispose()


def test_purged_words_leave_the_disk(sqlite_file: tuple[Path, Engine]) -> None:
    database, engine = sqlite_file
    vault = Vault.from_setting(generate_key())
    answered(engine, vault)
    with transaction(engine) as session:
        purge(session, T0 + timedelta(days=800), T0 + timedelta(days=800), vault=vault)
    reclaim(engine, RETAINED_TABLES)
    assert on_disk(database, WORDS) == 0
    engine.dispose()


def test_reclaim_vacuums_on_postgresql(db_engine: Engine) -> None:
    result = reclaim(db_engine, ERASURE_TABLES)
    if db_engine.dialect.name == "sqlite":
        assert result == "write-ahead log emptied"
    else:
        assert result == "vacuumed " + ", ".join(sorted(ERASURE_TABLES))
