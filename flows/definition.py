"""Pydantic models of the YAML flow language.

These models check the *shape* of a flow (types, required fields, allowed values). Checks that
need the whole flow — references, reachability, translations, conditions — live in
``flows.validate``. ``Flow.model_json_schema()`` is the published JSON Schema.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from flows import builtins

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
LANG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
END = "end"

# A user-facing string: plain text (in the flow's default language) or one text per language.
LocalText = str | dict[str, str]

_DURATION = re.compile(r"^\s*(\d+)\s*(d|h|m|s|w)\s*$")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def _parse_duration(raw: Any) -> Any:
    """Accept "7d", "36h", "90m", "2w" as well as pydantic's ISO 8601 ("P7D") and seconds."""
    if isinstance(raw, str) and (match := _DURATION.match(raw)):
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    return raw


Duration = Annotated[
    timedelta,
    BeforeValidator(_parse_duration),
    WithJsonSchema({"type": ["string", "number"], "description": '"7d", "48h", "2w" or ISO 8601'}),
]


def _number_to_text(raw: Any) -> Any:
    return str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw


# An answer named in an indicator: an option value, or a point on a rating scale such as 4.
AnswerRef = Annotated[
    str, BeforeValidator(_number_to_text), WithJsonSchema({"type": ["string", "integer"]})
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Option(_Model):
    """One answer a person can choose. ``value`` is what is stored and what reports count."""

    value: str = Field(pattern=ID_PATTERN, description="Stored value, e.g. `always`.")
    label: LocalText = Field(description="What the person sees, e.g. `Always`.")
    synonyms: list[str] | dict[str, list[str]] = Field(
        default_factory=list,
        description="Other ways people say this answer: one list, or a list per language.",
    )
    next: str | None = Field(default=None, description="Question id to go to, or `end`.")
    flag: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="Choosing this raises a flag of this kind (e.g. `safeguarding`) for triage.",
    )


class Indicator(_Model):
    """Which indicator a question feeds, and which answers count as positive and negative."""

    name: str = Field(pattern=ID_PATTERN)
    positive: list[AnswerRef] = Field(min_length=1)
    negative: list[AnswerRef] = Field(default_factory=list)


class _Question(_Model):
    id: str = Field(pattern=ID_PATTERN)
    text: LocalText
    help: LocalText | None = Field(default=None, description="Shown when the person sends HELP.")
    when: str | None = Field(default=None, description="Ask only when this condition holds.")
    next: str | None = Field(default=None, description="Question id to go to next, or `end`.")


class _Answerable(_Question):
    optional: bool = Field(default=False, description="May the person SKIP it?")


class _Choice(_Answerable):
    options: list[Option] = Field(default_factory=list)
    indicator: Indicator | None = None


class SingleChoice(_Choice):
    type: Literal["single_choice"]

    @field_validator("options")
    @classmethod
    def _at_least_two(cls, options: list[Option]) -> list[Option]:
        if len(options) < 2:
            raise ValueError("a single_choice question needs at least 2 options")
        return options


class MultipleChoice(_Choice):
    type: Literal["multiple_choice"]
    min_choices: int = Field(default=1, ge=1)
    max_choices: int | None = Field(default=None, ge=1)

    @field_validator("options")
    @classmethod
    def _at_least_two(cls, options: list[Option]) -> list[Option]:
        if len(options) < 2:
            raise ValueError("a multiple_choice question needs at least 2 options")
        return options


class YesNo(_Choice):
    """Yes or no. Give ``options`` (values `yes` and `no`) only to add labels, `next` or flags."""

    type: Literal["yes_no"]

    @model_validator(mode="after")
    def _builtin_options(self) -> YesNo:
        if not self.options:
            built = [Option(value=v, label=dict(lab)) for v, lab in builtins.YES_NO_OPTIONS]
            object.__setattr__(self, "options", built)
        return self


class Fft(_Choice):
    """The NHS Friends and Family Test: six fixed answers, indicator `fft` unless renamed."""

    type: Literal["fft"]
    text: LocalText = Field(default_factory=lambda: dict(builtins.FFT_QUESTION))

    @model_validator(mode="after")
    def _builtin_parts(self) -> Fft:
        if not self.options:
            built = [Option(value=v, label=dict(lab)) for v, lab in builtins.FFT_OPTIONS]
            object.__setattr__(self, "options", built)
        if self.indicator is None:
            indicator = Indicator(
                name="fft",
                positive=list(builtins.FFT_POSITIVE),
                negative=list(builtins.FFT_NEGATIVE),
            )
            object.__setattr__(self, "indicator", indicator)
        return self


