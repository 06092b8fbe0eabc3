"""What a channel hands the runner: one ``Inbound`` value per thing that arrived.

Exactly one of ``text``, ``answer``, ``notice`` or ``start`` says what it is:
- ``text``: a message typed by the person (SMS, Telegram, terminal) — read for commands
  (STOP, HELP…) and then as an answer;
- ``answer``: a structured answer (a web form field, a button with a value) for one question —
  never read as a command, so "stop" typed in a web text box is an answer;
- ``notice``: something that could not be read as text (a picture, a sticker): the current
  question is asked again with this notice;
- ``start``: begin this flow now (a public web link, a Telegram deep link).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class StructuredAnswer:
    """The value(s) given for one question: option values, a number, or free text."""

    question_id: str
    values: tuple[str, ...]
    revise: bool = False  # a changed earlier answer (back link, "Change" on check your answers)


@dataclass(frozen=True)
class StartRequest:
    """Begin ``flow_id`` (closing any conversation under way), with placeholder values."""

    flow_id: str
    values: dict[str, str] = field(default_factory=dict)
    language: str | None = None
    provider_id: int | None = None
    contact_id: int | None = None


@dataclass(frozen=True)
class Inbound:
    channel: str
    address: str  # in clear only here: the runner stores it encrypted and looks it up by hash
    external_id: str  # the carrier's id (MessageSid, update_id…): the same id is applied once
    received_at: datetime
    text: str | None = None
    answer: StructuredAnswer | None = None
    notice: str | None = None
    start: StartRequest | None = None

    def __post_init__(self) -> None:
        given = [x for x in (self.text, self.answer, self.notice, self.start) if x is not None]
        if len(given) != 1:
            raise ValueError("an Inbound carries exactly one of text, answer, notice or start")
