"""Reading one message as the answer to one question."""

from __future__ import annotations

from flows import parsing
from flows.compiled import CompiledFlow, localise
from flows.definition import (
    Fft,
    FreeText,
    MultipleChoice,
    Number,
    Option,
    Question,
    Rating,
    SingleChoice,
    YesNo,
)
from flows.session import AnswerValue


def understand(compiled: CompiledFlow, language: str, question: Question, text: str) -> AnswerValue:
    """The answer ``text`` gives to ``question``, or ``None`` if it cannot be understood."""
    if isinstance(question, YesNo):
        return parsing.parse_yes_no(text, compiled.choices[(question.id, language)])
    if isinstance(question, SingleChoice | Fft):
        return parsing.parse_choice(text, compiled.choices[(question.id, language)])
    if isinstance(question, MultipleChoice):
        return parsing.parse_multiple(
            text,
            compiled.choices[(question.id, language)],
            question.min_choices,
            question.max_choices,
        )
    if isinstance(question, Rating):
        ends = []
        default = compiled.flow.language
        if question.min_label is not None:
            ends.append((question.min, localise(question.min_label, language, default)))
        if question.max_label is not None:
            ends.append((question.max, localise(question.max_label, language, default)))
        return parsing.parse_rating(text, question.min, question.max, ends)
    if isinstance(question, Number):
        return parsing.parse_number(text, question.min, question.max)
    if isinstance(question, FreeText):
        return parsing.parse_free_text(text)
    return None


def understand_values(question: Question, values: tuple[str, ...]) -> AnswerValue:
    """A structured answer (option values, a number, free text) checked against ``question``;
    ``None`` when it is not a valid answer. No text parsing: values must be exact."""
    if isinstance(question, MultipleChoice):
        allowed = [option.value for option in question.options]
        chosen = [value for value in allowed if value in values]  # the flow's order, no repeats
        limit = question.max_choices or len(allowed)
        valid = len(chosen) == len(set(values)) and question.min_choices <= len(chosen) <= limit
        return chosen if valid else None
    if len(values) != 1:
        return None
    (value,) = values
    if isinstance(question, SingleChoice | YesNo | Fft):
        return value if value in {option.value for option in question.options} else None
    if isinstance(question, Rating | Number):
        number = value.strip()
        if not number.lstrip("-").isdigit():
            return None
        whole = int(number)
        return whole if question.min <= whole <= question.max else None
    if isinstance(question, FreeText):
        return parsing.parse_free_text(value)
    return None


def chosen_option(question: Question, value: AnswerValue) -> Option | None:
    """The single option a value names, for its ``next`` and ``flag``."""
    if isinstance(question, SingleChoice | YesNo | Fft) and isinstance(value, str):
        for option in question.options:
            if option.value == value:
                return option
    return None
