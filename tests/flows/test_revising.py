"""Changing an earlier answer (a web form's back link and "Change" links): the answer is replaced,
answers off the new path (or after the first question it still needs) are void, and the survey
carries on where the new path needs an answer — or stays complete when it needs none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.engine import resume, start
from flows.events import AnswerRecorded, Ended, Message, Revised
from flows.loader import load
from flows.resumes import AnswerInput, StartContext
from flows.session import Session, Status

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
FLOW = load("pcf_consultation")
HAS_CHAIR = [
    ("status", "has_chair"), ("chair_fit", "partly"), ("repairs", "no"),
    ("updates", "partly"), ("fft", "good"), ("change", "More updates"),
]  # fmt: skip


def answered(pairs: list[tuple[str, str]]) -> Session:
    session, _ = start(FLOW, StartContext(at=T0))
    for question_id, value in pairs:
        session, _ = resume(
            FLOW, session, AnswerInput(question_id=question_id, values=(value,), at=T0)
        )
    return session


def revise(session: Session, question_id: str, *values: str) -> tuple[Session, list[object]]:
    given = AnswerInput(question_id=question_id, values=values, at=T0, revise=True)
    step = resume(FLOW, session, given)
    return step.session, list(step.events)


def test_a_change_that_keeps_the_path_leaves_a_complete_survey_complete() -> None:
    done = answered(HAS_CHAIR)
    assert done.status is Status.COMPLETED
    session, events = revise(done, "updates", "yes_fully")
    assert session.status is Status.COMPLETED
    assert session.answers["updates"] == "yes_fully"
    assert [e for e in events if isinstance(e, Revised)] == [Revised(question_ids=("updates",))]
    assert [(e.question_id, e.value) for e in events if isinstance(e, AnswerRecorded)] == [
        ("updates", "yes_fully")
    ]
    assert not [e for e in events if isinstance(e, Message | Ended)]


def test_a_change_of_branch_voids_the_answers_off_the_path_and_asks_the_new_branch() -> None:
    session, events = revise(answered(HAS_CHAIR), "status", "waiting_assessment")
    (revised,) = [e for e in events if isinstance(e, Revised)]
    # Everything after the first question the new path needs is asked again, so no answer
    # is ever counted twice.
    assert set(revised.question_ids) == {q for q, _ in HAS_CHAIR}
    assert session.status is Status.ACTIVE
    assert session.current == "wait_time"
    assert session.answers == {"status": "waiting_assessment"}
    asked = [e.question_id for e in events if isinstance(e, Message)]
    assert asked == ["wait_time"]


def test_a_change_while_under_way_that_keeps_the_path_asks_the_same_question_again() -> None:
    session = answered(HAS_CHAIR[:2])
    assert session.current == "repairs"
    after, events = revise(session, "chair_fit", "not_at_all")
    assert after.current == "repairs"
    assert after.visits == session.visits
    assert [e.question_id for e in events if isinstance(e, Message)] == ["repairs"]


def test_changing_back_to_the_first_branch_asks_from_where_it_differs() -> None:
    session, _ = revise(answered(HAS_CHAIR), "repairs", "yes")
    assert session.current == "repair_weeks"
    assert session.status is Status.ACTIVE
    session, _ = revise(session, "repairs", "no")
    assert session.current == "updates"
    assert list(session.answers) == ["status", "chair_fit", "repairs"]


def test_a_question_never_answered_an_invalid_value_or_an_ended_survey_change_nothing() -> None:
    session = answered(HAS_CHAIR[:2])
    for question_id, values in [("fft", ("good",)), ("chair_fit", ("maybe",)), ("status", ())]:
        after, events = revise(session, question_id, *values)
        assert after == session
        assert events == []
    late = AnswerInput(
        question_id="status", values=("has_chair",), at=T0 + FLOW.expiry, revise=True
    )
    assert resume(FLOW, session, late).events == []


def test_a_blank_optional_answer_is_recorded_as_skipped() -> None:
    session, events = revise(answered(HAS_CHAIR), "change")
    assert session.answers["change"] is None
    assert [e.status for e in events if isinstance(e, AnswerRecorded)] == ["skipped"]
    assert session.last_activity_at == T0 + timedelta(0)
