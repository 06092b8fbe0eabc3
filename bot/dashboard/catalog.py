"""What a viewer can choose from: providers they may see, months with answers, surveys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from bot.dashboard.access import Viewer
from reports.queries import ANSWER, counted
from storage.models import Provider


@dataclass(frozen=True)
class ProviderChoice:
    id: int
    name: str


def providers(engine: Engine, viewer: Viewer) -> list[ProviderChoice]:
    if not viewer.sees_reports:
        return []
    table = Provider.__table__  # type: ignore[attr-defined]
    query = select(table.c.id, table.c.name).order_by(func.lower(table.c.name))
    if not viewer.sees_all_providers:
        query = query.where(table.c.id == viewer.provider_id)
    with Session(engine) as db:
        return [ProviderChoice(int(pid), str(name)) for pid, name in db.execute(query)]


def provider(engine: Engine, viewer: Viewer, provider_id: int) -> ProviderChoice | None:
    """The provider if it exists and the viewer may see it; None either way otherwise."""
    if not viewer.may_see_provider(provider_id):
        return None
    with Session(engine) as db:
        row = db.get(Provider, provider_id)
    if row is None or row.id is None:
        return None
    return ProviderChoice(row.id, row.name)


def months(engine: Engine, provider_ids: list[int] | None, limit: int = 36) -> list[str]:
    """Months with counted answers, newest first: for some providers, or all (None)."""
    a = ANSWER.c
    where = [] if provider_ids is None else [a.provider_id.in_(provider_ids)]
    query = (
        select(a.reporting_month)
        .where(counted(*where))
        .group_by(a.reporting_month)
        .order_by(a.reporting_month.desc())
        .limit(limit)
    )
    with Session(engine) as db:
        return [str(row[0]) for row in db.execute(query)]


def with_answers(engine: Engine, provider_ids: list[int], month: str) -> list[int]:
    """Which of these providers have counted answers in ``month``."""
    a = ANSWER.c
    query = (
        select(a.provider_id)
        .where(counted(a.provider_id.in_(provider_ids), a.reporting_month == month))
        .group_by(a.provider_id)
    )
    with Session(engine) as db:
        return [int(row[0]) for row in db.execute(query)]