class Rating(_Answerable):
    """A scale from ``min`` to ``max``; the person replies with the number itself."""

    type: Literal["rating"]
    min: int = 1
    max: int = 5
    min_label: LocalText | None = None
    max_label: LocalText | None = None
    indicator: Indicator | None = None


class Number(_Answerable):
    """A whole number, e.g. how many different care workers visit in a week."""

    type: Literal["number"]
    min: int = 0
    max: int = 1000


class FreeText(_Answerable):
    """Free text. ``purpose`` tells sentiment analysis which question the words answer."""

    type: Literal["free_text"]
    purpose: Literal["what_good", "could_improve", "nonspecific"] = "nonspecific"


class Info(_Question):
    """A message that needs no answer; the conversation moves straight on."""

    type: Literal["info"]


Question = Annotated[
    SingleChoice | MultipleChoice | YesNo | Fft | Rating | Number | FreeText | Info,
    Field(discriminator="type"),
]
ChoiceQuestion = SingleChoice | MultipleChoice | YesNo | Fft


class Messages(_Model):
    """The flow's own texts. Optional ones replace the built-in system messages."""

    intro: LocalText
    thanks: LocalText
    opt_out_footer: LocalText | None = Field(
        default=None,
        description="Deprecated and ignored: each channel adds its own opt-out line (SMS: Reply "
        "STOP to opt out.) to the first message of a conversation.",
    )
    safeguarding: LocalText = Field(description="Signposting sent when a concern is flagged.")
    reminder: LocalText | None = None
    expired: LocalText | None = None
    help: LocalText | None = None
    opted_out: LocalText | None = None
    moving_on: LocalText | None = None
    restarted: LocalText | None = None
    skip_refused: LocalText | None = None
    reask_choice: LocalText | None = None
    reask_multiple: LocalText | None = None
    reask_yes_no: LocalText | None = None
    reask_number: LocalText | None = None
    reask_text: LocalText | None = None


class Commands(_Model):
    """Whole-message keywords per language; a language left out uses the built-in words."""

    stop: dict[str, list[str]] = Field(default_factory=dict)
    help: dict[str, list[str]] = Field(default_factory=dict)
    skip: dict[str, list[str]] = Field(default_factory=dict)
    restart: dict[str, list[str]] = Field(default_factory=dict)


class Flow(_Model):
    """One survey."""

    id: str = Field(pattern=ID_PATTERN)
    version: int = Field(ge=1)
    title: str
    language: str = Field(default="en", pattern=LANG_PATTERN, description="Default language.")
    languages: list[Annotated[str, Field(pattern=LANG_PATTERN)]] = Field(
        default_factory=list, description="Other languages every text is translated into."
    )
    expiry: Duration = Field(default=timedelta(days=7), description='e.g. "7d", "48h".')
    reminder_after: Duration | None = Field(default=None, description="One reminder after silence.")
    start_keywords: list[str] = Field(default_factory=list)
    context: dict[str, str] = Field(
        default_factory=dict,
        description="Placeholders the flow may use, e.g. {provider}, with the text used if absent.",
    )
    max_attempts: int = Field(default=2, ge=1, le=5, description="Tries before moving on.")
    max_restarts: int = Field(default=2, ge=0, le=5)
    max_visits: int = Field(default=3, ge=1, le=10, description="Visits to one question (loops).")
    unicode: bool | None = Field(
        default=None,
        description="Deprecated and ignored: the SMS channel chooses the character set itself.",
    )
    messages: Messages
    commands: Commands = Field(default_factory=Commands)
    questions: list[Question] = Field(min_length=1)
    # What the engine derives from the definition (conditions, keyword sets), built once per flow.
    _compiled: Any = PrivateAttr(default=None)

    @property
    def all_languages(self) -> tuple[str, ...]:
        return (self.language, *[lang for lang in self.languages if lang != self.language])

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def default_next(self, question_id: str) -> str:
        """Where a question leads when no option says otherwise: its `next`, else the one below."""
        ids = [q.id for q in self.questions]
        index = ids.index(question_id)
        explicit = self.questions[index].next
        if explicit is not None:
            return explicit
        return ids[index + 1] if index + 1 < len(ids) else END
