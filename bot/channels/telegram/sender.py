"""Calling the Bot API with python-telegram-bot's ``Bot``, from any thread.

PTB is asynchronous and its HTTP client belongs to one event loop, while our callers are the
webhook's worker threads, the outbox worker and the CLI. So one ``Bot`` lives on a private loop
in a daemon thread and callers hand it coroutines; nothing blocks the service's own event loop.
Telegram's refusals come out as ``Refused`` with the neutral kind the outbox understands; this
module and ``channel`` are the only places that know Telegram's error texts.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import warnings
from collections.abc import Callable, Coroutine
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from bot.channels.base import Failure
from bot.channels.telegram.pacing import Refused
from bot.config.settings import Settings

T = TypeVar("T")
# PTB logs every call's parameters (chat id with text) at DEBUG, and httpx every URL (which holds
# the bot token) at INFO: neither may reach our logs, whatever level the service runs at.
for _name in ("telegram.Bot", "telegram.ext", "httpx"):
    logging.getLogger(_name).setLevel(logging.WARNING)
CALL_TIMEOUT = 30.0  # seconds a caller waits for one Bot API call (long polls add their own)


def refusal(error: TelegramError) -> Refused:
    """Telegram's error in neutral words: blocked or deactivated → gone, no chat → invalid."""
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 is moving retry_after from int to timedelta
            warnings.simplefilter("ignore")
            wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return Refused(Failure.RETRY_LATER, f"Telegram 429: retry after {seconds:g} s", seconds)
    if isinstance(error, Forbidden):  # blocked by the user, user deactivated, kicked
        return Refused(Failure.RECIPIENT_GONE, f"Telegram 403: {error.message}")
    if isinstance(error, BadRequest):
        gone = "chat not found" in error.message.lower()
        kind = Failure.INVALID_ADDRESS if gone else Failure.REJECTED
        return Refused(kind, f"Telegram 400: {error.message}")
    if isinstance(error, InvalidToken):  # PTB's message repeats the token: never print that
        return Refused(Failure.RETRY_LATER, "Telegram rejected TELEGRAM_BOT_TOKEN: check it")
    if isinstance(error, NetworkError):  # timeouts, 5xx, connection refused
        return Refused(Failure.RETRY_LATER, f"cannot reach Telegram: {error.message}")
    return Refused(Failure.REJECTED, f"Telegram: {error.message}")


class TelegramSender:
    """One ``Bot`` on its own event loop, made on first use."""

    def __init__(self, settings: Settings) -> None:
        if not settings.telegram_bot_token:
            raise ValueError("set TELEGRAM_BOT_TOKEN to the token @BotFather gave you")
        root = settings.telegram_api_url.rstrip("/")
        self.bot = Bot(
            settings.telegram_bot_token,
            base_url=f"{root}/bot",
            base_file_url=f"{root}/file/bot",
            request=HTTPXRequest(connect_timeout=10, read_timeout=20),
            get_updates_request=HTTPXRequest(connect_timeout=10, read_timeout=70),
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="telegram-bot", daemon=True
        )
        self._thread.start()
        self._ready = False

    def call(
        self, use: Callable[[Bot], Coroutine[Any, Any, T]], timeout: float = CALL_TIMEOUT
    ) -> T:
        """Run ``use(bot)`` on the Bot's loop and wait for it; Telegram errors are ``Refused``."""

        async def run() -> T:
            if not self._ready:
                await self.bot.initialize()  # getMe: checks the token, learns the username
                self._ready = True
            return await use(self.bot)

        future = asyncio.run_coroutine_threadsafe(run(), self._loop)
        try:
            return future.result(timeout)
        except TelegramError as error:
            raise refusal(error) from None
        except FutureTimeout:
            future.cancel()
            raise Refused(Failure.RETRY_LATER, "Telegram did not answer in time") from None

    def send(self, chat_id: str, payload: dict[str, Any]) -> str:
        """``sendMessage`` with ``payload`` (text, reply_markup); returns Telegram's message id."""
        text, markup = payload["text"], payload.get("reply_markup")
        extra = {"reply_markup": markup} if markup else None

        async def send(bot: Bot) -> str:
            sent = await bot.send_message(chat_id=chat_id, text=text, api_kwargs=extra)
            return str(sent.message_id)

        return self.call(send)

    def username(self) -> str:
        return self.call(_username)

    def close(self) -> None:
        async def shut() -> None:
            if self._ready:
                await self.bot.shutdown()

        asyncio.run_coroutine_threadsafe(shut(), self._loop).result(CALL_TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=CALL_TIMEOUT)


async def _username(bot: Bot) -> str:
    return bot.username
