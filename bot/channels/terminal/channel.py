"""The terminal as a ``Channel``: surveys typed in by staff from a phone call or a paper form
(stored with channel ``telephone``, as the FFT counts responses by mode), and ``carevoice chat``.

Nothing is ever sent: the person at the keyboard reads the replies on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Capabilities, Failure, OptWords, Rendered, SendResult
from bot.channels.text import plain_text
from flows.events import Message

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.config.wiring import Services

NAME = "telephone"


class TerminalChannel:
    name = NAME
    capabilities = Capabilities(buttons=False, max_length=None, charset="unicode", sends=False)
    opt_words = OptWords()

    def render(self, message: Message, *, unicode: bool = True) -> Rendered:
        return Rendered((plain_text(message),))

    def opt_out_line(self, language: str) -> str:
        return ""

    def send(self, address: str, message: Message, *, unicode: bool = True) -> SendResult:
        return SendResult.failed(Failure.REJECTED, "the terminal channel sends nothing")

    def router(self, services: Services) -> APIRouter | None:
        return None
