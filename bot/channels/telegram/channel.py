"""Telegram as a ``Channel``: what the registry, the outbox and previews need to know.

Telegram's own refusals (429 with ``retry_after``, 403 blocked, 400 chat not found) become neutral
``Failure`` kinds here; Telegram does not confirm STOP itself, so ours is always sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Capabilities, Failure, OptWords, Rendered, SendResult
from bot.channels.telegram.keyboard import TELEGRAM_MAX, payloads
from bot.channels.telegram.pacing import Pacer, Refused
from bot.config.settings import Settings
from flows import builtins
from flows.events import Message

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.channels.telegram.sender import TelegramSender
    from bot.channels.telegram.updates import Intake
    from bot.config.wiring import Services

NAME = "telegram"
OPT_OUT = frozenset(word for words in builtins.DEFAULT_COMMANDS["stop"].values() for word in words)
OPT_OUT_LINES = {
    "en": "Send /stop to opt out.",
    "en-easy": "Send /stop if you want no more messages.",
}


class TelegramChannel:
    name = NAME

    def __init__(self, settings: Settings, sender: TelegramSender | None = None) -> None:
        self.settings = settings
        self._sender = sender
        self.capabilities = Capabilities(
            buttons=True, max_length=TELEGRAM_MAX, charset="unicode",
            per_second=settings.telegram_per_second,
        )  # fmt: skip
        self.opt_words = OptWords(OPT_OUT, frozenset({"start"}), carrier_confirms=False)
        # The outbox lane sets the bot-wide rate; this keeps each chat to Telegram's 1 a second.
        self.pacer = Pacer(settings.telegram_per_second, settings.telegram_per_chat_per_second)

    def render(self, message: Message, *, unicode: bool = True) -> Rendered:
        parts = payloads(message)
        markup = parts[-1].get("reply_markup")
        extra = {"reply_markup": markup} if markup else {}
        return Rendered(tuple(part["text"] for part in parts), extra)

    def opt_out_line(self, language: str) -> str:
        return OPT_OUT_LINES.get(language, OPT_OUT_LINES["en"])

    def sender(self) -> TelegramSender:
        """The Bot, made on first use: the service runs (and previews work) without a token."""
        if self._sender is None:
            from bot.channels.telegram.sender import TelegramSender

            self._sender = TelegramSender(self.settings)
        return self._sender

    def setup_problem(self) -> str | None:
        """What the worker must be told before this lane can send (no token: it says so)."""
        if not self.settings.telegram_bot_token:
            return "set TELEGRAM_BOT_TOKEN to send Telegram messages"
        return None

    def send(self, address: str, message: Message, *, unicode: bool = True) -> SendResult:
        try:
            sender = self.sender()
            ids = []
            for payload in payloads(message):
                self.pacer.wait(address)
                ids.append(sender.send(address, payload))
        except Refused as refused:
            return SendResult.failed(refused.kind, refused.reason, refused.retry_after)
        except ValueError as error:  # no token yet: keep the message until there is one
            return SendResult.failed(Failure.RETRY_LATER, str(error))
        return SendResult.sent(*ids)

    def intake(self, services: Services) -> Intake:
        """What the webhook and long polling hand each update to."""
        from bot.channels.telegram.updates import Intake

        return Intake(services.runner, services.vault, services.catalog, self.sender())

    def router(self, services: Services) -> APIRouter:
        from bot.channels.telegram.webhook import telegram_router

        return telegram_router(services, self)
