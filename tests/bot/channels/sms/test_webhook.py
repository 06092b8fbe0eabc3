"""POST /sms/twilio and /sms/twilio/status over real HTTP, signed exactly as Twilio signs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels.sms.format import render, split_long
from bot.channels.sms.webhook import twiml
from bot.surveys.runner import Outcome
from flows.events import Message
from storage.models import Answer, InboundMessage, OptOut, Outbox
from tests.bot.channels.sms.harness import PUBLIC_URL, SmsWorld, messages

PHONE = "+447700900123"


def count(world: SmsWorld, model: type) -> int:
    with Session(world.engine) as db:
        return len(list(db.exec(select(model))))


def test_good_signature_starts_a_survey(sms_world: SmsWorld) -> None:
    response = sms_world.text(PHONE, "FEEDBACK")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    texts = messages(response.text)
    assert texts[0].endswith("Reply STOP to opt out.")
    options = "1 Always|2 Usually|3 Sometimes|4 Rarely|5 Never".replace("|", "\n")
    assert texts[1] == "Do your care workers arrive on time?\n" + options


def test_forged_signature_is_refused_and_nothing_stored(sms_world: SmsWorld) -> None:
    response = sms_world.post(
        "/sms/twilio",
        {"From": PHONE, "Body": "FEEDBACK", "MessageSid": "SM1"},
        signature="bm90IGEgc2lnbmF0dXJl",
    )
    assert response.status_code == 403
    assert count(sms_world, InboundMessage) == 0


def test_missing_signature_is_refused(sms_world: SmsWorld) -> None:
    response = sms_world.post(
        "/sms/twilio", {"From": PHONE, "Body": "hi", "MessageSid": "SM2"}, signature=None
    )
    assert response.status_code == 403


def test_signature_for_another_url_is_refused(sms_world: SmsWorld) -> None:
    form = {"From": PHONE, "Body": "FEEDBACK", "MessageSid": "SM3"}
    response = sms_world.post("/sms/twilio", form, url=sms_world.service.url + "/sms/twilio")
    assert response.status_code == 403  # signed for the loopback URL, not the public one


def test_tampered_body_is_refused(sms_world: SmsWorld) -> None:
    from twilio.request_validator import RequestValidator

    form = {"From": PHONE, "Body": "1", "MessageSid": "SM4"}
    signature = RequestValidator(sms_world.settings.twilio_auth_token).compute_signature(
        PUBLIC_URL + "/sms/twilio", form
    )
    response = sms_world.post("/sms/twilio", {**form, "Body": "5"}, signature=signature)
    assert response.status_code == 403


def test_malformed_request_is_400_not_500(sms_world: SmsWorld) -> None:
    response = sms_world.post("/sms/twilio", {"Body": "hello"})
    assert response.status_code == 400
    assert "From" in response.json()["error"]


def test_replayed_message_sid_changes_nothing(sms_world: SmsWorld) -> None:
    sms_world.text(PHONE, "FEEDBACK")
    first = sms_world.text(PHONE, "2", sid="SMreplay")
    again = sms_world.text(PHONE, "2", sid="SMreplay")
    assert messages(again.text) == messages(first.text)
    assert count(sms_world, Answer) == 1


def test_stop_mid_survey_sends_no_second_confirmation(sms_world: SmsWorld) -> None:
    sms_world.text(PHONE, "FEEDBACK")
    sms_world.text(PHONE, "1")
    response = sms_world.text(PHONE, "STOP", OptOutType="STOP")
    assert messages(response.text) == []  # Twilio has already confirmed
    assert messages(sms_world.text(PHONE, "2").text) == []
    with Session(sms_world.engine) as db:
        assert db.exec(select(OptOut)).one().active


def test_custom_opt_out_word_flagged_by_twilio(sms_world: SmsWorld) -> None:
    sms_world.text(PHONE, "FEEDBACK")
    sms_world.text(PHONE, "no more texts please", OptOutType="STOP")
    with Session(sms_world.engine) as db:
        assert db.exec(select(OptOut)).one().active


def test_start_after_stop(sms_world: SmsWorld) -> None:
    sms_world.text(PHONE, "STOP", OptOutType="STOP")
    assert messages(sms_world.text(PHONE, "START", OptOutType="START").text) == []
    texts = messages(sms_world.text(PHONE, "FEEDBACK").text)
    assert texts[1].startswith("Do your care workers arrive on time?")


def test_help_explains_and_reasks(sms_world: SmsWorld) -> None:
    sms_world.text(PHONE, "FEEDBACK")
    (text,) = messages(sms_world.text(PHONE, "HELP").text)
    assert text.startswith("On time means within half an hour")
    assert "1 Always" in text


def test_gibberish_and_emoji_are_reasked(sms_world: SmsWorld) -> None:
    sms_world.text(PHONE, "FEEDBACK")
    (text,) = messages(sms_world.text(PHONE, "asdfgh").text)
    assert text.startswith("Sorry, I didn't understand. Please reply with a number from 1 to 5.")
    (text,) = messages(sms_world.text(PHONE, "🙂").text)
    assert text.startswith("Never mind, let's move on.")


def test_picture_message_gets_a_polite_text_only_reask(sms_world: SmsWorld) -> None:
    sms_world.text(PHONE, "FEEDBACK")
    (text,) = messages(
        sms_world.text(PHONE, "", NumMedia="1", MediaUrl0="https://example.org/a.jpg").text
    )
    assert text.startswith("Sorry, we can only read text.")
    assert text.endswith("5 Never")
    assert count(sms_world, Answer) == 0


def test_very_long_and_non_gsm_free_text_is_stored_whole(sms_world: SmsWorld) -> None:
    sms_world.text(PHONE, "FEEDBACK")
    for answer in ["1", "1", "1", "1"]:
        sms_world.text(PHONE, answer)
    long_text = "Ŵyr — “Siân” is lovely 😊. " * 80
    response = sms_world.text(PHONE, long_text)
    assert response.status_code == 200
    with Session(sms_world.engine) as db:
        stored = db.exec(select(Answer).where(Answer.question_id == "fft_why")).one()
    assert stored.raw_text == long_text.strip()


def test_replies_are_gsm_safe(sms_world: SmsWorld) -> None:
    (_, question) = messages(sms_world.text(PHONE, "FEEDBACK").text)
    assert all(ord(c) < 0x2000 for c in question)


def test_status_callback_updates_the_outbox(sms_world: SmsWorld) -> None:
    from datetime import UTC, datetime

    from storage.db import transaction
    from storage.models import Address

    with transaction(sms_world.engine) as db:
        address = Address(
            channel="sms", address_hash="h" * 64, encrypted=b"x", created_at=datetime.now(UTC)
        )
        db.add(address)
        db.flush()
        db.add(
            Outbox(
                channel="sms",
                address_id=address.id or 0,
                kind="invitation",
                body={},
                status="sent",
                send_after=datetime.now(UTC),
                created_at=datetime.now(UTC),
                external_id="SMdelivered",
            )
        )
    response = sms_world.post(
        "/sms/twilio/status", {"MessageSid": "SMdelivered", "MessageStatus": "delivered"}
    )
    assert response.status_code == 204
    with Session(sms_world.engine) as db:
        assert db.exec(select(Outbox)).one().status == "delivered"
    forged = sms_world.post(
        "/sms/twilio/status",
        {"MessageSid": "SMdelivered", "MessageStatus": "failed"},
        signature=None,
    )
    assert forged.status_code == 403


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(st.characters(blacklist_categories=["Cs", "Cc"])), max_size=3))
def test_twiml_is_what_twilios_own_messaging_response_writes(texts: list[str]) -> None:
    replies = [Message(role="question", text=t) for t in texts]
    expected = MessagingResponse()
    for reply in replies:
        for part in split_long(render(reply)):
            expected.message(part)
    assert twiml(Outcome(replies)) == str(expected)


def test_twiml_leaves_out_what_the_carrier_already_confirmed() -> None:
    replies = [Message(role="opted_out", text="You are unsubscribed.")]
    assert twiml(Outcome(replies)) == str(MessagingResponse())
