"""The Channel protocol: what every way of reaching people (SMS, Telegram, the web form, the
terminal) tells the rest of carevoice about itself, and nothing more.

A channel is a thin adapter (DESIGN.md): it verifies and parses what arrived into an
``Inbound`` for the runner, renders the engine's messages in its own form, and sends them.
The runner, the outbox and the CLI see only this protocol, so a new channel is a new folder
under ``bot/channels/`` plus one line in the registry. Carrier details (Twilio's error codes,
Telegram's ``retry_after``) stay inside the channel and come out as a neutral ``SendResult``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from flows.events import Message

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.config.wiring import Services


class Failure(StrEnum):
    """Why a message was not delivered, in words every channel can map its carrier's codes to."""

    RETRY_LATER = "retry_later"  # busy, rate-limited, unreachable: try the same message again
    RECIPIENT_GONE = "recipient_gone"  # opted out with the carrier, blocked the bot: never again
    INVALID_ADDRESS = "invalid_address"  # no such number or chat: mark the address invalid
    REJECTED = "rejected"  # refused for another reason: give up on this message


@dataclass(frozen=True)
class SendFailure(Exception):
    """Why a carrier did not take a message, and what kind of failure that is: what a channel's
    sender raises, for the channel to turn into a ``SendResult``."""

    reason: str
    kind: Failure

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class SendResult:
    """The outcome of handing one message to a carrier."""

    external_ids: tuple[str, ...] = ()
    failure: Failure | None = None
    reason: str = ""
    retry_after: float | None = None  # seconds, when the carrier says how long to wait

    @property
    def ok(self) -> bool:
        return self.failure is None

    @classmethod
    def sent(cls, *external_ids: str) -> SendResult:
        return cls(external_ids=tuple(external_ids))

    @classmethod
    def failed(cls, failure: Failure, reason: str, retry_after: float | None = None) -> SendResult:
        return cls(failure=failure, reason=reason, retry_after=retry_after)


@dataclass(frozen=True)
class Capabilities:
    """What a channel can show; ``flows preview --channel`` and the renderers go by this."""

    buttons: bool = False  # tappable answers (Telegram keyboards, web radios)
    max_length: int | None = None  # longest single message the carrier takes
    charset: Literal["gsm7", "unicode"] = "unicode"
    per_second: float = 1.0  # the channel's own outbox lane rate
    structured_answers: bool = False  # answers arrive as values, never parsed as text
    sends: bool = True  # has an outbox lane; the terminal shows its replies on screen instead


@dataclass(frozen=True)
class OptWords:
    """A channel's opt-out and opt-in words, and whether the carrier confirms them itself (then
    our own confirmation is not sent a second time)."""

    opt_out: frozenset[str] = frozenset()
    opt_in: frozenset[str] = frozenset({"start"})
    carrier_confirms: bool = False


@dataclass(frozen=True)
class Rendered:
    """A message as the channel will send it: its text parts and any channel payload extra
    (a Telegram keyboard), for previews and golden tests."""

    parts: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)


def with_opt_out_line(message: Message, line: str) -> Message:
    """The first message of a conversation, with the channel's opt-out line after its text."""
    if not line:
        return message
    return message.model_copy(update={"text": f"{message.text}\n{line}".strip()})


@runtime_checkable
class NeedsSetup(Protocol):
    """A channel that needs settings (a carrier's credentials) before it can send."""

    def setup_problem(self) -> str | None:
        """What to set before this channel can send, or None when it can."""
        ...


class Channel(Protocol):
    """One way of reaching people."""

    @property
    def name(self) -> str:
        """Stored with every address and conversation: ``sms``, ``telegram``, ``web``…"""
        ...

    @property
    def capabilities(self) -> Capabilities: ...

    @property
    def opt_words(self) -> OptWords: ...

    def render(self, message: Message, *, unicode: bool = False) -> Rendered:
        """The message as this channel shows it."""
        ...

    def opt_out_line(self, language: str) -> str:
        """What this channel appends to the first message of a conversation (an invitation, or
        the intro of a survey someone asked for), in ``language`` where it can, or ``""``."""
        ...

    def send(self, address: str, message: Message, *, unicode: bool = False) -> SendResult:
        """Hand one message to the carrier. Never raises for a carrier's refusal: the result
        says what kind of failure it was. Called from the outbox worker's thread."""
        ...

    def router(self, services: Services) -> APIRouter | None:
        """The HTTP routes this channel adds to the service (webhooks, pages), if any."""
        ...
