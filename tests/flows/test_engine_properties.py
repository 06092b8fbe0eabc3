"""Properties that must hold for any sequence of inputs, on every bundled flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.definition import Flow
from flows.engine import max_turns, resume, start
from flows.events import AnswerRecorded, Ended, Message
from flows.loader import bundled_ids, load
from flows.resumes import MessageInput, StartContext, TimeoutInput
from flows.session import Session

FLOWS = {flow_id: load(flow_id) for flow_id in bundled_ids()}
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)

# Inputs people send, weighted towards the awkward ones.
typed = st.one_of(
    st.sampled_from(
        ["1", "2", "3", "5", "9", "0", "yes", "no", "skip", "SKIP", "help", "restart", "stop ",
         "Stop.", "always", "alwys", "never mind", "1,3", "1 and 2", "👍", "👎", "", "   ",
         "don’t know", "twenty", "a lot", "not at all"]
    ),
    st.text(max_size=40),
)  # fmt: skip
gaps = st.sampled_from([timedelta(seconds=5), timedelta(hours=1), timedelta(days=3)])
step = st.one_of(
    st.tuples(st.just("message"), typed, gaps),
    st.tuples(st.just("timeout"), st.just(""), gaps),
)
languages = st.sampled_from([None, "en", "en-easy", "cy", "EN-GB"])


def run(flow: Flow, language: str | None, steps: list[tuple[str, str, timedelta]]) -> Session:
    session, events = start(flow, StartContext(at=T0, language=language))
    assert isinstance(events[0], Message)
    clock = T0
    for kind, text, gap in steps:
        clock += gap
        event = TimeoutInput(at=clock) if kind == "timeout" else MessageInput(text=text, at=clock)
        session, events = resume(flow, session, event)
        # The session always survives a JSON round trip unchanged.
        assert Session.model_validate_json(session.model_dump_json()) == session
        ended = [e for e in events if isinstance(e, Ended)]
        assert len(ended) <= 1
        if ended:
            assert not session.active
    return session


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(language=languages, steps=st.lists(step, max_size=40))
def test_engine_never_raises(flow_id: str, language: str | None, steps: list) -> None:
    run(FLOWS[flow_id], language, steps)


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
@settings(max_examples=40, deadline=None)
@given(language=languages, texts=st.lists(typed, min_size=1, max_size=20), data=st.data())
def test_every_conversation_ends_within_the_bound(
    flow_id: str, language: str | None, texts: list[str], data: st.DataObject
) -> None:
    """Whatever the person keeps sending, the conversation finishes within max_turns(flow)."""
    flow = FLOWS[flow_id]
    session, _ = start(flow, StartContext(at=T0, language=language))
    clock = T0
    for turn in range(max_turns(flow)):
        if not session.active:
            break
        clock += timedelta(seconds=30)
        text = texts[turn % len(texts)]
        session, _ = resume(flow, session, MessageInput(text=text, at=clock))
    assert not session.active, f"still active after {max_turns(flow)} messages"


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_same_inputs_give_same_events(flow_id: str) -> None:
    flow = FLOWS[flow_id]
    first = start(flow, StartContext(at=T0, values={"provider": "Acme Care"}))
    second = start(flow, StartContext(at=T0, values={"provider": "Acme Care"}))
    assert first == second
    message = MessageInput(text="1", at=T0 + timedelta(minutes=2))
    assert resume(flow, first.session, message) == resume(flow, second.session, message)


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_each_question_is_recorded_at_most_once_without_restart(flow_id: str) -> None:
    flow = FLOWS[flow_id]
    session, _ = start(flow, StartContext(at=T0))
    recorded: list[str] = []
    clock = T0
    while session.active:
        clock += timedelta(minutes=1)
        session, events = resume(flow, session, MessageInput(text="1", at=clock))
        recorded += [e.question_id for e in events if isinstance(e, AnswerRecorded)]
    assert len(recorded) == len(set(recorded))
