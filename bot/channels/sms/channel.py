"""SMS as a ``Channel``: what the registry, the outbox and previews need to know about texts.

Twilio's details stay in this folder: ``twilio`` turns its error codes and statuses into neutral
``Failure`` kinds and outbox statuses. Twilio itself confirms STOP and START (Advanced
Opt-Out), so ours are not sent twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Capabilities, Failure, OptWords, Rendered, SendFailure, SendResult
from bot.channels.sms.format import TWILIO_MAX, render, split_long
from bot.config.settings import Settings
from flows import builtins
from flows.events import Message

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.channels.sms.sender import Sender
    from bot.config.wiring import Services

NAME = "sms"
# Twilio's default opt-out and opt-in keywords. YES only counts from someone who has opted out.
TWILIO_OPT_OUT = frozenset(
    word for words in builtins.DEFAULT_COMMANDS["stop"].values() for word in words
)
TWILIO_OPT_IN = frozenset({"start", "unstop", "yes"})
OPT_OUT_LINES = {"en": "Reply STOP to opt out.", "en-easy": "Text STOP if you want no more texts."}


class SmsChannel:
    name = NAME

    def __init__(self, settings: Settings, sender: Sender | None = None) -> None:
        self.settings = settings
        self._sender = sender
        self.capabilities = Capabilities(
            buttons=False, max_length=TWILIO_MAX, charset="gsm7", per_second=settings.sms_per_second
        )
        self.opt_words = OptWords(TWILIO_OPT_OUT, TWILIO_OPT_IN, carrier_confirms=True)

    def render(self, message: Message, *, unicode: bool = False) -> Rendered:
        return Rendered(tuple(split_long(render(message, unicode=unicode))))

    def opt_out_line(self, language: str) -> str:
        return OPT_OUT_LINES.get(language, OPT_OUT_LINES["en"])

    def sender(self) -> Sender:
        """Twilio's client, made on first use: the service can run without Twilio settings."""
        if self._sender is None:
            # Imported here: Twilio's REST client (with requests) is only for processes that send.
            from bot.channels.sms.sender import TwilioSender

            self._sender = TwilioSender(self.settings)
        return self._sender

    def setup_problem(self) -> str | None:
        try:
            self.sender()
        except ValueError as error:
            return str(error)
        return None

    def send(self, address: str, message: Message, *, unicode: bool = False) -> SendResult:
        try:
            sender = self.sender()
            ids = [
                sender.send(address, part) for part in self.render(message, unicode=unicode).parts
            ]
        except SendFailure as failure:
            return SendResult.failed(failure.kind, str(failure))
        except ValueError as error:  # Twilio is not configured
            return SendResult.failed(Failure.RETRY_LATER, str(error))
        return SendResult.sent(*ids)

    def router(self, services: Services) -> APIRouter:
        from bot.channels.sms.webhook import sms_router

        return sms_router(services.settings, services.runner, services.engine)
