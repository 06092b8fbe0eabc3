"""Retention: old message logs deleted, old free text removed, everything newer untouched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.models import Answer, AuditLog, Conversation, InboundMessage, Outbox
from storage.retention import BadAge, cutoff, purge

T0 = datetime(2024, 10, 14, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=400)
CATALOG = FlowCatalog.load()


@pytest.mark.parametrize(
    ("age", "now", "expected"),
    [
        ("24m", datetime(2026, 3, 31, tzinfo=UTC), datetime(2024, 3, 31, tzinfo=UTC)),
        ("1m", datetime(2026, 3, 31, tzinfo=UTC), datetime(2026, 2, 28, tzinfo=UTC)),
        ("13M", datetime(2026, 1, 15, tzinfo=UTC), datetime(2024, 12, 15, tzinfo=UTC)),
        ("2y", datetime(2024, 2, 29, tzinfo=UTC), datetime(2022, 2, 28, tzinfo=UTC)),
        ("90d", datetime(2026, 3, 31, tzinfo=UTC), datetime(2025, 12, 31, tzinfo=UTC)),
    ],
)
def test_ages(age: str, now: datetime, expected: datetime) -> None:
    assert cutoff(age, now) == expected


@pytest.mark.parametrize("age", ["24", "0d", "3w", "m", "-1m", ""])
def test_bad_ages(age: str) -> None:
    with pytest.raises(BadAge):
        cutoff(age, T0)


VAULT = Vault.from_setting(generate_key())


def survey(runner: Runner, phone: str, at: datetime, replies: list[str]) -> None:
    for n, text in enumerate(["FEEDBACK", *replies]):
        runner.handle("sms", phone, text, f"{phone}-{at:%s}-{n}", at + timedelta(minutes=n))


def rows(engine: Engine, model: type) -> list:
    with Session(engine) as session:
        return list(session.exec(select(model).order_by(col(model.id))))


@pytest.fixture
def history(db_engine: Engine) -> Engine:
    """An old finished survey, an old unfinished one, and a recent finished one."""
    runner = Runner(db_engine, VAULT, CATALOG)
    survey(runner, "+447700900123", T0, ["1", "1", "1", "2", "Kind staff", "Ring if late"])
    survey(runner, "+447700900124", T0, ["1", "1", "1", "2", "Lovely people"])
    survey(runner, "+447700900125", LATER, ["1", "1", "1", "2", "Good", "Nothing"])
    return db_engine


def test_purge_removes_old_messages_and_free_text(history: Engine) -> None:
    now = LATER + timedelta(days=1)
    with transaction(history) as session:
        report = purge(session, T0 + timedelta(days=200), now, "cli:ops", vault=VAULT)
    assert report.inbound_messages == 7 + 6
    assert report.outbox_messages == 8 + 7
    assert report.answers_scrubbed == 3  # the old free-text answers (two finished, one not)
    assert report.conversations_scrubbed == 1  # the unfinished one still needs its answers
    old, unfinished, recent = rows(history, Conversation)
    assert old.session["answers"] == {}
    assert unfinished.status == "active"
    assert unfinished.session["answers"]["fft_why"] == "Lovely people"
    assert recent.session["answers"]["improve"] == "Nothing"
    texts = {(a.conversation_id, a.question_id): a.given for a in rows(history, Answer)}
    assert texts[(old.id, "fft")] == "good"  # structured answers stay
    assert texts[(old.id, "improve")] is None
    assert texts[(unfinished.id, "fft_why")] is None
    assert texts[(recent.id, "fft_why")] == "Good"
    assert {m.received_at >= LATER for m in rows(history, InboundMessage)} == {True}
    assert len(rows(history, Outbox)) == 8
    (entry,) = [e for e in rows(history, AuditLog) if e.action == "purge"]
    assert entry.actor == "cli:ops"
    assert entry.detail["answers_scrubbed"] == 3


def test_purge_twice_finds_nothing_more(history: Engine) -> None:
    before = T0 + timedelta(days=200)
    with transaction(history) as session:
        purge(session, before, LATER, vault=VAULT)
    with transaction(history) as session:
        again = purge(session, before, LATER, vault=VAULT)
    assert (again.inbound_messages, again.outbox_messages, again.answers_scrubbed) == (0, 0, 0)
    assert again.conversations_scrubbed == 0
    assert again.summary.startswith(f"older than {before.isoformat()}: deleted 0 inbound")
