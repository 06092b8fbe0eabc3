"""What the engine emits. The caller performs every effect: sending, storing, alerting."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from flows.session import AnswerValue

InputKind = Literal["choice", "multiple", "yes_no", "rating", "number", "text", "none"]
MessageRole = Literal[
    "intro", "question", "info", "reask", "help", "reminder", "thanks", "safeguarding",
    "opted_out", "expired", "opted_in", "no_survey",
]  # fmt: skip


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OptionView(_Event):
    """An option as a channel shows it: the number to reply with, the value, the label."""

    number: int
    value: str
    label: str


class Message(_Event):
    """Text to send. ``notice`` (a re-ask hint, reminder…) comes before ``text``; channels render
    ``options`` as numbered replies, buttons or radio buttons."""

    kind: Literal["message"] = "message"
    role: MessageRole
    text: str
    notice: str | None = None
    question_id: str | None = None
    input: InputKind = "none"
    options: tuple[OptionView, ...] = ()
    optional: bool = False
    low: int | None = None
    high: int | None = None


class AnswerRecorded(_Event):
    """One question's outcome. ``status`` tells an answer from a SKIP or a give-up."""

    kind: Literal["answer"] = "answer"
    question_id: str
    question_type: str
    status: Literal["answered", "skipped", "unanswered"]
    value: AnswerValue
    raw_text: str | None
    indicator: str | None = None
    polarity: Literal["positive", "negative", "neutral"] | None = None
    purpose: str | None = None


class QuestionReasked(_Event):
    kind: Literal["reask"] = "reask"
    question_id: str
    reason: Literal["not_understood", "help", "reminder", "skip_refused", "stale"]
    attempt: int


class Flagged(_Event):
    """Something needs a person to look at it, e.g. a possible safeguarding disclosure."""

    kind: Literal["flagged"] = "flagged"
    question_id: str | None
    reasons: tuple[str, ...]
    source: Literal["option", "text"]
    raw_text: str | None


class OptedOut(_Event):
    kind: Literal["opted_out"] = "opted_out"
    keyword: str


class Restarted(_Event):
    """The person asked to start again: answers recorded so far in this conversation are void."""

    kind: Literal["restarted"] = "restarted"


class Revised(_Event):
    """A person changed an earlier answer: what was recorded for these questions is void (the
    changed one, and any the new answer takes off the person's path)."""

    kind: Literal["revised"] = "revised"
    question_ids: tuple[str, ...]


class Expired(_Event):
    kind: Literal["expired"] = "expired"


class Ended(_Event):
    kind: Literal["ended"] = "ended"
    reason: Literal["completed", "opted_out", "expired", "loop_limit"]


Event = Annotated[
    Message
    | AnswerRecorded
    | QuestionReasked
    | Flagged
    | OptedOut
    | Restarted
    | Revised
    | Expired
    | Ended,
    Field(discriminator="kind"),
]
