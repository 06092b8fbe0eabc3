"""Reading a submitted page: the body (size-limited, never trusted) and the answer it carries.

An answer is checked here first so that a missing or impossible answer shows the page again with
an error message, as the GOV.UK patterns do, instead of costing the person one of the engine's
tries. The engine checks the values again; nothing here decides what an answer means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request

from bot.web.pages import PageError
from flows.definition import (
    Fft,
    FreeText,
    MultipleChoice,
    Number,
    Question,
    Rating,
    SingleChoice,
    YesNo,
)

MAX_BODY = 64 * 1024  # a page holds one answer: 2,000 characters at most, a few fields
MAX_TEXT = 2000
MAX_FIELDS = 64
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def too_large() -> PageError:
    return PageError(
        413,
        "Your answer is too long",
        f"Go back and shorten your answer to {MAX_TEXT:,} characters or fewer.",
    )


async def read_form(request: Request) -> dict[str, list[str]]:
    """The posted fields, refusing a body larger than ``MAX_BODY`` before reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise too_large()
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY:
            raise too_large()
    try:
        text = body.decode("utf-8")
        return parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:  # not UTF-8, or too many fields
        raise PageError(400, "Sorry, we could not read that", "Go back and try again.") from None


def one(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


@dataclass(frozen=True)
class Checked:
    values: tuple[str, ...]
    error: str | None = None


def check_answer(question: Question, given: list[str], optional: bool) -> Checked:
    """The values to send, or the message to show beside the question."""
    values = tuple(value.replace("\r\n", "\n") for value in given)
    blank = not any(value.strip() for value in values)
    if isinstance(question, FreeText):
        text = values[0] if values else ""
        if len(text) > MAX_TEXT:
            return Checked(values, f"Your answer must be {MAX_TEXT:,} characters or fewer")
        if blank:
            return Checked((), None if optional else "Enter your answer")
        return Checked((text,))
    if blank:
        return Checked((), None if optional else _missing(question))
    if isinstance(question, MultipleChoice):
        return _multiple(question, values)
    if isinstance(question, SingleChoice | YesNo | Fft | Rating):
        allowed = _allowed(question)
        if len(values) != 1 or values[0] not in allowed:
            return Checked(values, "Select one of the options")
        return Checked(values)
    if isinstance(question, Number):
        return _number(question, values[0].strip())
    return Checked(values)


def _allowed(question: SingleChoice | YesNo | Fft | Rating) -> set[str]:
    if isinstance(question, Rating):
        return {str(n) for n in range(question.min, question.max + 1)}
    return {option.value for option in question.options}


def _missing(question: Question) -> str:
    if isinstance(question, MultipleChoice):
        return "Select at least one option"
    if isinstance(question, Number):
        return "Enter a number"
    return "Select an answer"


def _multiple(question: MultipleChoice, values: tuple[str, ...]) -> Checked:
    allowed = {option.value for option in question.options}
    if any(value not in allowed for value in values):
        return Checked(values, "Select from the options")
    chosen = len(set(values))
    if chosen < question.min_choices:
        return Checked(values, f"Select at least {question.min_choices} options")
    if question.max_choices is not None and chosen > question.max_choices:
        return Checked(values, f"Select no more than {question.max_choices} options")
    return Checked(tuple(dict.fromkeys(values)))


def _number(question: Number, text: str) -> Checked:
    if not re.fullmatch(r"-?\d{1,9}", text):
        return Checked((text,), "Enter a whole number, like 12")
    if not question.min <= int(text) <= question.max:
        return Checked((text,), f"Enter a number between {question.min} and {question.max}")
    return Checked((str(int(text)),))
