"""A running service wired to a fake Bot API, and a person whose messages arrive as Telegram
would deliver them: JSON updates with the secret token header."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from bot.app import create_app
from bot.config.settings import Settings
from storage.crypto import generate_key
from tests.fakes.live_service import LiveService
from tests.fakes.telegram_api import FakeTelegram, FakeTelegramServer

SECRET = "a-Secret_token-0123456789"
PUBLIC_URL = "https://carevoice.example.org"
_update_ids = itertools.count(1000)


def update(
    chat: int, text: str | None = None, *, update_id: int | None = None, chat_type: str = "private",
    key: str = "message", **message: Any,
) -> dict[str, Any]:  # fmt: skip
    """An update as Telegram sends it: a message from a person in a chat."""
    body: dict[str, Any] = {
        "message_id": next(_update_ids), "date": int(time.time()),
        "chat": {"id": chat, "type": chat_type, **({"first_name": "Pat"} if chat_type == "private"
                                                 else {"title": "Carers group"})},
        "from": {"id": abs(chat), "is_bot": False, "first_name": "Pat"}, **message,
    }  # fmt: skip
    if text is not None:
        body["text"] = text
    return {"update_id": update_id if update_id is not None else next(_update_ids), key: body}


def telegram_settings(engine: Engine, api_url: str, **extra: Any) -> Settings:
    return Settings(
        database_url=str(engine.url), secret_key=generate_key(), public_url=PUBLIC_URL,
        telegram_bot_token=FakeTelegram.token, telegram_secret=SECRET, telegram_api_url=api_url,
        telegram_per_second=1000, telegram_per_chat_per_second=1000, quiet_hours="", **extra,
    )  # fmt: skip


@dataclass
class TelegramWorld:
    settings: Settings
    engine: Engine
    service: LiveService
    api: FakeTelegram

    def post(self, body: Any, secret: str | None = SECRET) -> httpx.Response:
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        url = self.service.url + "/telegram/webhook"
        if isinstance(body, (dict, list)):
            return httpx.post(url, json=body, headers=headers, timeout=30)
        return httpx.post(url, content=body, headers=headers, timeout=30)

    def say(self, chat: int, text: str | None = None, **message: Any) -> list[str]:
        """Send a message; returns the texts the bot sent back to this chat in answer."""
        before = len(self.api.sent(str(chat)))
        response = self.post(update(chat, text, **message))
        assert response.status_code == 200, response.text
        return self.api.texts(str(chat))[before:]

    def last_markup(self, chat: int) -> Any:
        return self.api.sent(str(chat))[-1].get("reply_markup")


@pytest.fixture
def telegram_world(db_engine: Engine) -> Iterator[TelegramWorld]:
    fake = FakeTelegramServer().start()
    settings = telegram_settings(db_engine, fake.url)
    service = LiveService(create_app(settings, db_engine)).start()
    try:
        yield TelegramWorld(settings, db_engine, service, fake.fake)
    finally:
        service.stop()
        fake.stop()
