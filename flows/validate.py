"""Checks that need the whole flow. Each problem is (path into the YAML document, message).

The loader turns paths into ``file:line:col``. Everything here must be caught at load time so
that nothing about the definition can go wrong in the middle of someone's conversation.
"""

from __future__ import annotations

from collections.abc import Iterator

from flows import builtins
from flows.compiled import COMMANDS, choice_names, command_keywords
from flows.conditions import compile_condition
from flows.definition import (
    END,
    ChoiceQuestion,
    Flow,
    LocalText,
    MultipleChoice,
    Number,
    Rating,
)
from flows.errors import ConditionSyntaxError
from flows.graph import can_finish, can_precede, edges, reachable_from
from flows.parsing import normalise
from flows.piping import placeholders, stray_brace

Path = tuple[str | int, ...]
Issue = tuple[Path, str]
ENGINE_VALUES = {"count", "min", "max"}


def check(flow: Flow) -> list[Issue]:
    issues: list[Issue] = []
    for checker in (
        _languages, _question_ids, _references, _graph, _options, _indicators, _ranges,
        _conditions, _translations, _placeholders, _commands, _timing,
    ):  # fmt: skip
        issues.extend(checker(flow))
    return issues


def _q(index: int, *rest: str | int) -> Path:
    return ("questions", index, *rest)


def _languages(flow: Flow) -> Iterator[Issue]:
    seen: set[str] = set()
    for index, language in enumerate(flow.languages):
        if language in seen:
            yield ("languages", index), f"language {language!r} is listed twice"
        seen.add(language)


def _question_ids(flow: Flow) -> Iterator[Issue]:
    seen: set[str] = set()
    for index, question in enumerate(flow.questions):
        if question.id == END:
            yield _q(index, "id"), f"{END!r} is reserved for the end of the flow"
        elif question.id in seen:
            yield _q(index, "id"), f"duplicate question id {question.id!r}"
        seen.add(question.id)


def _references(flow: Flow) -> Iterator[Issue]:
    known = {q.id for q in flow.questions} | {END}
    for index, question in enumerate(flow.questions):
        if question.next is not None and question.next not in known:
            yield _q(index, "next"), f"next refers to unknown question {question.next!r}"
        for o_index, option in enumerate(getattr(question, "options", [])):
            if option.next is None:
                continue
            if isinstance(question, MultipleChoice):
                yield (
                    _q(index, "options", o_index, "next"),
                    (
                        "options of a multiple_choice question cannot branch; use `when` on a "
                        "later question instead"
                    ),
                )
            elif option.next not in known:
                yield (
                    _q(index, "options", o_index, "next"),
                    (f"next refers to unknown question {option.next!r}"),
                )


def _graph(flow: Flow) -> Iterator[Issue]:
    ids = {q.id for q in flow.questions}
    if len(ids) < len(flow.questions) or END in ids:
        return  # with a duplicate or reserved id (see _question_ids) the graph means nothing
    graph = edges(flow)
    reachable = reachable_from(graph, flow.questions[0].id)
    finishing = can_finish(graph)
    for index, question in enumerate(flow.questions):
        if question.id not in reachable:
            yield _q(index, "id"), f"question {question.id!r} can never be reached"
        elif question.id not in finishing:
            yield (
                _q(index, "id"),
                (
                    f"question {question.id!r} is in a cycle that cannot end: no path from it "
                    "reaches the end of the flow"
                ),
            )


def _options(flow: Flow) -> Iterator[Issue]:
    for index, question in enumerate(flow.questions):
        if not isinstance(question, ChoiceQuestion):
            continue
        seen: set[str] = set()
        for o_index, option in enumerate(question.options):
            if option.value in seen:
                yield (
                    _q(index, "options", o_index, "value"),
                    (f"option value {option.value!r} is used twice in {question.id!r}"),
                )
            seen.add(option.value)
        yield from _fixed_values(flow, index, question)
        for language in flow.all_languages:
            yield from _ambiguous_names(flow, index, question, language)


def _fixed_values(flow: Flow, index: int, question: ChoiceQuestion) -> Iterator[Issue]:
    fixed = {"fft": builtins.FFT_OPTIONS, "yes_no": builtins.YES_NO_OPTIONS}.get(question.type)
    if fixed is None:
        return
    wanted = [value for value, _ in fixed]
    if [o.value for o in question.options] != wanted:
        yield (
            _q(index, "options"),
            (f"{question.type} options must have exactly the values {', '.join(wanted)}, in order"),
        )


