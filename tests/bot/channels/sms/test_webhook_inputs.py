"""Bad input at the SMS edge: cleaned or refused with a 400, never a 500, on either database."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from storage.models import Answer, InboundMessage
from tests.bot.channels.sms.harness import SmsWorld, messages

PHONE = "+447700900123"


def answer_free_text(world: SmsWorld, text: str) -> str:
    world.text(PHONE, "FEEDBACK")
    for answer in ["1", "1", "1", "1"]:
        world.text(PHONE, answer)
    response = world.text(PHONE, text)
    assert response.status_code == 200, response.text
    with Session(world.engine) as db:
        stored = db.exec(select(Answer).where(Answer.question_id == "fft_why")).one()
    assert isinstance(stored.raw_text, str)
    return stored.raw_text


def test_nul_and_control_characters_are_removed_from_a_free_text_answer(
    sms_world: SmsWorld,
) -> None:
    stored = answer_free_text(sms_world, "Kind\x00 carers\x1b[31m,\r\nalways\tlate\x7f")
    assert stored == "Kind carers[31m,\nalways\tlate"


def test_nul_in_message_sid_is_400_and_nothing_stored(sms_world: SmsWorld) -> None:
    response = sms_world.text(PHONE, "FEEDBACK", sid="SM\x00abc")
    assert response.status_code == 400
    assert "MessageSid" in response.json()["error"]
    with Session(sms_world.engine) as db:
        assert list(db.exec(select(InboundMessage))) == []


@pytest.mark.parametrize("length", [65, 121, 5000])
def test_overlong_message_sid_is_400(sms_world: SmsWorld, length: int) -> None:
    response = sms_world.text(PHONE, "FEEDBACK", sid="S" * length)
    assert response.status_code == 400
    assert "1 to 64" in response.json()["error"]


def test_a_64_character_id_of_another_carrier_is_accepted(sms_world: SmsWorld) -> None:
    response = sms_world.text(PHONE, "FEEDBACK", sid="msg_" + "a1-" * 20)
    assert response.status_code == 200
    assert messages(response.text)


def test_nul_in_the_sender_is_removed_and_an_overlong_sender_refused(
    sms_world: SmsWorld,
) -> None:
    assert sms_world.text("+4477009\x00001", "FEEDBACK").status_code == 200
    assert sms_world.text("+44" + "7" * 80, "FEEDBACK").status_code == 400


def test_overlong_body_is_400(sms_world: SmsWorld) -> None:
    response = sms_world.text(PHONE, "x" * 10_001)
    assert response.status_code == 400
    assert "Body is longer than 10000 characters" in response.json()["error"]


@pytest.mark.parametrize(
    "form",
    [
        {"MessageSid": "SM\x00x", "MessageStatus": "delivered"},
        {"MessageSid": "SMok", "MessageStatus": "deliv\x00ered"},
        {"MessageSid": "SMok", "MessageStatus": "failed", "ErrorCode": "216\x0010"},
        {"MessageSid": "S" * 130, "MessageStatus": "delivered"},
    ],
)
def test_bad_status_callback_fields_are_400(sms_world: SmsWorld, form: dict[str, str]) -> None:
    response = sms_world.post("/sms/twilio/status", form)
    assert response.status_code == 400
    assert "must be 1 to 64" in response.json()["error"]


def test_an_unknown_but_valid_status_callback_is_204(sms_world: SmsWorld) -> None:
    form = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered", "ErrorCode": "30003"}
    assert sms_world.post("/sms/twilio/status", form).status_code == 204
