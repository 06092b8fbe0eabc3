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


class AnswerInput(_Input):
    """A structured answer to one question (a web form field, a button carrying a value).

    Never read as a command: "stop" typed in a web text box is an answer. ``values`` are option
    values (several for multiple choice), a number as text, or the free text; empty means the
    person left it blank. An answer for a question other than the current one (a stale page, a
    back button) asks the current question again, costing the person no try.

    ``revise``: a changed answer to a question already answered (a web form's back link or a
    "Change" link on its check-your-answers page), allowed also once the survey is complete.
    """

    kind: Literal["answer"] = "answer"
    question_id: str
    values: tuple[str, ...] = ()
    concerns: tuple[str, ...] = ()
    revise: bool = False

    @property
    def text(self) -> str:
        """The answer as it would have been typed, for the stored raw text and flags."""
        return ", ".join(self.values)


class TimeoutInput(_Input):
    """The caller's scheduler noticing silence: may send the reminder or expire the conversation."""

    kind: Literal["timeout"] = "timeout"


Resume = Annotated[MessageInput | AnswerInput | TimeoutInput, Field(discriminator="kind")]
