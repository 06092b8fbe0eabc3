"""TelegramChannel's side of the protocol: rendering, and sending what we start (invitations,
reminders) through the outbox's ``telegram`` lane."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channels.base import Failure
from bot.channels.telegram.channel import TelegramChannel
from bot.config.settings import Settings, vault_for
from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from flows.events import Message, OptionView
from storage import outbox
from storage.models import Answer, OptOut, Outbox
from tests.bot.channels.telegram.harness import TelegramWorld, telegram_settings
from tests.fakes.telegram_api import FakeTelegram, FakeTelegramServer


def test_text_is_sent_as_written_and_a_keyboard_goes_in_extra() -> None:
    channel = TelegramChannel(Settings())
    question = Message(
        role="question", text="Do they arrive “on time”?", input="yes_no",
        options=(OptionView(number=1, value="yes", label="Yes"),
                 OptionView(number=2, value="no", label="No")),
    )  # fmt: skip
    rendered = channel.render(question)
    assert rendered.parts == ("Do they arrive “on time”?",)
    assert rendered.extra["reply_markup"]["keyboard"] == [[{"text": "Yes"}], [{"text": "No"}]]
    assert channel.opt_out_line("en") == "Send /stop to opt out."


def test_without_a_token_sending_waits_rather_than_failing() -> None:
    channel = TelegramChannel(Settings(telegram_bot_token=""))
    result = channel.send("1", Message(role="info", text="x"))
    assert (result.failure, result.reason) == (
        Failure.RETRY_LATER, "set TELEGRAM_BOT_TOKEN to the token @BotFather gave you",
    )  # fmt: skip


# The channel-neutral outbox worker is being built alongside; until it lands these tests drain
# the ``telegram`` lane with a small loop over ``storage.outbox.claim_due`` that acts on the
# neutral ``SendResult`` as the issue asks (retry after ``retry_after``, opt out a blocked chat,
# mark a missing chat invalid).

CHATS = ["7001", "7002", "7003"]


@dataclass
class Lane:
    settings: Settings
    engine: Engine
    api: FakeTelegram
    channel: TelegramChannel

    def invite(self, chat: str, at: datetime) -> None:
        runner = Runner(self.engine, vault_for(self.settings), FlowCatalog.load())
        runner.start_for("telegram", chat, "homecare_monthly", at)

    def drain(self, now: datetime) -> list[Failure | None]:
        """Send what is due on the telegram lane; returns each attempt's failure (None: sent)."""
        vault, seen = vault_for(self.settings), []
        for item in outbox.claim_due(self.engine, "telegram", now, limit=100):
            address = outbox.address_of(self.engine, item.address_id)
            assert address is not None
            result = self.channel.send(vault.decrypt(address.encrypted), Message(**item.body))
            seen.append(result.failure)
            if result.ok:
                outbox.finish(self.engine, item.id, "sent", now, external_id=result.external_ids[0])
            elif result.failure is Failure.RETRY_LATER:
                wait = timedelta(seconds=result.retry_after or 30)
                outbox.finish(self.engine, item.id, "queued", now, send_after=now + wait)
            elif result.failure is Failure.RECIPIENT_GONE:
                outbox.finish(self.engine, item.id, "suppressed", now, last_error=result.reason)
                outbox.opt_out_address(self.engine, address, "telegram 403", now)
            else:
                outbox.finish(self.engine, item.id, "invalid", now, last_error=result.reason)
        return seen

    def statuses(self) -> list[str]:
        with Session(self.engine) as db:
            return [o.status for o in db.exec(select(Outbox).order_by(Outbox.id))]  # type: ignore[arg-type]


@pytest.fixture
def lane(db_engine: Engine) -> Iterator[Lane]:
    fake = FakeTelegramServer().start()
    settings = telegram_settings(db_engine, fake.url)
    channel = TelegramChannel(settings)
    try:
        yield Lane(settings, db_engine, fake.fake, channel)
    finally:
        channel.sender().close()
        fake.stop()


