"""The terminal (telephone and paper surveys), table-driven: a typed line → the runner's
Inbound; an engine message → what is shown on screen."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels.registry import build_registry
from bot.channels.terminal.recorded import inbound_of
from bot.config.settings import Settings
from tests.bot.channels.cases import MESSAGES

AT = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "text"),
    [("2\n", "2"), ("  Kind staff \r\n", "  Kind staff "), ("STOP\n", "STOP"), ("\n", "")],
    ids=["answer", "spaces kept", "a command typed for the person", "blank"],
)
def test_typed_line_to_runner_input(line: str, text: str) -> None:
    inbound = inbound_of("paper-1", line, AT)
    assert (inbound.channel, inbound.address, inbound.text, inbound.received_at) == (
        "telephone", "paper-1", text, AT,
    )  # fmt: skip
    assert inbound.external_id != inbound_of("paper-1", line, AT).external_id  # each line once


SHOWN = {
    "choice with curly quotes": "Do they arrive “on time” – mostly?\n1 Always\n2 Never",
    "labelled rating": "How much?\n1 = Not at all\n3 = A lot",
    "bare rating": "Score it\n(1-5)",
    "re-ask with a notice": "Sorry, I did not understand.\n\nAre you happy?\n1 Yes\n2 No",
    "letters beyond GSM-7": "Dziękujemy, Łukasz!",
    "long free text": MESSAGES["long free text"].text,  # a screen has no length limit
}


@pytest.mark.parametrize("name", list(MESSAGES))
def test_message_to_screen(name: str) -> None:
    terminal = build_registry(Settings()).get("telephone")
    assert terminal.render(MESSAGES[name]).parts == (SHOWN[name],)
