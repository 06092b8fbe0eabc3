"""SMS, table-driven: Twilio's form → the runner's Inbound; an engine message → the texts sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels.sms.channel import SmsChannel
from bot.channels.sms.format import segments
from bot.channels.sms.webhook import TEXT_ONLY, inbound_of
from bot.config.settings import Settings
from bot.surveys.inbound import Inbound
from tests.bot.channels.cases import MESSAGES

AT = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
FROM = "+447700900123"
BASE = {"From": FROM, "MessageSid": "SM1", "To": "+447700900999", "NumMedia": "0"}


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"Body": "2"}, Inbound("sms", FROM, "SM1", AT, text="2")),
        ({"Body": "  usualy "}, Inbound("sms", FROM, "SM1", AT, text="  usualy ")),
        ({"Body": "Stop", "OptOutType": "STOP"}, Inbound("sms", FROM, "SM1", AT, text="STOP")),
        ({"Body": "unstop", "OptOutType": "start"}, Inbound("sms", FROM, "SM1", AT, text="START")),
        ({"Body": "help", "OptOutType": "HELP"}, Inbound("sms", FROM, "SM1", AT, text="help")),
        ({"Body": "", "NumMedia": "1"}, Inbound("sms", FROM, "SM1", AT, notice=TEXT_ONLY)),
        ({"Body": " \n "}, Inbound("sms", FROM, "SM1", AT, notice=TEXT_ONLY)),
        ({}, Inbound("sms", FROM, "SM1", AT, notice=TEXT_ONLY)),
    ],
    ids=["answer", "spaces kept", "stop", "start", "help", "picture", "blank", "no body"],
)
def test_inbound_form_to_runner_input(form: dict[str, str], expected: Inbound) -> None:
    assert inbound_of({**BASE, **form}, AT) == expected


RENDERED = {
    "choice with curly quotes": ['Do they arrive "on time" - mostly?\n1 Always\n2 Never'],
    "labelled rating": ["How much?\n1 = Not at all\n3 = A lot"],
    "bare rating": ["Score it\n(1-5)"],
    "re-ask with a notice": ["Sorry, I did not understand.\n\nAre you happy?\n1 Yes\n2 No"],
    "letters beyond GSM-7": ["Dziękujemy, Łukasz!"],
}


@pytest.mark.parametrize("name", list(MESSAGES))
def test_message_to_texts(name: str) -> None:
    parts = list(SmsChannel(Settings()).render(MESSAGES[name]).parts)
    if name == "long free text":
        assert [len(p) <= 1600 for p in parts] == [True, True]
        assert " ".join(parts) == MESSAGES[name].text  # split between sentences, nothing lost
    else:
        assert parts == RENDERED[name]


def test_letters_beyond_gsm7_are_sent_as_unicode_sms() -> None:
    (text,) = SmsChannel(Settings()).render(MESSAGES["letters beyond GSM-7"]).parts
    assert segments(text).encoding == "UCS-2"
