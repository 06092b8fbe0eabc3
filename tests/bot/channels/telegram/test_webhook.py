"""POST /telegram/webhook over real HTTP with the real PTB, replies checked at a fake Bot API."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from storage.models import Answer, Conversation, InboundMessage, OptOut, SafeguardingFlag
from tests.bot.channels.telegram.harness import TelegramWorld, update

CHAT = 5550001
# Every answer is a button's label, as a tap sends it; the free texts are typed.
TAPS = ["Always", "Usually", "Always", "Very good", "Kind and patient", "SKIP"]


def rows(world: TelegramWorld, model: type) -> list:  # type: ignore[type-arg]
    with Session(world.engine) as db:
        return list(db.exec(select(model)))


def test_a_whole_survey_by_tapping_buttons(telegram_world: TelegramWorld) -> None:
    first = telegram_world.say(CHAT, "FEEDBACK")
    assert first[0].startswith("Hello, this is the council.")
    assert first[1] == "Do your care workers arrive on time?"
    keyboard = telegram_world.last_markup(CHAT)["keyboard"]
    assert [row[0]["text"] for row in keyboard] == [
        "Always", "Usually", "Sometimes", "Rarely", "Never",
    ]  # fmt: skip
    for tap in TAPS:
        telegram_world.say(CHAT, tap)
    assert telegram_world.api.texts(str(CHAT))[-1].startswith("Thank you.")
    assert telegram_world.last_markup(CHAT) == {"remove_keyboard": True}
    answers = {a.question_id: a for a in rows(telegram_world, Answer)}
    assert answers["punctuality"].value == "always"
    assert answers["fft"].value == "very_good"
    assert answers["fft_why"].raw_text == "Kind and patient"
    assert answers["improve"].status == "skipped"
    assert {a.channel for a in answers.values()} == {"telegram"}
    assert [c.channel for c in rows(telegram_world, Conversation)] == ["telegram"]


def test_typed_numbers_still_work_and_free_text_removes_the_keyboard(
    telegram_world: TelegramWorld,
) -> None:
    telegram_world.say(CHAT, "FEEDBACK")
    for typed in ["1", "2", "3"]:
        telegram_world.say(CHAT, typed)
    assert telegram_world.say(CHAT, "1") == [
        "Please tell us why you gave that answer. (Reply SKIP to skip.)"
    ]
    assert telegram_world.last_markup(CHAT) == {"remove_keyboard": True}
    assert [a.value for a in rows(telegram_world, Answer)] == [
        "always", "usually", "sometimes", "very_good",
    ]  # fmt: skip


def test_forged_or_missing_secret_is_refused_and_changes_nothing(
    telegram_world: TelegramWorld,
) -> None:
    for secret in ["not-the-secret", None, "", "a-Secret_token-012345678"]:
        response = telegram_world.post(update(CHAT, "FEEDBACK"), secret=secret)
        assert response.status_code == 403
    assert rows(telegram_world, InboundMessage) == []
    assert telegram_world.api.sent() == []


def test_odd_but_readable_updates_never_give_500(telegram_world: TelegramWorld) -> None:
    for odd in [{"text": 5}, {"text": ["FEEDBACK"]}, {"date": 0}, {"chat": {"id": CHAT}}]:
        body = update(CHAT, "FEEDBACK")
        body["message"].update(odd)
        assert telegram_world.post(body).status_code in {200, 400}, odd  # never a 500


def test_malformed_bodies_get_400_never_500(telegram_world: TelegramWorld) -> None:
    for body in [b"not json", b"[1, 2]", {"update_id": "7"}, {"message": {}}, {"update_id": True},
                 {"update_id": -1}, {"update_id": 9, "message": "hello"},
                 {"update_id": 10, "message": {"chat": 5}}]:  # fmt: skip
        response = telegram_world.post(body)
        assert response.status_code == 400, body
    assert rows(telegram_world, InboundMessage) == []


def test_a_repeated_update_is_applied_once_and_answered_once(
    telegram_world: TelegramWorld,
) -> None:
    telegram_world.say(CHAT, "FEEDBACK")
    again = update(CHAT, "Always", update_id=77)
    assert telegram_world.post(again).json() == {"applied": "answered"}
    sent = len(telegram_world.api.sent())
    assert telegram_world.post(again).json() == {"applied": "duplicate"}
    assert len(telegram_world.api.sent()) == sent
    assert len(rows(telegram_world, Answer)) == 1
    assert [i.external_id for i in rows(telegram_world, InboundMessage)][-1] == "tg-77"


def test_pictures_stickers_voice_and_places_get_a_polite_reask(
    telegram_world: TelegramWorld,
) -> None:
    telegram_world.say(CHAT, "FEEDBACK")
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    for extra in [
        {"photo": photo},
        {"sticker": {"file_id": "s", "file_unique_id": "s", "width": 5, "height": 5,
                     "is_animated": False, "is_video": False, "type": "regular"}},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
        {"location": {"latitude": 51.5, "longitude": -0.1}},
    ]:  # fmt: skip
        replies = telegram_world.say(CHAT, None, **extra)
        assert replies[0].startswith("Sorry, I can only read text. Please reply with text or tap")
        assert replies[0].endswith("Do your care workers arrive on time?\n1 Always\n2 Usually"
                                   "\n3 Sometimes\n4 Rarely\n5 Never")  # fmt: skip
    assert rows(telegram_world, Answer) == []


def test_edited_messages_are_ignored_and_groups_get_one_line(
    telegram_world: TelegramWorld,
) -> None:
    telegram_world.say(CHAT, "FEEDBACK")
    sent = len(telegram_world.api.sent())
    edited = telegram_world.post(update(CHAT, "Never", key="edited_message", edit_date=1))
    assert edited.json() == {"applied": "ignored"}
    assert len(telegram_world.api.sent()) == sent
    group = telegram_world.say(-100200, "/start@carevoice_test_bot", chat_type="group")
    assert group == ["This survey works in a private chat: please message me directly."]
    assert telegram_world.say(-100200, "FEEDBACK", chat_type="supergroup") == []
    assert {c.channel for c in rows(telegram_world, Conversation)} == {"telegram"}
    assert len(rows(telegram_world, Conversation)) == 1  # the group started nothing


def test_stop_and_help_commands_work_as_on_sms(telegram_world: TelegramWorld) -> None:
    telegram_world.say(CHAT, "FEEDBACK")
    helped = telegram_world.say(CHAT, "/help")
    assert "arrive on time" in helped[-1]
    assert telegram_world.say(CHAT, "/stop@carevoice_test_bot")
    assert [o.active for o in rows(telegram_world, OptOut)] == [True]
    assert telegram_world.say(CHAT, "FEEDBACK") == []  # never messaged again…
    assert telegram_world.say(CHAT, "/start")[0].startswith("You will get messages from us again")
    assert [o.active for o in rows(telegram_world, OptOut)] == [False]  # …until /start


def test_a_blocked_bot_opts_the_chat_out(telegram_world: TelegramWorld) -> None:
    telegram_world.say(CHAT, "FEEDBACK")
    telegram_world.api.blocked.add(str(CHAT))
    response = telegram_world.post(update(CHAT, "Always"))
    assert response.status_code == 200
    assert [(o.active, o.keyword) for o in rows(telegram_world, OptOut)] == [(True, "telegram 403")]


def test_a_short_flood_wait_is_waited_out_for_a_reply(telegram_world: TelegramWorld) -> None:
    telegram_world.api.flooded[str(CHAT)] = (1, 1)
    replies = telegram_world.say(CHAT, "FEEDBACK")
    # The first attempt got 429 with retry_after 1; the same message went again, then the next.
    assert replies[0] == replies[1]
    assert replies[0].startswith("Hello, this is the council.")
    assert replies[2] == "Do your care workers arrive on time?"


def test_a_deep_link_from_a_chat_that_opted_out_opts_it_back_in(
    telegram_world: TelegramWorld,
) -> None:
    telegram_world.say(CHAT, "STOP")
    assert telegram_world.say(CHAT, "/start homecare_monthly")[0].startswith(
        "You will get messages from us again"
    )
    assert telegram_world.say(CHAT, "/start homecare_monthly")[-1] == (
        "Do your care workers arrive on time?"
    )


def test_nothing_logged_holds_a_chat_id_or_the_token(
    telegram_world: TelegramWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    telegram_world.api.blocked.add(str(CHAT))
    telegram_world.say(CHAT, "FEEDBACK")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "telegram reply not delivered: Telegram 403" in logged
    assert str(CHAT) not in logged
    assert telegram_world.settings.telegram_bot_token not in logged


def test_a_disclosure_is_flagged_and_signposted_as_on_sms(telegram_world: TelegramWorld) -> None:
    telegram_world.say(CHAT, "FEEDBACK")
    for tap in ["Always", "Usually", "Always", "Poor"]:
        telegram_world.say(CHAT, tap)
    replies = telegram_world.say(CHAT, "The carer hit me when I wouldn't get up")
    assert any("call 999" in reply for reply in replies)
    flags = rows(telegram_world, SafeguardingFlag)
    assert [f.categories for f in flags] == [["physical"]]


def test_one_chats_replies_keep_the_order_of_its_messages_sent_at_once(
    telegram_world: TelegramWorld,
) -> None:
    # FEEDBACK's two replies (a greeting, then the first question) are still being sent —
    # Telegram is slow to take the first — when the answer "Always" arrives on another
    # connection. Its reply (the second question) must wait for them.
    api = telegram_world.api
    api.slow_first_send[str(CHAT)] = 1.0
    api.send_arrived.clear()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(telegram_world.post, update(CHAT, "FEEDBACK"))
        assert api.send_arrived.wait(10)  # FEEDBACK is applied and its first reply is on its way
        second = pool.submit(telegram_world.post, update(CHAT, "Always"))
        assert first.result().status_code == second.result().status_code == 200
    texts = api.texts(str(CHAT))
    assert texts[0].startswith("Hello, this is the council.")
    assert texts[1:] == [
        "Do your care workers arrive on time?",
        "Do you see the same care workers most of the time?",
    ]