def test_an_invitation_goes_out_with_its_keyboard(lane: Lane) -> None:
    now = datetime.now(UTC)
    lane.invite(CHATS[0], now)
    assert lane.drain(now) == [None, None]
    intro, question = lane.api.sent(CHATS[0])
    assert intro["text"].startswith("Hello, this is the council.")
    assert "reply_markup" not in intro
    assert question["text"] == "Do your care workers arrive on time?"
    assert question["reply_markup"]["keyboard"][0] == [{"text": "Always"}]
    assert lane.statuses() == ["sent", "sent"]


def test_flood_control_waits_retry_after_then_sends(lane: Lane) -> None:
    now = datetime.now(UTC)
    lane.api.flooded[CHATS[1]] = (2, 7)  # Telegram holds back the whole chat, both messages
    lane.invite(CHATS[1], now)
    assert lane.drain(now) == [Failure.RETRY_LATER, Failure.RETRY_LATER]
    with Session(lane.engine) as db:
        waiting = list(db.exec(select(Outbox).where(Outbox.status == "queued")))
    assert [w.send_after.replace(tzinfo=UTC) for w in waiting] == [now + timedelta(seconds=7)] * 2
    assert lane.drain(now + timedelta(seconds=6)) == []  # not before Telegram said
    assert lane.drain(now + timedelta(seconds=7)) == [None, None]
    delivered = [c.params["text"] for c in lane.api.calls if c.method == "sendMessage"][-2:]
    assert delivered[0].startswith("Hello")
    assert lane.statuses() == ["sent", "sent"]


@pytest.mark.parametrize("how", ["blocked", "deactivated"])
def test_a_blocked_or_deactivated_chat_is_opted_out(lane: Lane, how: str) -> None:
    now = datetime.now(UTC)
    getattr(lane.api, how).add(CHATS[2])
    lane.invite(CHATS[2], now)
    assert lane.drain(now)[0] is Failure.RECIPIENT_GONE
    with Session(lane.engine) as db:
        assert [o.active for o in db.exec(select(OptOut))] == [True]
    assert sorted(lane.statuses()) == ["suppressed", "suppressed"]
    lane.invite(CHATS[2], now + timedelta(days=40))  # never messaged again
    assert lane.drain(now + timedelta(days=40)) == []


def test_chat_not_found_marks_the_address_invalid(lane: Lane) -> None:
    now = datetime.now(UTC)
    lane.api.unknown.add(CHATS[0])
    lane.invite(CHATS[0], now)
    assert lane.drain(now) == [Failure.INVALID_ADDRESS, Failure.INVALID_ADDRESS]
    assert lane.statuses() == ["invalid", "invalid"]


def test_invited_through_the_outbox_answered_through_the_webhook(
    telegram_world: TelegramWorld,
) -> None:
    world = telegram_world
    invited = Lane(world.settings, world.engine, world.api, TelegramChannel(world.settings))
    now = datetime.now(UTC)
    invited.invite("7100", now)
    assert invited.drain(now) == [None, None]
    for tap in ["Always", "Always", "Usually", "Poor", "Late every day", "SKIP"]:
        world.say(7100, tap)
    assert world.api.texts("7100")[-1].startswith("Thank you.")
    with Session(world.engine) as db:
        answers = {a.question_id: a.value for a in db.exec(select(Answer))}
    assert answers["fft"] == "poor"
    assert len(answers) == 6


def test_replies_telegram_holds_back_go_to_the_lane_in_order(
    telegram_world: TelegramWorld,
) -> None:
    world = telegram_world
    world.api.flooded["7200"] = (1, 40)  # longer than a webhook reply waits
    assert world.say(7200, "FEEDBACK") == [world.api.texts("7200")[0]]  # the refused attempt
    with Session(world.engine) as db:
        held = list(db.exec(select(Outbox).order_by(Outbox.id)))  # type: ignore[arg-type]
    assert [(o.status, o.last_error) for o in held] == [
        ("queued", "Telegram 429: retry after 40 s")
    ] * 2
    lane = Lane(world.settings, world.engine, world.api, TelegramChannel(world.settings))
    sent_at = held[0].send_after.replace(tzinfo=UTC)
    assert lane.drain(sent_at - timedelta(seconds=1)) == []
    assert lane.drain(sent_at) == [None, None]
    texts = world.api.texts("7200")
    assert texts[-2].startswith("Hello, this is the council.")
    assert texts[-1] == "Do your care workers arrive on time?"
