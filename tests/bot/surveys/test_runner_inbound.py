"""The runner takes one ``Inbound``: typed text, a structured answer, a notice or a start request,
on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.surveys.catalog import FlowCatalog
from bot.surveys.inbound import Inbound, StartRequest, StructuredAnswer
from bot.surveys.runner import NO_SURVEY_TEXT, Runner
from storage.crypto import Vault, generate_key
from storage.models import Answer, Conversation, OptOut, SafeguardingFlag

T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
WEB = "web"
ADDRESS = "web-session-7f3a"
_ids = count(1)


@pytest.fixture
def runner(db_engine: Engine) -> Runner:
    return Runner(db_engine, Vault.from_setting(generate_key()), FlowCatalog.load())


def inbound(**what: object) -> Inbound:
    n = next(_ids)
    return Inbound(WEB, ADDRESS, f"page-{n}", T0 + timedelta(minutes=n), **what)  # type: ignore[arg-type]


def answered(engine: Engine) -> dict[str, object]:
    with Session(engine) as db:
        rows = db.exec(select(Answer).order_by(col(Answer.id))).all()
    return {a.question_id: a.given for a in rows if not a.superseded}


def test_exactly_one_kind_of_content() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Inbound(WEB, ADDRESS, "x", T0)
    with pytest.raises(ValueError, match="exactly one"):
        Inbound(WEB, ADDRESS, "x", T0, text="hi", notice="picture")


def test_a_whole_survey_by_structured_answers(runner: Runner, db_engine: Engine) -> None:
    first = runner.receive(inbound(start=StartRequest("homecare_monthly")))
    assert first.replies[-1].question_id == "punctuality"
    for question, values in [
        ("punctuality", ("usually",)), ("continuity", ("always",)), ("attitude", ("never",)),
        ("fft", ("good",)), ("fft_why", ("STOP",)), ("improve", ("help",)),
    ]:  # fmt: skip
        runner.receive(inbound(answer=StructuredAnswer(question, values)))
    assert answered(db_engine) == {
        "punctuality": "usually", "continuity": "always", "attitude": "never", "fft": "good",
        "fft_why": "STOP", "improve": "help",
    }  # fmt: skip
    with Session(db_engine) as db:
        assert db.exec(select(OptOut)).all() == []  # "STOP" in a text box was an answer
        (conversation,) = db.exec(select(Conversation)).all()
    assert conversation.channel == WEB
    assert conversation.status == "completed"


def test_a_repeated_external_id_is_applied_once(runner: Runner, db_engine: Engine) -> None:
    runner.receive(inbound(start=StartRequest("homecare_monthly")))
    page = inbound(answer=StructuredAnswer("punctuality", ("rarely",)))
    first = runner.receive(page)
    again = runner.receive(page)
    assert again.duplicate
    assert [m.text for m in again.replies] == [m.text for m in first.replies]
    with Session(db_engine) as db:
        assert len(db.exec(select(Answer)).all()) == 1


def test_a_stale_page_asks_the_current_question(runner: Runner, db_engine: Engine) -> None:
    runner.receive(inbound(start=StartRequest("homecare_monthly")))
    runner.receive(inbound(answer=StructuredAnswer("punctuality", ("always",))))
    outcome = runner.receive(inbound(answer=StructuredAnswer("punctuality", ("never",))))
    assert outcome.replies[-1].question_id == "continuity"
    assert answered(db_engine) == {"punctuality": "always"}


def test_an_answer_with_no_survey_under_way(runner: Runner) -> None:
    outcome = runner.receive(inbound(answer=StructuredAnswer("punctuality", ("always",))))
    assert [m.text for m in outcome.replies] == [NO_SURVEY_TEXT]


def test_a_free_text_disclosure_is_flagged(runner: Runner, db_engine: Engine) -> None:
    runner.receive(inbound(start=StartRequest("fft")))
    runner.receive(inbound(answer=StructuredAnswer("fft", ("poor",))))
    runner.receive(inbound(answer=StructuredAnswer("fft_why", ("my carer hits me",))))
    with Session(db_engine) as db:
        flags = db.exec(select(SafeguardingFlag)).all()
    assert len(flags) == 1


def test_starting_a_flow_by_id_closes_the_one_under_way(runner: Runner, db_engine: Engine) -> None:
    runner.receive(inbound(start=StartRequest("homecare_monthly")))
    outcome = runner.receive(inbound(start=StartRequest("fft", values={"provider": "Sunrise"})))
    assert outcome.replies[-1].question_id == "fft"
    with Session(db_engine) as db:
        statuses = sorted(c.status for c in db.exec(select(Conversation)).all())
    assert statuses == ["active", "expired"]  # closed as unfinished, as invitations do


def test_an_unknown_flow_gets_the_no_survey_reply(runner: Runner) -> None:
    outcome = runner.receive(inbound(start=StartRequest("no_such_flow")))
    assert [m.text for m in outcome.replies] == [NO_SURVEY_TEXT]
