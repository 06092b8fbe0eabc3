"""Staff entering a phone or paper survey: stored through the runner with channel telephone."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channels.terminal.recorded import RecordingError, record_chat
from bot.surveys.catalog import FlowCatalog
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.models import Answer, Conversation, Provider

T0 = datetime(2026, 11, 3, 14, 0, tzinfo=UTC)


def clock():  # type: ignore[no-untyped-def]
    ticks = count()
    return lambda: T0 + timedelta(seconds=next(ticks))


@pytest.fixture
def provider(db_engine: Engine) -> int:
    with transaction(db_engine) as db:
        row = Provider(name="Sunrise Care", created_at=T0)
        db.add(row)
        db.flush()
        assert row.id is not None
        return row.id


def test_paper_survey_is_stored_as_telephone(db_engine: Engine, provider: int) -> None:
    out = io.StringIO()
    lines = ["1", "2", "1", "1", "Always cheerful", "skip"]
    result = record_chat(
        db_engine, Vault.from_setting(generate_key()), FlowCatalog.load(), "homecare_monthly",
        "sunrise care", None, lines, out, clock(),
    )  # fmt: skip
    assert result.status == "completed"
    assert "bot> Overall, how was your experience of Sunrise Care?" in out.getvalue()
    with Session(db_engine) as db:
        answers = list(db.exec(select(Answer)))
        (conversation,) = db.exec(select(Conversation))
    assert {a.channel for a in answers} == {"telephone"}
    assert {a.provider_id for a in answers} == {provider}
    assert conversation.channel == "telephone"
    why = next(a for a in answers if a.question_id == "fft_why")
    assert why.sentiment == "positive"


def test_unknown_provider_is_refused(db_engine: Engine) -> None:
    with pytest.raises(RecordingError, match="no provider called 'Nobody'"):
        record_chat(
            db_engine, Vault.from_setting(generate_key()), FlowCatalog.load(), "fft", "Nobody",
            None, [], io.StringIO(), clock(),
        )  # fmt: skip
