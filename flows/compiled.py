"""What the engine derives once from a validated flow: conditions, keywords, option names."""

from __future__ import annotations

from dataclasses import dataclass

from flows import builtins
from flows.conditions import Condition, compile_condition
from flows.definition import ChoiceQuestion, Flow, LocalText, Question
from flows.parsing import Choice, normalise

COMMANDS = ("stop", "help", "skip", "restart")


def localise(text: LocalText, language: str, default: str) -> str:
    """The text in ``language``; the loader guarantees every language is present."""
    if isinstance(text, str):
        return text
    return text.get(language) or text.get(default) or next(iter(text.values()), "")


@dataclass(frozen=True)
class CompiledFlow:
    flow: Flow
    index: dict[str, int]
    conditions: dict[str, Condition]
    commands: dict[str, dict[str, frozenset[str]]]  # language → command → keywords
    choices: dict[tuple[str, str], tuple[Choice, ...]]  # (question, language) → choices

    def question(self, question_id: str) -> Question:
        return self.flow.questions[self.index[question_id]]


def compiled(flow: Flow) -> CompiledFlow:
    """Build (once) and return what the engine needs from ``flow``."""
    cached = flow._compiled
    if isinstance(cached, CompiledFlow):
        return cached
    result = CompiledFlow(
        flow=flow,
        index={q.id: i for i, q in enumerate(flow.questions)},
        conditions={q.id: compile_condition(q.when) for q in flow.questions if q.when},
        commands={lang: command_keywords(flow, lang) for lang in flow.all_languages},
        choices={
            (q.id, lang): choice_names(flow, q, lang)
            for q in flow.questions
            if isinstance(q, ChoiceQuestion)
            for lang in flow.all_languages
        },
    )
    flow._compiled = result
    return result


def command_keywords(flow: Flow, language: str) -> dict[str, frozenset[str]]:
    keywords: dict[str, frozenset[str]] = {}
    for command in COMMANDS:
        configured: dict[str, list[str]] = getattr(flow.commands, command)
        words = configured.get(language)
        if words is None:
            words = list(builtins.DEFAULT_COMMANDS[command].get(language, ()))
        keywords[command] = frozenset(normalise(word) for word in words)
    return keywords


def choice_names(flow: Flow, question: ChoiceQuestion, language: str) -> tuple[Choice, ...]:
    """Every text that names each option: value, label (own and default language), synonyms."""
    result: list[Choice] = []
    for option in question.options:
        names = [option.value, option.value.replace("_", " ")]
        names.append(localise(option.label, language, flow.language))
        names.append(localise(option.label, flow.language, flow.language))
        if isinstance(option.synonyms, dict):
            names.extend(option.synonyms.get(language, []))
        else:
            names.extend(option.synonyms)
        result.append(Choice(option.value, tuple(dict.fromkeys(normalise(n) for n in names))))
    return tuple(result)