def _ambiguous_names(
    flow: Flow, index: int, question: ChoiceQuestion, lang: str
) -> Iterator[Issue]:
    owner: dict[str, str] = {}
    commands = command_keywords(flow, lang)
    for o_index, choice in enumerate(choice_names(flow, question, lang)):
        for name in choice.names:
            if owner.get(name, choice.value) != choice.value:
                yield (
                    _q(index, "options", o_index),
                    (f"{name!r} ({lang}) names both {owner[name]!r} and {choice.value!r}"),
                )
            owner[name] = choice.value
            for command, words in commands.items():
                if name in words:
                    yield (
                        _q(index, "options", o_index),
                        (
                            f"{name!r} ({lang}) is also the {command.upper()} keyword, so nobody "
                            "could give this answer"
                        ),
                    )


def _indicators(flow: Flow) -> Iterator[Issue]:
    for index, question in enumerate(flow.questions):
        indicator = getattr(question, "indicator", None)
        if indicator is None:
            continue
        if isinstance(question, MultipleChoice):
            yield (
                _q(index, "indicator"),
                "an indicator needs one answer per person: not allowed on multiple_choice",
            )
            continue
        if isinstance(question, Rating):
            values = {str(v) for v in range(question.min, question.max + 1)}
        else:
            values = {o.value for o in getattr(question, "options", [])}
        for field in ("positive", "negative"):
            for v_index, value in enumerate(getattr(indicator, field)):
                if value not in values:
                    yield (
                        _q(index, "indicator", field, v_index),
                        (f"{value!r} is not an answer of {question.id!r}"),
                    )
        overlap = set(indicator.positive) & set(indicator.negative)
        if overlap:
            yield _q(index, "indicator"), f"{sorted(overlap)} counted as both positive and negative"


def _ranges(flow: Flow) -> Iterator[Issue]:
    for index, question in enumerate(flow.questions):
        if isinstance(question, Rating) and not 0 < question.max - question.min <= 10:
            yield _q(index, "max"), "a rating scale needs max above min, and at most 11 points"
        if isinstance(question, Number) and question.min > question.max:
            yield _q(index, "max"), "max must not be below min"
        if isinstance(question, MultipleChoice) and question.max_choices is not None:
            if question.max_choices < question.min_choices:
                yield _q(index, "max_choices"), "max_choices must not be below min_choices"
            if question.max_choices > len(question.options):
                yield _q(index, "max_choices"), "max_choices is more than there are options"


def _conditions(flow: Flow) -> Iterator[Issue]:
    graph = edges(flow)
    by_id = {q.id: q for q in flow.questions}
    for index, question in enumerate(flow.questions):
        if question.when is None:
            continue
        try:
            condition = compile_condition(question.when)
        except ConditionSyntaxError as error:
            yield _q(index, "when"), f"bad condition at character {error.offset + 1}: {error}"
            continue
        for name in condition.names():
            if name.name not in by_id:
                yield _q(index, "when"), f"condition refers to unknown question {name.name!r}"
            elif not can_precede(graph, name.name, question.id):
                yield (
                    _q(index, "when"),
                    (
                        f"condition refers to {name.name!r}, "
                        f"which is never asked before {question.id!r}"
                    ),
                )
        for name, literal in condition.literals_compared_with():
            yield from _literal_is_option(index, by_id.get(name.name), literal)


def _literal_is_option(index: int, question: object, literal: object) -> Iterator[Issue]:
    if not isinstance(question, ChoiceQuestion) or literal is None:
        return
    values = {o.value for o in question.options}
    for item in literal if isinstance(literal, list) else [literal]:
        if str(item) not in values:
            yield _q(index, "when"), f"{item!r} is not an option of {question.id!r}"


def texts(flow: Flow) -> Iterator[tuple[Path, LocalText]]:
    """Every user-facing text in the flow, with where it is."""
    for name, text in flow.messages:
        if text is not None:
            yield ("messages", name), text
    for index, question in enumerate(flow.questions):
        for field in ("text", "help", "min_label", "max_label"):
            text = getattr(question, field, None)
            if text is not None:
                yield _q(index, field), text
        for o_index, option in enumerate(getattr(question, "options", [])):
            yield _q(index, "options", o_index, "label"), option.label


