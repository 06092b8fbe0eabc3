"""Reading an answers CSV (``provider,date,channel,flow,question,value,text`` and optionally
``respondent``): a validated ``AnswerRow`` for each good line, a ``RowProblem`` with the line a
spreadsheet shows for each bad one. Pure: no database.

``value`` is an option value of the flow's question (several joined by ``;`` for a
multiple-choice question), or the number for a rating or number question. For a free-text
question the answer is ``text`` (or ``value`` when ``text`` is empty). Rows that share
``provider, date, channel, flow, respondent`` are one person's answers; without a respondent
column each row is a person of its own.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from flows.definition import Flow, FreeText, Info, MultipleChoice, Number, Question, Rating
from storage.csv_rows import CsvHeaderError, RowError, RowProblem, separator_hint

COLUMNS = ("provider", "date", "channel", "flow", "question", "value", "text", "respondent")
REQUIRED = ("provider", "date", "channel", "flow", "question", "value")
CHANNELS = ("sms", "telegram", "web", "telephone", "paper", "email", "face_to_face", "other")
MAX_PROVIDER = 200
MAX_TEXT = 5000


@dataclass(frozen=True)
class AnswerRow:
    line: int
    provider: str
    day: date
    channel: str
    flow: Flow
    question: Question
    value: Any  # str, int, or list[str] for multiple choice
    text: str | None
    respondent: str
    key: str  # the row's content hash: the same row imported twice is one answer

    @property
    def person(self) -> str:
        """Whose answers these are: the same for every row of one respondent."""
        parts = (self.provider.lower(), self.day.isoformat(), self.channel, self.flow.id)
        return _digest(*parts, self.respondent)


def read_rows(
    handle: TextIO, flows: Mapping[str, Flow], today: date
) -> Iterator[AnswerRow | RowProblem]:
    reader = csv.DictReader(handle)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise CsvHeaderError(
            f"line 1: the header needs the columns {', '.join(missing)}"
            f"{separator_hint(list(header))}"
        )
    reader.fieldnames = header
    seen: dict[str, int] = {}
    start = 2
    for record in reader:
        line, start = start, reader.line_num + 1  # a quoted cell may span several lines
        cells = {k: (v or "").strip() for k, v in record.items() if k in COLUMNS}
        if not any(cells.values()):
            continue
        try:
            yield _row(line, cells, flows, today, seen)
        except RowError as error:
            yield RowProblem(line, str(error))


def _row(
    line: int, cells: dict[str, str], flows: Mapping[str, Flow], today: date, seen: dict[str, int]
) -> AnswerRow:
    provider = " ".join(cells.get("provider", "").split())
    if not provider or len(provider) > MAX_PROVIDER:
        raise RowError(f"provider must be 1 to {MAX_PROVIDER} characters")
    day = _day(cells.get("date", ""), today)
    channel = cells.get("channel", "").lower()
    if channel not in CHANNELS:
        raise RowError(f"unknown channel {channel!r}: use one of {', '.join(CHANNELS)}")
    flow = flows.get(cells.get("flow", ""))
    if flow is None:
        raise RowError(f"unknown flow {cells.get('flow', '')!r}")
    question = _question(flow, cells.get("question", ""))
    text = cells.get("text") or None
    if text is not None and len(text) > MAX_TEXT:
        raise RowError(f"text is longer than {MAX_TEXT} characters")
    value = _value(question, cells.get("value", ""), text)
    content = _digest(*(cells.get(column, "") for column in COLUMNS))
    seen[content] = seen.get(content, 0) + 1
    # Identical rows in one file are different people (two paper forms alike): number them.
    key = f"{content}:{seen[content]}"
    respondent = cells.get("respondent") or key
    return AnswerRow(line, provider, day, channel, flow, question, value, text, respondent, key)


def _day(raw: str, today: date) -> date:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise RowError(f"date {raw!r} is not YYYY-MM-DD") from None
    if day > today:
        raise RowError(f"date {raw} is in the future")
    return day


def _question(flow: Flow, question_id: str) -> Question:
    for question in flow.questions:
        if question.id == question_id:
            if isinstance(question, Info):
                raise RowError(f"question {question_id!r} of flow {flow.id!r} takes no answer")
            return question
    raise RowError(f"flow {flow.id!r} has no question {question_id!r}")


def _value(question: Question, raw: str, text: str | None) -> Any:
    if isinstance(question, FreeText):
        answer = text or raw
        if not answer:
            raise RowError(f"question {question.id!r} is free text: put the answer in text")
        return answer
    if isinstance(question, Rating | Number):
        return _number(question, raw)
    options = [option.value for option in getattr(question, "options", [])]
    chosen = [part.strip().lower() for part in raw.split(";")] if raw else []
    wrong = [part for part in chosen if part not in options]
    if not chosen or wrong:
        given = raw or "(empty)"
        raise RowError(f"value {given!r} is not an option of {question.id!r}: {', '.join(options)}")
    if isinstance(question, MultipleChoice):
        return list(dict.fromkeys(chosen))
    if len(chosen) > 1:
        raise RowError(f"question {question.id!r} takes one answer, not {len(chosen)}")
    return chosen[0]


def _number(question: Rating | Number, raw: str) -> int:
    try:
        number = int(raw)
    except ValueError:
        raise RowError(f"value {raw!r} of {question.id!r} is not a whole number") from None
    if not question.min <= number <= question.max:
        raise RowError(
            f"value {number} of {question.id!r} is outside {question.min}–{question.max}"
        )
    return number


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
