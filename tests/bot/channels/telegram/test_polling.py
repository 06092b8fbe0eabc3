"""Long polling with the real PTB ``getUpdates`` against the fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channels.telegram.polling import poll
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.updates import Intake
from bot.config.settings import vault_for
from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage.models import Answer
from tests.bot.channels.telegram.harness import telegram_settings, update
from tests.fakes.telegram_api import FakeTelegram, FakeTelegramServer


@pytest.fixture
def polled(db_engine: Engine) -> Iterator[tuple[Intake, FakeTelegram]]:
    server = FakeTelegramServer().start()
    settings = telegram_settings(db_engine, server.url)
    vault, catalog = vault_for(settings), FlowCatalog.load()
    sender = TelegramSender(settings)
    try:
        yield Intake(Runner(db_engine, vault, catalog), vault, catalog, sender), server.fake
    finally:
        sender.close()
        server.stop()


def test_waiting_updates_are_answered_and_confirmed(
    polled: tuple[Intake, FakeTelegram], db_engine: Engine
) -> None:
    intake, api = polled
    api.webhook = {"url": "https://old.example.org/telegram/webhook"}
    pushed = [update(8001, "FEEDBACK"), update(8001, "Always")]
    pushed.append(update(8001, "Never", key="edited_message", edit_date=1))
    for one in pushed:
        api.push(one)
    summary = poll(intake, once=True)
    assert summary.kinds == {"answered": 2, "ignored": 1}
    assert api.webhook == {}  # getUpdates only works with the webhook removed
    assert api.texts("8001")[-1] == "Do you see the same care workers most of the time?"
    fetches = [c.params for c in api.calls if c.method == "getUpdates"]
    # confirmed with the next offset: Telegram forgets them
    assert int(fetches[-1]["offset"]) == pushed[-1]["update_id"] + 1
    assert api.pending == []
    assert fetches[0]["allowed_updates"] == '["message", "edited_message"]'
    with Session(db_engine) as db:
        assert [a.value for a in db.exec(select(Answer))] == ["always"]


def test_polling_goes_on_until_stopped_and_picks_up_later_messages(
    polled: tuple[Intake, FakeTelegram],
) -> None:
    intake, api = polled
    rounds: list[int] = []

    def stop_after_an_answer() -> bool:
        rounds.append(1)
        if len(rounds) == 2:  # after a first long poll that brought nothing
            api.push(update(8002, "FEEDBACK"))
        return bool(api.texts("8002")) or len(rounds) > 5

    summary = poll(intake, timeout=2, should_stop=stop_after_an_answer)
    assert summary.kinds == {"answered": 1}
    assert api.texts("8002")[-1] == "Do your care workers arrive on time?"
