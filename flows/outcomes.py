"""Outcome domains: which answers make up a person's score, and the checks that keep it honest.

A domain's score is the mean of its answered items' scores, counted only when at least
``min_answered`` items were answered (all of them unless the flow says otherwise): an incomplete
score is left out, as ASCOF does, rather than compared with complete ones. The mean, not the sum,
so that a score with one item missing (when the flow allows it) stays on the items' own scale.

Reports compare a person's score at baseline with the same score later, so every item of a domain
must point the same way and share one scale; otherwise a change in the score would mean nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from flows.definition import Domain, Flow, Outcome, Question, Rating, SingleChoice, YesNo
from flows.session import AnswerValue

Path = tuple[str | int, ...]
Issue = tuple[Path, str]
# Not fft: its answers judge a service, they do not describe how a person is, and "Don't know"
# sits among them. Not multiple_choice or number: neither is one point on one scale.
SCORED_TYPES = "rating, single_choice or yes_no"


@dataclass(frozen=True)
class DomainSpec:
    """A validated domain, ready to score answers with."""

    domain: str
    items: tuple[str, ...]
    min_answered: int
    better: Literal["higher", "lower"]
    low: int  # the lowest and highest score an item can have
    high: int
    reliability: float | None


def domains(flow: Flow) -> dict[str, DomainSpec]:
    """The flow's domains by name; call on a flow the loader has accepted."""
    by_id = {q.id: q for q in flow.questions}
    found: dict[str, DomainSpec] = {}
    for declared in flow.outcomes:
        items = tuple(_items(flow, declared))
        first = by_id[items[0]]
        outcome = outcome_of(first)
        assert outcome is not None, "domains() needs a flow the loader has accepted"
        low, high = _scale(first) or (0, 0)
        found[declared.domain] = DomainSpec(
            domain=declared.domain,
            items=items,
            min_answered=declared.min_answered or len(items),
            better=outcome.better,
            low=low,
            high=high,
            reliability=declared.reliability,
        )
    return found


def score(flow: Flow, spec: DomainSpec, answers: Mapping[str, AnswerValue]) -> float | None:
    """One person's score in one domain from their answers, or None when too few count."""
    by_id = {q.id: q for q in flow.questions}
    points = [
        p for item in spec.items if (p := item_score(by_id[item], answers.get(item))) is not None
    ]
    if len(points) < spec.min_answered:
        return None
    return sum(points) / len(points)


def item_score(question: Question, value: AnswerValue) -> int | None:
    """An answer's points; None when unanswered or when the chosen option carries no score."""
    if value is None or isinstance(value, list | bool):
        return None
    if isinstance(question, Rating):
        return int(value) if isinstance(value, int | float) else _int_or_none(str(value))
    for option in getattr(question, "options", []):
        if option.value == str(value):
            return option.score  # type: ignore[no-any-return]
    return None


def outcome_of(question: Question) -> Outcome | None:
    return getattr(question, "outcome", None)


def _int_or_none(text: str) -> int | None:
    return int(text) if text.lstrip("-").isdigit() else None


def _scale(question: Question) -> tuple[int, int] | None:
    if isinstance(question, Rating):
        return question.min, question.max
    if isinstance(question, SingleChoice | YesNo):
        scores = [o.score for o in question.options if o.score is not None]
        return (min(scores), max(scores)) if len(set(scores)) >= 2 else None
    return None


def _items(flow: Flow, declared: Domain) -> list[str]:
    if declared.items is not None:
        return list(declared.items)
    return [
        q.id
        for q in flow.questions
        if (outcome := outcome_of(q)) is not None and outcome.domain == declared.domain
    ]


