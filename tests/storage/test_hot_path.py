"""The person's one query: what it loads behaves as ORM-loaded rows, in a new process too."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage import hot_path
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.models import Conversation

T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
PHONE = "+447700900321"


def test_loaded_rows_are_in_the_session_and_their_changes_are_written(db_engine: Engine) -> None:
    vault = Vault.from_setting(generate_key())
    Runner(db_engine, vault, FlowCatalog.load()).handle("sms", PHONE, "FEEDBACK", "SM1", T0)
    hashes = vault.lookup_hashes("sms", PHONE)
    with transaction(db_engine) as db:
        person = hot_path.load_person(db, "sms", hashes)
        assert person is not None
        assert person.opt_out is None
        assert person.stopped_elsewhere is None
        conversation = person.conversation
        assert conversation is not None
        assert conversation in db
        assert person.address in db
        assert db.get(Conversation, conversation.id) is conversation
        assert conversation.session["flow_id"] == conversation.flow_id  # decrypted
        conversation.status = "expired"  # as close_conversation does
        db.add(conversation)
    with Session(db_engine) as db:
        assert [c.status for c in db.exec(select(Conversation)).all()] == ["expired"]


SCRIPT = """
import sys
from datetime import datetime, timedelta
from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage.crypto import Vault
from storage.db import make_engine
from storage.migrate import upgrade
url, key, text, minute = sys.argv[1:]
engine = make_engine(url)
if text == "FEEDBACK":
    upgrade(engine)
at = datetime.fromisoformat("2026-05-04T10:00:00+00:00")
runner = Runner(engine, Vault.from_setting(key), FlowCatalog.load())
when = at + timedelta(minutes=int(minute))
outcome = runner.handle("sms", "+447700900321", text, "SM" + minute, when)
print(outcome.replies[-1].text)
"""


def test_a_new_process_can_load_a_person_before_any_orm_query(tmp_path: Path) -> None:
    # Mappers are configured by the first ORM query; the hot path may come first (a restarted
    # `serve` whose first request is from someone mid-survey: found by the kill -9 test).
    url, key = f"sqlite:///{tmp_path / 'carevoice.db'}", generate_key()

    def reply(text: str, minute: int) -> str:
        args = [sys.executable, "-c", SCRIPT, url, key, text, str(minute)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = reply("FEEDBACK", 0)
    second = reply("1", 1)
    assert second.strip()
    assert second != first  # the survey moved on to its next question
    assert "no survey" not in second.lower()
