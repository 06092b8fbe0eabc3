"""The channel registry and each registered channel's side of the protocol."""

from __future__ import annotations

import pytest

from bot.channels.base import Failure
from bot.channels.registry import UnknownChannel, build_registry
from bot.channels.sms.channel import SmsChannel
from bot.channels.sms.twilio import failure_for
from bot.config.settings import Settings
from flows.events import Message, OptionView


def test_channels_by_name() -> None:
    channels = build_registry(Settings())
    assert channels.names() == ("sms", "telephone")
    assert channels.get("sms").capabilities.charset == "gsm7"
    with pytest.raises(UnknownChannel, match="choose sms, telephone"):
        channels.get("fax")


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("21610", 400, Failure.RECIPIENT_GONE),
        ("21211", 400, Failure.INVALID_ADDRESS),
        ("20429", 429, Failure.RETRY_LATER),
        (None, 503, Failure.RETRY_LATER),
        ("30007", 400, Failure.REJECTED),
    ],
)
def test_twilio_refusals_in_neutral_words(code: str | None, status: int, kind: Failure) -> None:
    assert failure_for(code, status) == kind


QUESTION = Message(
    role="question",
    text="Do your care workers arrive on time? “Always” – or not",
    input="choice",
    options=(OptionView(number=1, value="always", label="Always"),),
)


def test_sms_renders_gsm_safe_text_unless_the_flow_allows_unicode() -> None:
    sms = SmsChannel(Settings())
    assert sms.render(QUESTION).parts == (
        'Do your care workers arrive on time? "Always" - or not\n1 Always',
    )
    assert "“Always”" in sms.render(QUESTION, unicode=True).parts[0]


def test_terminal_shows_the_same_words_and_sends_nothing() -> None:
    terminal = build_registry(Settings()).get("telephone")
    assert terminal.render(QUESTION).parts == (
        "Do your care workers arrive on time? “Always” – or not\n1 Always",
    )
    assert terminal.send("+447700900123", QUESTION).failure == Failure.REJECTED
