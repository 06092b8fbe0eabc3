"""Structured answers (web form fields, buttons with values): checked against the question,
never read as commands; a stale page asks the current question again at no cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows.engine import resume, start
from flows.events import AnswerRecorded, Message, OptedOut, QuestionReasked
from flows.loader import load
from flows.resumes import AnswerInput, MessageInput, StartContext
from flows.session import Session

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
FLOW = load("homecare_monthly")


def begun() -> Session:
    session, _ = start(FLOW, StartContext(at=T0, values={"provider": "Sunrise Care"}))
    return session


def answer(session: Session, question: str, *values: str) -> tuple[Session, list[object]]:
    return resume(FLOW, session, AnswerInput(question_id=question, values=values, at=T0))


def at_question(question_id: str) -> Session:
    """A session waiting at ``question_id``, reached by answering 1 to everything before it."""
    session = begun()
    while session.current != question_id:
        assert session.current is not None
        session, _ = resume(FLOW, session, MessageInput(text="1", at=T0))
    return session


def recorded(events: list[object]) -> list[AnswerRecorded]:
    return [e for e in events if isinstance(e, AnswerRecorded)]


def test_an_option_value_is_recorded_and_the_flow_moves_on() -> None:
    session, events = answer(begun(), "punctuality", "usually")
    assert [(a.question_id, a.value, a.status) for a in recorded(events)] == [
        ("punctuality", "usually", "answered")
    ]
    assert session.current == "continuity"


@pytest.mark.parametrize("values", [("sometimes-ish",), ("2",), ("Usually",), ("always", "never")])
def test_a_value_that_is_not_an_option_is_asked_again(values: tuple[str, ...]) -> None:
    session, events = answer(begun(), "punctuality", *values)
    assert recorded(events) == []
    assert session.current == "punctuality"
    assert [e.reason for e in events if isinstance(e, QuestionReasked)] == ["not_understood"]
    assert session.attempts == 1


def test_stop_typed_in_a_text_box_is_an_answer_not_an_opt_out() -> None:
    session, events = answer(at_question("fft_why"), "fft_why", "stop")
    assert not any(isinstance(e, OptedOut) for e in events)
    assert [(a.question_id, a.value) for a in recorded(events)] == [("fft_why", "stop")]
    assert session.active


def test_help_typed_in_a_text_box_is_an_answer() -> None:
    _, events = answer(at_question("fft_why"), "fft_why", "HELP")
    assert [(a.question_id, a.value) for a in recorded(events)] == [("fft_why", "HELP")]


def test_an_answer_for_another_question_asks_the_current_one_at_no_cost() -> None:
    session = at_question("attitude")
    session, events = answer(session, "punctuality", "never")
    assert recorded(events) == []
    assert session.current == "attitude"
    assert session.attempts == 0
    asked = [e for e in events if isinstance(e, Message)]
    assert len(asked) == 1
    assert asked[0].question_id == "attitude"
    assert [e.reason for e in events if isinstance(e, QuestionReasked)] == ["stale"]


def test_a_blank_optional_question_is_skipped_and_a_required_one_refused() -> None:
    skipped, events = answer(at_question("improve"), "improve", "")
    assert [(a.question_id, a.status) for a in recorded(events)] == [("improve", "skipped")]
    assert not skipped.active
    refused, events = answer(begun(), "punctuality", " ")
    assert recorded(events) == []
    assert refused.current == "punctuality"


def test_a_rating_takes_a_number_in_range_only() -> None:
    flow = load("day_service_outcomes")
    session, _ = start(flow, StartContext(at=T0))
    question = flow.question(session.current or "")
    low, high = question.min, question.max  # type: ignore[union-attr]
    for bad in (str(low - 1), str(high + 1), "three", "2.5"):
        again, _ = resume(flow, session, AnswerInput(question_id=question.id, values=(bad,), at=T0))
        assert again.current == question.id
        assert again.attempts == 1
    moved, events = resume(
        flow, session, AnswerInput(question_id=question.id, values=(str(high),), at=T0)
    )
    assert [a.value for a in recorded(events)] == [high]
    assert moved.current != question.id


def test_a_late_structured_answer_with_a_concern_is_still_flagged() -> None:
    late = T0 + FLOW.expiry + timedelta(minutes=1)
    given = AnswerInput(
        question_id="fft_why", values=("he hits me",), at=late, concerns=("physical",)
    )
    session, events = resume(FLOW, at_question("fft_why"), given)
    assert not session.active
    assert any(getattr(e, "kind", "") == "flagged" for e in events)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("stuck_home", "missed_school"), ["missed_school", "stuck_home"]),  # the flow's order
        (("pain",), ["pain"]),
        (("pain", "pain"), ["pain"]),  # a repeated value (a doubled form field) counts once
        (("pain", "teeth"), None),
    ],
)
def test_multiple_choice_values(values: tuple[str, ...], expected: list[str] | None) -> None:
    from flows.understanding import understand_values

    question = load("pcf_consultation").question("wait_impact")
    assert understand_values(question, values) == expected