def check(flow: Flow) -> Iterator[Issue]:
    """Every problem with the flow's outcome declarations, as (path, message)."""
    declared = {d.domain for d in flow.outcomes}
    for index, question in enumerate(flow.questions):
        yield from _stray_scores(index, question)
        outcome = outcome_of(question)
        if outcome is None:
            continue
        where: Path = ("questions", index, "outcome")
        if outcome.domain not in declared:
            names = ", ".join(sorted(declared)) or "none"
            yield (
                (*where, "domain"),
                f"unknown outcome domain {outcome.domain!r}; the flow's outcomes declare {names}",
            )
        if not isinstance(question, Rating | SingleChoice | YesNo):
            yield where, f"an outcome item must be a {SCORED_TYPES} question, not {question.type}"
        elif _scale(question) is None:
            yield (
                ("questions", index, "options"),
                f"outcome item {question.id!r} needs a score on at least two options "
                "with different scores",
            )
    seen: set[str] = set()
    for d_index, domain in enumerate(flow.outcomes):
        if domain.domain in seen:
            yield ("outcomes", d_index, "domain"), f"domain {domain.domain!r} is declared twice"
        seen.add(domain.domain)
        yield from _check_domain(flow, d_index, domain)


def _stray_scores(index: int, question: Question) -> Iterator[Issue]:
    if outcome_of(question) is not None:
        return
    for o_index, option in enumerate(getattr(question, "options", [])):
        if option.score is not None:
            yield (
                ("questions", index, "options", o_index, "score"),
                f"a score counts only in an outcome item, and {question.id!r} declares no outcome",
            )


def _check_domain(flow: Flow, d_index: int, domain: Domain) -> Iterator[Issue]:
    where: Path = ("outcomes", d_index)
    by_id = {q.id: q for q in flow.questions}
    items = _items(flow, domain)
    if not items:
        yield (
            (*where, "domain"),
            f"domain {domain.domain!r} has no items: no question's outcome names it",
        )
        return
    usable: list[Question] = []
    for i_index, item in enumerate(items):
        path = (*where, "items", i_index)
        question = by_id.get(item)
        outcome = None if question is None else outcome_of(question)
        names_it = outcome is not None and outcome.domain == domain.domain
        if question is None:
            yield path, f"domain {domain.domain!r} lists unknown question {item!r}"
        elif not isinstance(question, Rating | SingleChoice | YesNo):
            if not names_it:  # otherwise the question's own outcome is reported already
                yield (
                    path,
                    f"item {item!r} is a {question.type} question; items must be {SCORED_TYPES}",
                )
        elif not names_it:
            yield (
                path,
                f"item {item!r} must say `outcome: {{domain: {domain.domain}, better: ...}}`",
            )
        else:
            usable.append(question)
    if domain.items is not None:
        yield from _unlisted(flow, where, domain)
    if domain.min_answered is not None and domain.min_answered > len(items):
        yield (
            (*where, "min_answered"),
            f"min_answered is {domain.min_answered}, but domain {domain.domain!r} has only "
            f"{len(items)} item(s)",
        )
    yield from _agreement(where, domain.domain, usable)


def _unlisted(flow: Flow, where: Path, domain: Domain) -> Iterator[Issue]:
    listed = set(domain.items or [])
    for question in flow.questions:
        outcome = outcome_of(question)
        if outcome is not None and outcome.domain == domain.domain and question.id not in listed:
            yield (
                (*where, "items"),
                f"question {question.id!r} names domain {domain.domain!r} but is not in its items",
            )


def _agreement(where: Path, name: str, items: list[Question]) -> Iterator[Issue]:
    """Items must agree on direction and scale, or a change in their mean would mean nothing."""
    directions = {q.id: o.better for q in items if (o := outcome_of(q)) is not None}
    if len(set(directions.values())) > 1:
        listing = ", ".join(f"{item} ({better} is better)" for item, better in directions.items())
        yield (
            where,
            f"items of domain {name!r} disagree on which way is better: {listing}. A score "
            "averages its items, so a rise in one would cancel a fall in another: word them "
            "the same way, or give the reversed item scores that run the other way",
        )
    scales = {q.id: s for q in items if (s := _scale(q)) is not None}
    if len(set(scales.values())) > 1:
        listing = ", ".join(f"{item} {low}–{high}" for item, (low, high) in scales.items())
        yield (
            where,
            f"items of domain {name!r} use different scales ({listing}): a score averages "
            "its items, so they must share one",
        )
