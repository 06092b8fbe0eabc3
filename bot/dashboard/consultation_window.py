"""A consultation reported over its open–close window (the flow's ``web:`` dates), not by month:
responses by day and by channel, every question's results, free-text themes with redacted quotes,
and the rows for the CSV, XLSX and PDF downloads.

A response is a conversation with at least one counted answer. Counts of responses by day and by
channel follow the same small-number suppression as everything else. Quotes come from
``reports.quotes``: redacted, and never from an answer or conversation that raised a flag. The
per-response download exists only when there are enough responses not to single anyone out; in
it free text is redacted the same way, flagged answers are never shown, and a question answered
by fewer people than the threshold is left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Engine, false, select
from sqlmodel import Session

from bot.dashboard.consultation import QuestionResult, Share, _shares, results_where, wording
from flows.definition import Flow, FreeText, Info, MultipleChoice, Rating
from reports.queries import ANSWER, FLAG, FreeTextRow
from reports.quotes import quotes_for, safe_text, theme_label
from reports.suppression import is_small, suppress

UK = ZoneInfo("Europe/London")
QUOTES_PER_THEME = 2
HIDDEN = "[not shown]"


@dataclass(frozen=True)
class Window:
    start: datetime | None
    end: datetime | None  # exclusive
    label: str

    def where(self) -> list[ColumnElement[bool]]:
        a, found = ANSWER.c, []
        if self.start is not None:
            found.append(a.answered_at >= self.start)
        if self.end is not None:
            found.append(a.answered_at < self.end)
        return found


def window_of(flow: Flow) -> Window:
    web = flow.web
    start = datetime.combine(web.opens, time(), UK) if web.opens else None
    end = datetime.combine(web.closes + timedelta(days=1), time(), UK) if web.closes else None
    if web.opens and web.closes:
        label = f"{_day(web.opens)} to {_day(web.closes)}"
    elif web.opens:
        label = f"since {_day(web.opens)}"
    else:
        label = f"until {_day(web.closes)}" if web.closes else "all answers so far"
    return Window(start, end, label)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass
class WindowReport:
    flow: Flow
    window: Window
    threshold: int
    responses: int
    by_day: list[tuple[str, int | None]]
    by_channel: list[Share]
    questions: list[QuestionResult]
    quotes: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)


def report(engine: Engine, flow: Flow, threshold: int) -> WindowReport:
    window = window_of(flow)
    rows = _answers(engine, flow, window)
    started = _first_answer(rows)
    responses = len(started)
    days = Counter(at.astimezone(UK).date().isoformat() for at, _ in started.values())
    by_day = _suppressed_counts(days, responses, threshold)
    channels = Counter(channel for _, channel in started.values())
    by_channel = _shares(channels, responses, threshold, label=_channel_name) if responses else []
    questions = results_where(engine, flow, window.where(), threshold)
    found = WindowReport(flow, window, threshold, responses, by_day, by_channel, questions)
    found.quotes = _quotes(rows, flow, questions)
    return found


def _channel_name(channel: str) -> str:
    return {"web": "Web form", "sms": "Text message", "telephone": "Phone or paper"}.get(
        channel, channel.capitalize()
    )


def _suppressed_counts(
    counts: Counter[str], total: int, threshold: int
) -> list[tuple[str, int | None]]:
    hidden = suppress(dict(counts), threshold, parent_total=total)
    return [(key, None if key in hidden else counts[key]) for key in sorted(counts)]


@dataclass(frozen=True)
class Row:
    conversation_id: int
    question_id: str
    value: Any
    raw_text: str | None
    channel: str
    answered_at: datetime
    sentiment: str | None
    themes: tuple[str, ...]
    held: bool


def _answers(engine: Engine, flow: Flow, window: Window) -> list[Row]:
    a, f = ANSWER.c, FLAG.c
    flagged = select(f.conversation_id).where(f.conversation_id.is_not(None))
    held = a.flags.is_not(None) | a.conversation_id.in_(flagged)
    query = (
        select(
            a.conversation_id,
            a.question_id,
            a.value,
            a.raw_text,
            a.channel,
            a.answered_at,
            a.sentiment,
            a.themes,
            held,
        )
        .where(
            a.flow_id == flow.id, a.status == "answered", a.superseded == false(), *window.where()
        )
        .order_by(a.id)
    )
    with Session(engine) as db:
        return [
            Row(r[0], r[1], r[2], r[3], r[4], _aware(r[5]), r[6], tuple(r[7] or ()), bool(r[8]))
            for r in db.execute(query)
        ]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UK).astimezone(UK)


def _first_answer(rows: list[Row]) -> dict[int, tuple[datetime, str]]:
    first: dict[int, tuple[datetime, str]] = {}
    for row in rows:
        if row.conversation_id not in first or row.answered_at < first[row.conversation_id][0]:
            first[row.conversation_id] = (row.answered_at, row.channel)
    return first


def _quotes(
    rows: list[Row], flow: Flow, questions: list[QuestionResult]
) -> dict[str, list[tuple[str, list[str]]]]:
    """Per free-text question, per theme shown (not suppressed): up to two safe quotes."""
    found: dict[str, list[tuple[str, list[str]]]] = {}
    for question in questions:
        if question.type != "free_text" or question.suppressed:
            continue
        shown = {share.label for share in question.themes if not share.suppressed}
        texts = [
            FreeTextRow(0, 0, r.raw_text, r.sentiment, r.themes, r.held)
            for r in rows
            if r.question_id == question.id and r.raw_text is not None
        ]
        themes = sorted({t for r in texts for t in r.themes if theme_label(t) in shown})
        labels = [(theme_label(t), quotes_for(texts, t, QUOTES_PER_THEME)) for t in themes]
        found[question.id] = [(label, quotes) for label, quotes in labels if quotes]
    return found


def table(engine: Engine, flow: Flow, threshold: int) -> tuple[list[str], list[list[str]]] | None:
    """One row per response, one column per question; ``None`` when too few to share."""
    window = window_of(flow)
    rows = _answers(engine, flow, window)
    started = _first_answer(rows)
    if is_small(len(started), threshold) or not started:
        return None
    answered = Counter(r.question_id for r in rows)
    columns = [q for q in flow.questions if not isinstance(q, Info)]
    columns = [q for q in columns if answered[q.id] and not is_small(answered[q.id], threshold)]
    header = ["response", "channel", "first answer (UK)", *(wording(flow, q.text) for q in columns)]
    cells: dict[int, dict[str, str]] = {cid: {} for cid in started}
    for row in rows:
        question = next((q for q in columns if q.id == row.question_id), None)
        if question is not None:
            cells[row.conversation_id][question.id] = _cell(flow, question, row)
    body = []
    for number, (conversation_id, (at, channel)) in enumerate(sorted(started.items()), 1):
        values = [cells[conversation_id].get(q.id, "") for q in columns]
        body.append([str(number), _channel_name(channel), f"{at.astimezone(UK):%Y-%m-%d %H:%M}",
                     *values])  # fmt: skip
    return header, body


def _cell(flow: Flow, question: Any, row: Row) -> str:
    if isinstance(question, FreeText):
        # A free-text answer's words are only in its (sealed) raw text.
        if row.held or row.raw_text is None:
            return HIDDEN
        return safe_text(row.raw_text) or HIDDEN
    if isinstance(question, Rating) or not hasattr(question, "options"):
        return "" if row.value is None else str(row.value)
    labels = {o.value: wording(flow, o.label) for o in question.options}
    values = row.value if isinstance(row.value, list) else [row.value]
    joiner = "; " if isinstance(question, MultipleChoice) else ""
    return joiner.join(labels.get(str(v), str(v)) for v in values)
