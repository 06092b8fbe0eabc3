"""SQL aggregation for reports: every count is a GROUP BY in the database, never a loop over rows.

Only answers that count are read: ``status = 'answered'`` (not skipped or given up) and not
superseded by a RESTART. Each query returns every provider at once, because suppression needs the
whole group (all providers for an indicator and month) to decide what one provider may show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, case, false, func, select

from storage.models import Answer, Conversation, Invitation, SafeguardingFlag
from storage.repository import REPORTING_ZONE

ANSWER: Table = Answer.__table__  # type: ignore[attr-defined]
FLAG: Table = SafeguardingFlag.__table__  # type: ignore[attr-defined]
INVITATION: Table = Invitation.__table__  # type: ignore[attr-defined]
CONVERSATION: Table = Conversation.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Cell:
    """One provider's answers to one indicator in one month."""

    provider_id: int
    indicator: str
    month: str
    n: int
    positive: int
    negative: int


@dataclass(frozen=True)
class FreeTextRow:
    answer_id: int
    provider_id: int
    text: str
    sentiment: str | None
    themes: tuple[str, ...]
    held: bool  # flagged, or its conversation has a safeguarding flag: never quoted


def counted(*extra: ColumnElement[bool]) -> ColumnElement[bool]:
    a = ANSWER.c
    return and_(a.status == "answered", a.superseded == false(), a.provider_id.is_not(None), *extra)


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def indicator_cells(connection: Connection, months: Sequence[str]) -> list[Cell]:
    a = ANSWER.c
    query = (
        select(
            a.provider_id,
            a.indicator,
            a.reporting_month,
            func.count(),
            _count_if(a.polarity == "positive"),
            _count_if(a.polarity == "negative"),
        )
        .where(counted(a.reporting_month.in_(list(months)), a.indicator.is_not(None)))
        .group_by(a.provider_id, a.indicator, a.reporting_month)
    )
    return [Cell(*row) for row in connection.execute(query)]


def option_counts(connection: Connection, month: str) -> dict[tuple[int, str], dict[str, int]]:
    """Counts per stored answer value; a multiple-choice answer counts once for each option."""
    a = ANSWER.c
    query = (
        select(a.provider_id, a.indicator, a.value, func.count())
        .where(counted(a.reporting_month == month, a.indicator.is_not(None)))
        .group_by(a.provider_id, a.indicator, a.value)
    )
    found: dict[tuple[int, str], dict[str, int]] = {}
    for provider_id, indicator, value, count in connection.execute(query):
        cell = found.setdefault((provider_id, indicator), {})
        for option in value if isinstance(value, list) else [value]:
            cell[str(option)] = cell.get(str(option), 0) + count
    return found


def respondents(connection: Connection, month: str) -> dict[tuple[int, str], int]:
    """People who answered at least one question, by provider and channel (a conversation has
    one channel, so a provider's channels add up to its respondents)."""
    a = ANSWER.c
    query = (
        select(a.provider_id, a.channel, func.count(func.distinct(a.conversation_id)))
        .where(counted(a.reporting_month == month))
        .group_by(a.provider_id, a.channel)
    )
    return {(p, c): n for p, c, n in connection.execute(query)}


def sentiments(connection: Connection, month: str) -> dict[tuple[int, str], int]:
    a = ANSWER.c
    label = func.coalesce(a.sentiment, "unknown")
    query = (
        select(a.provider_id, label, func.count())
        .where(counted(a.reporting_month == month, a.question_type == "free_text"))
        .group_by(a.provider_id, label)
    )
    return {(p, s): n for p, s, n in connection.execute(query)}


def free_text(connection: Connection, month: str, provider_id: int | None) -> list[FreeTextRow]:
    """The month's free-text answers (one provider or all) for themes and quotes."""
    a, f = ANSWER.c, FLAG.c
    flagged_conversations = select(f.conversation_id).where(f.conversation_id.is_not(None))
    held = a.flags.is_not(None) | a.conversation_id.in_(flagged_conversations)
    where = [a.reporting_month == month, a.question_type == "free_text"]
    if provider_id is not None:
        where.append(a.provider_id == provider_id)
    query = (
        select(a.id, a.provider_id, a.value, a.raw_text, a.sentiment, a.themes, held)
        .where(counted(*where))
        .order_by(a.id)
    )
    return [
        FreeTextRow(row[0], row[1], _text(row[2], row[3]), row[4], tuple(row[5] or ()), row[6])
        for row in connection.execute(query)
    ]


def _text(value: Any, raw: str | None) -> str:
    return value if isinstance(value, str) else (raw or "")


def flag_statuses(connection: Connection, month: str) -> dict[tuple[int, str], int]:
    """Safeguarding flags raised in the month, by provider and current status."""
    f = FLAG.c
    start, end = month_bounds(month)
    query = (
        select(f.provider_id, f.status, func.count())
        .where(f.created_at >= start, f.created_at < end, f.provider_id.is_not(None))
        .group_by(f.provider_id, f.status)
    )
    return {(p, s): n for p, s, n in connection.execute(query)}


def invitations(connection: Connection, month: str) -> dict[int, tuple[int, int]]:
    """Per provider: invitations sent for the month and how many led to an answer."""
    i, a = INVITATION.c, ANSWER.c
    answered = select(a.conversation_id).where(counted())
    query = (
        select(i.provider_id, func.count(), _count_if(i.conversation_id.in_(answered)))
        .where(i.month == month)
        .group_by(i.provider_id)
    )
    return {p: (invited, responded) for p, invited, responded in connection.execute(query)}


def completions(connection: Connection, month: str) -> dict[tuple[int, str], tuple[int, int]]:
    """Per provider and channel: invitations for the month and how many surveys were finished."""
    i, c = INVITATION.c, CONVERSATION.c
    query = (
        select(i.provider_id, i.channel, func.count(), _count_if(c.status == "completed"))
        .select_from(INVITATION.outerjoin(CONVERSATION, c.id == i.conversation_id))
        .where(i.month == month)
        .group_by(i.provider_id, i.channel)
    )
    return {(p, ch): (invited, done) for p, ch, invited, done in connection.execute(query)}


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month's start and end in UK local time, as UTC instants."""
    year, number = (int(part) for part in month.split("-"))
    following = (year + number // 12, number % 12 + 1)
    start = datetime(year, number, 1, tzinfo=REPORTING_ZONE)
    end = datetime(*following, 1, tzinfo=REPORTING_ZONE)
    return start.astimezone(UTC), end.astimezone(UTC)


def months_back(month: str, count: int) -> list[str]:
    """``count`` months ending with ``month``, oldest first."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def has_answers(connection: Connection, month: str, provider_id: int | None) -> bool:
    a = ANSWER.c
    where = [a.reporting_month == month]
    if provider_id is not None:
        where.append(a.provider_id == provider_id)
    return connection.execute(select(a.id).where(counted(*where)).limit(1)).first() is not None
