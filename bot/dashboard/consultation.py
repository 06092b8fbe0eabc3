"""Survey and consultation results: every question of one survey in one month, all providers
together, for the people who ran it (e.g. a parent carer forum) and for commissioners.

Per question: how many answered; per option the count and percentage with a Wilson 95 % interval
(reports.statistics); for free text the sentiment split and themes; for numbers the median. The
same small-number suppression as the reports (reports.suppression): a question answered by 1–4
people shows nothing, and option, sentiment and theme counts of 1–4 are hidden with the secondary
rule so they cannot be worked out by subtraction. No free text is shown: it is not yet redacted
for quoting here, and may hold a safeguarding disclosure.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Engine, false, func, select
from sqlmodel import Session

from bot.config.settings import Settings
from bot.dashboard.access import Viewer
from flows.compiled import localise
from flows.definition import Flow, Info, LocalText, Rating
from flows.piping import fill
from reports.indicators import flows
from reports.queries import ANSWER
from reports.quotes import theme_label
from reports.statistics import wilson
from reports.suppression import is_small, suppress


@dataclass(frozen=True)
class Share:
    label: str
    count: int | None
    percent: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass
class QuestionResult:
    id: str
    text: str
    type: str
    indicator: str | None
    n: int
    suppressed: bool
    options: list[Share] = field(default_factory=list)
    sentiment: list[Share] = field(default_factory=list)
    themes: list[Share] = field(default_factory=list)
    median: float | None = None


def visible_flows(settings: Settings, viewer: Viewer) -> list[Flow]:
    return [flow for flow in flows(settings.flows_dir) if viewer.may_see_flow(flow.id)]


def find_flow(settings: Settings, viewer: Viewer, flow_id: str) -> Flow | None:
    return next((f for f in visible_flows(settings, viewer) if f.id == flow_id), None)


def results(engine: Engine, flow: Flow, month: str, threshold: int) -> list[QuestionResult]:
    return results_where(engine, flow, [ANSWER.c.reporting_month == month], threshold)


def results_where(
    engine: Engine, flow: Flow, where: list[ColumnElement[bool]], threshold: int
) -> list[QuestionResult]:
    """Every question's results over the answers ``where`` selects (a month, a window)."""
    rows = _rows(engine, flow.id, where)
    found = []
    for question in flow.questions:
        if isinstance(question, Info):
            continue
        answers = rows.get(question.id, [])
        found.append(_question(flow, question, answers, threshold))
    return found


def _rows(
    engine: Engine, flow_id: str, where: list[ColumnElement[bool]]
) -> dict[str, list[tuple[Any, Any, Any]]]:
    a = ANSWER.c
    query = select(a.question_id, a.value, a.sentiment, a.themes).where(
        a.flow_id == flow_id, a.status == "answered", a.superseded == false(), *where
    )
    found: dict[str, list[tuple[Any, Any, Any]]] = {}
    with Session(engine) as db:
        for question_id, value, sentiment, themes in db.execute(query):
            found.setdefault(question_id, []).append((value, sentiment, themes))
    return found


def _question(
    flow: Flow, question: Any, answers: list[tuple[Any, Any, Any]], threshold: int
) -> QuestionResult:
    indicator = getattr(question, "indicator", None)
    n = len(answers)
    result = QuestionResult(
        id=question.id,
        text=wording(flow, question.text),
        type=question.type,
        indicator=indicator.name if indicator else None,
        n=n,
        suppressed=is_small(n, threshold),
    )
    if result.suppressed or not n:
        return result
    if question.type == "free_text":
        result.sentiment = _shares(Counter(s or "unknown" for _, s, _ in answers), n, threshold)
        themes = Counter(t for _, _, ts in answers for t in (ts or ()))
        result.themes = _shares(themes, n, threshold, label=theme_label)
    elif question.type == "number":
        numbers = [float(v) for v, _, _ in answers if isinstance(v, int | float)]
        result.median = statistics.median(numbers) if numbers else None
    else:
        counts = Counter(str(o) for v, _, _ in answers for o in (v if isinstance(v, list) else [v]))
        result.options = _option_shares(flow, question, counts, n, threshold)
    return result


def wording(flow: Flow, text: LocalText) -> str:
    """A flow's text as the organiser wrote it, with placeholders in the flow's own words
    (``{provider}`` reads "the children's wheelchair service", not braces)."""

    def lookup(root: str, name: str | None) -> str | None:
        return flow.context.get(root) if name is None else None

    return fill(localise(text, "en", flow.language), lookup)


def _option_shares(
    flow: Flow, question: Any, counts: Counter[str], n: int, threshold: int
) -> list[Share]:
    if isinstance(question, Rating):
        labels = [(str(p), str(p)) for p in range(question.min, question.max + 1)]
    else:
        labels = [(o.value, localise(o.label, "en", flow.language)) for o in question.options]
    full = {value: counts.get(value, 0) for value, _ in labels}
    hidden = suppress(full, threshold, parent_total=n)
    return [_share(label, full[value], n, value in hidden) for value, label in labels]


def _shares(
    counts: Counter[str], n: int, threshold: int, label: Any = lambda key: key.capitalize()
) -> list[Share]:
    hidden = suppress(dict(counts), threshold, parent_total=n)
    ordered = sorted(counts, key=lambda key: (-counts[key], key))
    return [_share(label(key), counts[key], n, key in hidden) for key in ordered]


def _share(label: str, count: int, n: int, hidden: bool) -> Share:
    if hidden:
        return Share(label, None)
    interval = wilson(count, n)
    assert interval is not None
    return Share(label, count, 100 * count / n, 100 * interval.low, 100 * interval.high)


def months_with_answers(engine: Engine, flow_id: str) -> list[str]:
    a = ANSWER.c
    query = (
        select(a.reporting_month, func.count())
        .where(a.flow_id == flow_id, a.status == "answered", a.superseded == false())
        .group_by(a.reporting_month)
        .order_by(a.reporting_month.desc())
    )
    with Session(engine) as db:
        return [str(month) for month, _ in db.execute(query)]
