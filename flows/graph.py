"""The flow as a graph of questions: where each can lead, what is reachable, what can finish."""

from __future__ import annotations

from flows.definition import END, Flow, MultipleChoice, Question


def successors(flow: Flow, question: Question) -> list[str]:
    """Every question (or ``end``) a question can lead to.

    The default next is always possible: a skipped, unanswered or condition-false question
    follows it whatever its options say.
    """
    targets = [flow.default_next(question.id)]
    if not isinstance(question, MultipleChoice):
        for option in getattr(question, "options", []):
            if option.next and option.next not in targets:
                targets.append(option.next)
    return targets


def edges(flow: Flow) -> dict[str, list[str]]:
    """The graph of ``successors``. A reference to an unknown question (reported on its own by
    the validator) is read as ``end``, so that it does not also look like a cycle that cannot end.
    """
    known = {q.id for q in flow.questions} | {END}
    return {
        q.id: list(dict.fromkeys(t if t in known else END for t in successors(flow, q)))
        for q in flow.questions
    }


def reachable_from(graph: dict[str, list[str]], start: str) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for target in graph.get(todo.pop(), []):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def can_finish(graph: dict[str, list[str]]) -> set[str]:
    """Questions from which some path reaches the end of the flow."""
    reverse: dict[str, list[str]] = {}
    for source, targets in graph.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    return reachable_from(reverse, END) - {END}


def can_precede(graph: dict[str, list[str]], earlier: str, later: str) -> bool:
    """Can ``earlier`` be answered before ``later`` is asked?"""
    return earlier != later and later in reachable_from(graph, earlier)


def mermaid(flow: Flow, language: str | None = None) -> str:
    """A Mermaid flowchart of the flow, for documentation and review."""
    from flows.compiled import localise  # local: keeps graph import-light for the validator

    lang = language or flow.language
    lines = ["flowchart TD", f'    start(["{_escape(flow.title)}"])']
    lines.append(f"    start --> {_node(flow.questions[0].id)}")
    for question in flow.questions:
        text = _escape(localise(question.text, lang, flow.language))
        shape = (
            f'{question.id}{{{{"{question.id}: {text}"}}}}'
            if question.when
            else (f'{question.id}["{question.id}: {text}"]')
        )
        lines.append(f"    {shape}")
    for question in flow.questions:
        default = flow.default_next(question.id)
        if question.when:
            condition = _escape(question.when)
            lines.append(f"    {question.id} -. skipped unless {condition} .-> {_node(default)}")
        for option in getattr(question, "options", []):
            if option.next and not isinstance(question, MultipleChoice):
                label = _escape(localise(option.label, lang, flow.language))
                lines.append(f'    {question.id} -- "{label}" --> {_node(option.next)}')
        lines.append(f"    {question.id} --> {_node(default)}")
    lines.append('    finish(["end"])')
    return "\n".join(lines) + "\n"


def _node(target: str) -> str:
    # "end" is a keyword in Mermaid, so the end of the flow gets another node id.
    return "finish" if target == END else target


def _escape(text: str) -> str:
    return " ".join(text.replace('"', "#quot;").split())[:80]
