"""What can start or move a conversation on.

Each input carries its own time: the engine reads no clock.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    at: AwareDatetime


class StartContext(_Input):
    """How a conversation begins: when, in which language, and the values for placeholders."""

    kind: Literal["start"] = "start"
    language: str | None = None
    values: dict[str, str] = Field(default_factory=dict)


class MessageInput(_Input):
    """A message from the person.

    ``concerns`` are safeguarding categories the caller's text analysis found in this message;
    the engine stays pure by receiving them rather than detecting them.
    """

    kind: Literal["message"] = "message"
    text: str
    concerns: tuple[str, ...] = ()


class TimeoutInput(_Input):
    """The caller's scheduler noticing silence: may send the reminder or expire the conversation."""

    kind: Literal["timeout"] = "timeout"


Resume = Annotated[MessageInput | TimeoutInput, Field(discriminator="kind")]
