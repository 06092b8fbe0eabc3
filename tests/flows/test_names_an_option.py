"""Whether a message is, word for word, one of the current question's options: the runner tells
the safeguarding model so, because a word or two out of context ("usually", "pain") is noise to
it, while an answer that says more is read as any message."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.engine import names_an_option, resume, start
from flows.loader import load
from flows.resumes import MessageInput, StartContext

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
FLOW = load("homecare_monthly")


def test_an_option_word_for_word_is_an_answer() -> None:
    session, _ = start(FLOW, StartContext(at=T0, values={"provider": "Sunrise Care"}))
    assert session.current is not None
    assert names_an_option(FLOW, session, "Usually")
    assert names_an_option(FLOW, session, "  usually. ")
    assert not names_an_option(FLOW, session, "usually, when she shouts at me")
    assert not names_an_option(FLOW, session, "usualy")  # a typo is understood, not exact
    assert not names_an_option(FLOW, session, "")


def test_no_question_waiting_means_no_option() -> None:
    session, _ = start(FLOW, StartContext(at=T0, values={"provider": "Sunrise Care"}))
    stopped, _ = resume(FLOW, session, MessageInput(text="STOP", at=T0))
    assert not names_an_option(FLOW, stopped, "Usually")
