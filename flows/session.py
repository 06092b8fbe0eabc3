"""The state of one conversation, serialisable to JSON and back without loss."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# str | int | list[str] | None — what one question's answer can be (also used by conditions).
AnswerValue = str | int | float | bool | list[str] | None


class Status(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    OPTED_OUT = "opted_out"
    EXPIRED = "expired"


class Session(BaseModel):
    """Everything the engine needs to carry on a conversation later, and nothing else."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    flow_id: str
    flow_version: int
    language: str
    context: dict[str, str] = Field(default_factory=dict)
    status: Status = Status.ACTIVE
    current: str | None = Field(default=None, description="Question awaiting an answer.")
    attempts: int = Field(default=0, description="Answers to `current` not understood so far.")
    helps: int = Field(default=0, description="HELPs sent while on `current`.")
    answers: dict[str, AnswerValue] = Field(default_factory=dict)
    visits: dict[str, int] = Field(default_factory=dict)
    restarts: int = 0
    turns: int = Field(default=0, description="Messages received from the person.")
    reminded: bool = False
    signposted: bool = False
    started_at: AwareDatetime
    last_activity_at: AwareDatetime

    @property
    def active(self) -> bool:
        return self.status is Status.ACTIVE
