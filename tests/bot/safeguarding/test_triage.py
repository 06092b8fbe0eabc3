"""What a triager reads about a flag: how the words came to us, and the question they answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.safeguarding.triage import find
from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage.crypto import Vault, generate_key
from storage.models import SafeguardingFlag

T0 = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("channel", "how"),
    [
        (
            "telephone",
            "from what the person said or wrote by telephone or on paper (entered by staff)",
        ),
        ("sms", "from what the person said or wrote by text message"),
    ],
)
def test_a_flag_says_how_it_came_and_names_the_question(
    db_engine: Engine, channel: str, how: str
) -> None:
    runner = Runner(db_engine, Vault.from_setting(generate_key()), FlowCatalog.load())
    runner.start_for(channel, "+447700900123", "fft", T0, inline=True)
    for n, text in enumerate(["4", "the night carer hits me when I ask for help"], start=1):
        runner.handle(channel, "+447700900123", text, f"m{n}", T0 + timedelta(minutes=n))
    with Session(db_engine) as db:
        flag = db.exec(select(SafeguardingFlag)).one()
    assert flag.id is not None
    found = find(db_engine, flag.id)
    assert found is not None
    row, texts = found
    assert row.how == how
    (answer,) = [t for t in texts if t.question_id == "fft_why"]
    assert answer.text == "the night carer hits me when I ask for help"  # opened for triage
    assert answer.heading.startswith("Answer to “")
    assert "fft_why" not in answer.heading
