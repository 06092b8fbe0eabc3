"""Table tests: an engine message → the ``sendMessage`` parameters Telegram receives."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.telegram.keyboard import PICK_SEVERAL, REMOVE, payloads
from flows.events import Message, OptionView

OPTIONS = (
    OptionView(number=1, value="always", label="Always"),
    OptionView(number=2, value="never", label="Never"),
)
YES_NO = (
    OptionView(number=1, value="yes", label="Yes"),
    OptionView(number=2, value="no", label="No"),
)
BUTTONS = {"keyboard": [[{"text": "Always"}], [{"text": "Never"}]],
           "resize_keyboard": True, "one_time_keyboard": True}  # fmt: skip


def q(**fields: Any) -> Message:
    return Message(role="question", question_id="q", **fields)


CASES = [
    ("single choice: one button per option, labels not repeated",
     q(text="On time?", input="choice", options=OPTIONS),
     [{"text": "On time?", "reply_markup": BUTTONS}]),
    ("yes/no: two buttons",
     q(text="Safe?", input="yes_no", options=YES_NO),
     [{"text": "Safe?", "reply_markup": {"keyboard": [[{"text": "Yes"}], [{"text": "No"}]],
                                         "resize_keyboard": True, "one_time_keyboard": True}}]),
    ("a re-ask lists the numbers it asks for, and keeps the buttons",
     q(text="On time?", notice="Sorry, reply 1 to 2.", input="choice", options=OPTIONS),
     [{"text": "Sorry, reply 1 to 2.\n\nOn time?\n1 Always\n2 Never", "reply_markup": BUTTONS}]),
    ("rating: one row of numbers",
     q(text="How good?", input="rating", low=1, high=5),
     [{"text": "How good?\n(1-5)", "reply_markup": {
         "keyboard": [[{"text": str(n)} for n in range(1, 6)]],
         "resize_keyboard": True, "one_time_keyboard": True}}]),
    ("rating with labelled ends keeps its legend",
     q(text="How good?", input="rating", low=1, high=3, options=(
         OptionView(number=1, value="1", label="Poor"), OptionView(number=2, value="2", label="2"),
         OptionView(number=3, value="3", label="Great"))),
     [{"text": "How good?\n1 = Poor\n3 = Great", "reply_markup": {
         "keyboard": [[{"text": "1"}, {"text": "2"}, {"text": "3"}]],
         "resize_keyboard": True, "one_time_keyboard": True}}]),
    ("multiple choice: numbers, how to pick several, no buttons",
     q(text="Which?", input="multiple", options=OPTIONS),
     [{"text": f"Which?\n1 Always\n2 Never\n\n{PICK_SEVERAL}", "reply_markup": REMOVE}]),
    ("free text removes the keyboard",
     q(text="Tell us more.", input="text"), [{"text": "Tell us more.", "reply_markup": REMOVE}]),
    ("an intro leaves the keyboard alone",
     Message(role="intro", text="Hello."), [{"text": "Hello."}]),
    ("thanks: the survey is over, the keyboard goes",
     Message(role="thanks", text="Thank you."), [{"text": "Thank you.", "reply_markup": REMOVE}]),
]  # fmt: skip


@pytest.mark.parametrize(("message", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_message_to_send_message_payload(message: Message, expected: list[dict[str, Any]]) -> None:
    assert payloads(message) == expected


def test_a_long_message_is_split_and_the_keyboard_goes_with_the_last_part() -> None:
    text = "\n\n".join(f"Paragraph {n}. " + "word " * 150 for n in range(8))
    parts = payloads(q(text=text, input="choice", options=OPTIONS))
    assert len(parts) >= 2
    assert all(len(p["text"]) <= 4096 for p in parts)
    assert "".join(p["text"] for p in parts).replace(" ", "").replace("\n", "") == text.replace(
        " ", ""
    ).replace("\n", "")
    assert [("reply_markup" in p) for p in parts] == [False] * (len(parts) - 1) + [True]
