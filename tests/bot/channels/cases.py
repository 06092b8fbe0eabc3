"""Shared table cases for every channel's tests: engine messages to render, one per layout a
channel must handle (courier's shared harness, one table per channel)."""

from __future__ import annotations

from flows.events import Message, OptionView


def options(*labels: str) -> tuple[OptionView, ...]:
    return tuple(
        OptionView(number=n, value=label.lower(), label=label)
        for n, label in enumerate(labels, start=1)
    )


MESSAGES: dict[str, Message] = {
    "choice with curly quotes": Message(
        role="question", question_id="q", input="choice",
        text="Do they arrive “on time” – mostly?", options=options("Always", "Never"),
    ),
    "labelled rating": Message(
        role="question", question_id="q", input="rating", low=1, high=3, text="How much?",
        options=(
            OptionView(number=1, value="1", label="Not at all"),
            OptionView(number=2, value="2", label="2"),
            OptionView(number=3, value="3", label="A lot"),
        ),
    ),
    "bare rating": Message(
        role="question", question_id="q", input="rating", low=1, high=5, text="Score it",
        options=tuple(OptionView(number=n, value=str(n), label=str(n)) for n in range(1, 6)),
    ),
    "re-ask with a notice": Message(
        role="reask", question_id="q", input="yes_no", notice="Sorry, I did not understand.",
        text="Are you happy?", options=options("Yes", "No"),
    ),
    "letters beyond GSM-7": Message(role="thanks", text="Dziękujemy, Łukasz!"),
    "long free text": Message(
        role="question", question_id="why", input="text",
        text=("Tell us more about your care. " * 60).strip(),
    ),
}  # fmt: skip
