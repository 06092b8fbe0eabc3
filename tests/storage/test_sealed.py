"""Free text is encrypted at rest (hardening issue, problem 8).

Before: a free-text answer, the words that raised a flag and the engine's session (with its copy
of every answer) were stored in clear, so a copy of the database file or a ``SELECT`` showed
the names and numbers people typed. Now nothing a person typed is in the file or in any column,
yet everything that reads it (triage, reports, subject access) gets the words back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlmodel import Session, select

from storage import sealed
from storage.crypto import SecretKeyError, Vault, generate_key
from storage.db import make_engine, reclaim, transaction
from storage.key_rotation import rotate_keys
from storage.migrate import MIGRATIONS, upgrade
from storage.models import (
    Answer,
    Contact,
    Conversation,
    InboundMessage,
    Outbox,
    SafeguardingFlag,
)
from tests.bot.channels.sms.harness import SmsWorld
from tests.storage.clear_rows import DISCLOSURE, WORDS, store_in_clear
from tests.storage.raw_dump import raw_dump

PHONE = "+447700900321"
SURVEY = ["FEEDBACK", "1", "1", "1", "2", WORDS, DISCLOSURE]
T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)


def take_survey(world: SmsWorld) -> None:
    for reply in SURVEY:
        assert world.text(PHONE, reply).status_code == 200


def on_disk(engine: Engine, needle: str) -> bool:
    """In the SQLite file or its write-ahead log, once the log has been checkpointed."""
    assert reclaim(engine, []) == "write-ahead log emptied"
    database = Path(str(engine.url.database))
    files = (database, database.with_name(database.name + "-wal"))
    return any(needle.encode() in path.read_bytes() for path in files if path.exists())


def test_what_people_type_is_in_no_column_and_not_on_disk(sms_world: SmsWorld) -> None:
    take_survey(sms_world)
    engine = sms_world.engine
    dump = raw_dump(engine)  # every value of every table, as a SELECT returns it
    for typed in (WORDS, "Quillonby", DISCLOSURE, "Zebedee-2290"):
        assert typed not in dump
        if engine.dialect.name == "sqlite":
            assert not on_disk(engine, typed)
    with Session(engine) as db:  # yet whoever may read them gets the words back
        answers = {a.question_id: a for a in db.exec(select(Answer))}
        (flag,) = db.exec(select(SafeguardingFlag)).all()
        (talk,) = db.exec(select(Conversation)).all()
    assert (answers["fft_why"].raw_text, answers["fft_why"].value) == (WORDS, None)
    assert answers["improve"].given == DISCLOSURE
    assert answers["fft_why"].themes  # worked out from the words before they were sealed
    assert answers["fft_why"].sentiment is not None
    assert answers["fft"].value == "good"  # structured answers stay countable in SQL
    assert flag.text == DISCLOSURE
    assert talk.session["answers"]["fft_why"] == WORDS


def test_rotation_moves_every_sealed_value_to_the_new_key(sms_world: SmsWorld) -> None:
    take_survey(sms_world)
    engine = sms_world.engine
    old = sms_world.settings.secret_key
    assert old is not None
    new = generate_key()
    with transaction(engine) as db:
        report = rotate_keys(db, Vault.from_setting(f"{new},{old}"), T0)
    assert report.texts >= len(SURVEY)  # answers, flag, session, outcomes, replies
    sealed.bind(engine, Vault.from_setting(new))  # the old key dropped
    with Session(engine) as db:
        answers = {a.question_id: a.given for a in db.exec(select(Answer))}
        (flag,) = db.exec(select(SafeguardingFlag)).all()
        (talk,) = db.exec(select(Conversation)).all()
        bodies = [m.body for m in db.exec(select(Outbox))]
        outcomes = [m.outcome for m in db.exec(select(InboundMessage))]
    assert (answers["fft_why"], flag.text) == (WORDS, DISCLOSURE)
    assert talk.status == "completed"
    assert len(bodies) >= len(SURVEY)
    assert len(outcomes) == len(SURVEY)
    sealed.bind(engine, Vault.from_setting(old))  # the old key alone no longer opens them
    with Session(engine) as db, pytest.raises(Exception, match="none of the configured keys"):
        db.exec(select(Answer.raw_text).where(Answer.question_id == "fft_why")).one()


def test_an_engine_without_a_key_ring_refuses_rather_than_store_in_clear(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bare.db'}")
    upgrade(engine)  # an empty database needs no key to migrate
    with pytest.raises(Exception, match="no key ring") as refused, transaction(engine) as db:
        db.add(_conversation())
    assert isinstance(refused.value.__cause__ or refused.value, SecretKeyError)
    assert "Conversation" not in raw_dump(engine)
    engine.dispose()


def _conversation() -> Conversation:
    return Conversation(
        channel="sms", address_hash="h" * 64, flow_id="f", flow_version=1,
        session={"answers": {"why": WORDS}}, status="active",
        started_at=T0, last_activity_at=T0, expires_at=T0 + timedelta(days=1),
    )  # fmt: skip


# --- the migration: words stored before it are sealed in place --------------------------------


def test_the_migration_seals_what_was_stored_in_clear(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0011_flag_layer")
    store_in_clear(empty_engine)
    assert WORDS in raw_dump(empty_engine)  # the problem as it was
    sealed.bind(empty_engine, Vault.from_setting(generate_key()))
    upgrade(empty_engine)
    dump = raw_dump(empty_engine)
    assert WORDS not in dump
    assert DISCLOSURE not in dump
    with Session(empty_engine) as db:
        answers = {a.question_id: a for a in db.exec(select(Answer))}
        flag = db.exec(select(SafeguardingFlag)).one()
        talk = db.exec(select(Conversation)).one()
        body = db.exec(select(Outbox)).one().body
        outcome = db.exec(select(InboundMessage)).one().outcome
    assert (answers["why"].value, answers["why"].raw_text) == (None, WORDS)
    assert answers["fft"].value == "good"
    assert (flag.text, flag.history) == (DISCLOSURE, [{"note": DISCLOSURE}])
    assert talk.session == {"answers": {"why": WORDS}}
    assert (body, outcome) == ({"text": f"You said: {WORDS}"}, {"replies": [WORDS]})

    upgrade_down(empty_engine)
    assert WORDS in raw_dump(empty_engine)  # downgrading opens them again


def upgrade_down(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011_flag_layer")


def test_the_migration_wants_a_key_only_when_there_are_words(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0011_flag_layer")
    store_in_clear(empty_engine)
    with pytest.raises(RuntimeError, match="CAREVOICE_SECRET_KEY"):
        upgrade(empty_engine)
    assert WORDS in raw_dump(empty_engine)  # nothing half-done: the migration rolled back


ON_BEHALF = "her son Raymond Okafor"


def test_who_answers_on_a_contacts_behalf_is_sealed_by_its_migration(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine, "0015_campaign_run_fields")
    with empty_engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO provider (name, category, created_at) "
            "VALUES ('Sunrise Care', 'general_home_care', '2026-10-01 09:00:00')"
        )
        connection.exec_driver_sql(
            "INSERT INTO contact (provider_id, language, easy_read, large_print, "
            "answers_on_behalf, created_at) "
            f"VALUES (1, 'en', false, false, '{ON_BEHALF}', '2026-10-01 09:00:00')"
        )
    assert ON_BEHALF in raw_dump(empty_engine)
    sealed.bind(empty_engine, Vault.from_setting(generate_key()))
    upgrade(empty_engine)
    assert ON_BEHALF not in raw_dump(empty_engine)
    with Session(empty_engine) as db:
        assert db.exec(select(Contact)).one().answers_on_behalf == ON_BEHALF
    upgrade_down(empty_engine)
    assert ON_BEHALF in raw_dump(empty_engine)
