"""Messages arriving at the same moment: applied one after the other, never lost or doubled."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage.crypto import Vault, generate_key
from storage.models import Answer, Conversation, InboundMessage

T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
SCRIPT = ["FEEDBACK", "1", "2", "3", "4", "Friendly", "Be on time"]
PEOPLE = [f"+4477009001{n:02d}" for n in range(6)]


def test_interleaved_people_and_duplicate_deliveries(db_engine: Engine) -> None:
    runner = Runner(db_engine, Vault.from_setting(generate_key()), FlowCatalog.load())

    def deliver(phone: str, step: int) -> None:
        at = T0 + timedelta(seconds=step)
        runner.handle("sms", phone, SCRIPT[step], f"{phone[-2:]}-{step}", at)

    def person(phone: str) -> None:
        # Each message is delivered twice at once, as a carrier retrying would.
        with ThreadPoolExecutor(max_workers=2) as twice:
            for step in range(len(SCRIPT)):
                list(twice.map(deliver, [phone, phone], [step, step]))

    with ThreadPoolExecutor(max_workers=len(PEOPLE)) as pool:
        list(pool.map(person, PEOPLE))

    with Session(db_engine) as db:
        conversations = list(db.exec(select(Conversation)))
        answers = list(db.exec(select(Answer)))
        inbound = list(db.exec(select(InboundMessage)))
    assert len(conversations) == len(PEOPLE)
    assert {c.status for c in conversations} == {"completed"}
    assert len(inbound) == len(PEOPLE) * len(SCRIPT)
    per_question = Counter((a.conversation_id, a.question_id) for a in answers)
    assert set(per_question.values()) == {1}
    for conversation in conversations:
        mine = {a.question_id: a.given for a in answers if a.conversation_id == conversation.id}
        assert mine == {
            "punctuality": "always", "continuity": "usually", "attitude": "sometimes",
            "fft": "poor", "fft_why": "Friendly", "improve": "Be on time",
        }  # fmt: skip


def test_two_messages_at_the_same_moment_are_both_applied(db_engine: Engine) -> None:
    runner = Runner(db_engine, Vault.from_setting(generate_key()), FlowCatalog.load())
    phone = PEOPLE[0]
    for step in range(5):
        runner.handle("sms", phone, SCRIPT[step], f"m{step}", T0 + timedelta(seconds=step))
    at = T0 + timedelta(minutes=1)
    texts = ["first thought", "second thought"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda i: runner.handle("sms", phone, texts[i], f"same-{i}", at), range(2)))
    with Session(db_engine) as db:
        free_text = {a.question_id: a.given for a in db.exec(select(Answer)) if a.raw_text}
    assert sorted(free_text) == ["fft_why", "improve"]
    assert sorted(free_text.values()) == texts
