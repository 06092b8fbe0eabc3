"""The web form as a ``Channel``: answers arrive as values from form fields, and every reply is
shown on the next page, so the outbox never has anything to send on this channel.

Invitations to the form go out by SMS or e-mail (``carevoice invite --channel web --by …``); those
messages belong to the channel that carries them, not to this one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Capabilities, Failure, OptWords, Rendered, SendResult
from bot.channels.text import plain_text
from flows.events import Message

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.config.wiring import Services

NAME = "web"


class WebChannel:
    name = NAME
    capabilities = Capabilities(buttons=True, structured_answers=True, per_second=50.0, sends=False)
    # A web form has no opt-out words: "stop" typed in a text box is an answer.
    opt_words = OptWords(opt_out=frozenset(), opt_in=frozenset())

    def render(self, message: Message, *, unicode: bool = False) -> Rendered:
        # The page shows the options as radios or checkboxes; the text part is for previews.
        labels = [option.label for option in message.options]
        return Rendered((plain_text(message),), {"input": message.input, "options": labels})

    def opt_out_line(self, language: str) -> str:
        return ""

    def send(self, address: str, message: Message, *, unicode: bool = False) -> SendResult:
        return SendResult.failed(
            Failure.REJECTED, "the web form shows its replies on the page; nothing is sent"
        )

    def router(self, services: Services) -> APIRouter:
        from bot.channels.web.routes import web_router

        return web_router(services)