def _translations(flow: Flow) -> Iterator[Issue]:
    wanted = set(flow.all_languages)
    for path, text in texts(flow):
        given = {flow.language} if isinstance(text, str) else set(text)
        for language in sorted(wanted - given):
            yield path, f"missing translation for {language!r}"
        if builtins.is_builtin_text(text):
            continue
        for language in sorted(given - wanted):
            yield path, f"translation for {language!r}, which is not one of the flow's languages"
    unsupported = [lang for lang in flow.all_languages if lang not in builtins.BUILTIN_LANGUAGES]
    for language in unsupported:
        missing = [
            name
            for name in builtins.SYSTEM_MESSAGES
            if not isinstance(getattr(flow.messages, name), dict)
            or language not in getattr(flow.messages, name)
        ]
        if missing:
            yield (
                ("messages",),
                (
                    f"there is no built-in wording in {language!r}: give messages "
                    + ", ".join(missing)
                ),
            )


def _placeholders(flow: Flow) -> Iterator[Issue]:
    graph = edges(flow)
    by_id = {q.id for q in flow.questions}
    for path, text in texts(flow):
        for value in [text] if isinstance(text, str) else list(text.values()):
            offset = stray_brace(value)
            if offset is not None:
                yield path, f"stray brace at character {offset + 1}: write {{{{ or }}}} for a brace"
            for holder in placeholders(value):
                problem = _placeholder_problem(flow, graph, by_id, path, holder.root, holder.name)
                if problem:
                    yield path, f"{holder.spelling}: {problem}"


def _placeholder_problem(
    flow: Flow, graph: dict[str, list[str]], ids: set[str], path: Path, root: str, name: str | None
) -> str | None:
    if root == "answer":
        if name is None:
            return "say which question's answer, e.g. {answer.question_id}"
        if name not in ids:
            return f"no question {name!r} to take the answer from"
        if path[0] == "questions":
            here = flow.questions[int(path[1])].id
            if not can_precede(graph, name, here):
                return f"{name!r} is never answered before {here!r}"
        return None
    if name is not None:
        return "unknown placeholder"
    if root in flow.context:
        return None
    if path[0] == "messages" and root in ENGINE_VALUES:
        return None
    declared = ", ".join(sorted(flow.context)) or "nothing"
    return f"unknown placeholder; the flow's context declares {declared}"


def _commands(flow: Flow) -> Iterator[Issue]:
    languages = set(flow.all_languages)
    for command in COMMANDS:
        configured: dict[str, list[str]] = getattr(flow.commands, command)
        for language in configured:
            if language not in languages:
                yield (
                    ("commands", command, language),
                    f"{language!r} is not one of the flow's languages",
                )
        for language in sorted(languages):
            known = language in builtins.DEFAULT_COMMANDS[command] or language in configured
            if not known:
                yield (
                    ("commands",),
                    f"no built-in {command.upper()} keywords in {language!r}: "
                    f"give commands.{command}.{language}",
                )
    for language in flow.all_languages:
        yield from _keyword_clashes(flow, language)


def _keyword_clashes(flow: Flow, language: str) -> Iterator[Issue]:
    keywords = command_keywords(flow, language)
    owner: dict[str, str] = {}
    for command, words in keywords.items():
        for word in words:
            if word in owner:
                yield (
                    ("commands", command),
                    f"{word!r} is both a {owner[word].upper()} and a {command.upper()} keyword",
                )
            owner[word] = command
    for index, word in enumerate(flow.start_keywords):
        if normalise(word) in owner:
            yield (
                ("start_keywords", index),
                f"{word!r} is also the {owner[normalise(word)].upper()} keyword",
            )


def _timing(flow: Flow) -> Iterator[Issue]:
    if flow.reminder_after is not None and flow.reminder_after >= flow.expiry:
        yield ("reminder_after",), "the reminder must come before the conversation expires"


def deprecations(flow: Flow) -> list[str]:
    """Parts of the flow language that still load but no longer do anything, and what to do."""
    found = []
    if flow.messages.opt_out_footer is not None:
        found.append(
            "messages.opt_out_footer is deprecated and ignored: each channel adds its own "
            "opt-out line to the first message (SMS: 'Reply STOP to opt out.'); remove it"
        )
    if flow.unicode is not None:
        found.append(
            "unicode is deprecated and ignored: the SMS channel chooses the character set (curly "
            "quotes and dashes made plain, other characters sent as Unicode SMS); remove it"
        )
    return found
