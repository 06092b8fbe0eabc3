"""Campaigns in the database: their definitions, the periods planned, and each person's run.

A run row is the named job behind one invitation: its unique key (campaign, contact, period)
means planning the same period twice, from a restart or from a second worker, adds nothing.
Workers take planned rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several share a
period without waiting on each other; SQLite serialises writers and needs no more. The caller
owns the transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert
from sqlalchemy import select as sql_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage import bulk
from storage.models import (
    Address,
    Campaign,
    CampaignPeriod,
    CampaignRun,
    Contact,
    Conversation,
    Invitation,
    OptOut,
    Outbox,
)
from storage.repository import stopped_by


class CampaignError(ValueError):
    """A problem with a campaign the operator must fix (unknown name, name taken…)."""


def by_name(db: Session, name: str) -> Campaign:
    found = db.exec(
        select(Campaign).where(Campaign.name == name.strip(), Campaign.status != "removed")
    ).first()
    if found is None:
        raise CampaignError(f"no campaign called {name!r}: see carevoice campaigns list")
    return found


def listed(db: Session) -> list[Campaign]:
    query = select(Campaign).where(Campaign.status != "removed").order_by(col(Campaign.name))
    return list(db.exec(query))


def active(db: Session) -> list[Campaign]:
    return list(db.exec(select(Campaign).where(Campaign.status == "active")))


def add(db: Session, campaign: Campaign) -> Campaign:
    if db.exec(select(Campaign.id).where(Campaign.name == campaign.name)).first() is not None:
        raise CampaignError(f"a campaign called {campaign.name!r} exists already")
    db.add(campaign)
    db.flush()
    return campaign


@dataclass(frozen=True)
class Person:
    """What planning needs of one contact, read in bulk (names stay encrypted)."""

    contact_id: int
    provider_id: int
    language: str
    easy_read: bool
    large_print: bool
    on_behalf: str | None
    preferred: str | None
    name_encrypted: bytes | None
    addresses: dict[str, tuple[int, str, bytes]]  # channel → (address id, keyed hash, encrypted)
    # Every address they have, (address id, channel, keyed hash): a STOP on any counts.
    held: tuple[tuple[int, str, str], ...] = ()


def people(
    db: Session, provider_ids: Sequence[int] | None, contact_ids: Sequence[int] | None = None
) -> list[Person]:
    """Every contact not erased of these providers (all when None), with their addresses.

    Plain rows, not ORM objects: a council's run reads thousands, and nothing here is changed."""
    chosen: list[Any] = [col(Contact.erased_at).is_(None)]
    if provider_ids is not None:
        chosen.append(col(Contact.provider_id).in_(provider_ids))
    if contact_ids is not None:
        chosen.append(col(Contact.id).in_(contact_ids))
    link = db.connection()
    query = sql_select(*_PERSON_COLUMNS).where(*chosen).order_by(col(Contact.id))
    contacts: list[Any] = list(link.execute(query))
    held = (
        sql_select(col(Address.contact_id), col(Address.channel), col(Address.id),
               col(Address.address_hash), col(Address.encrypted))
        .join(Contact, col(Contact.id) == col(Address.contact_id))
        .where(*chosen)
        .order_by(col(Address.id))
    )  # fmt: skip
    addresses: dict[int, dict[str, tuple[int, str, bytes]]] = {}
    every: dict[int, list[tuple[int, str, str]]] = {}
    rows: Any = link.execute(held)
    for contact_id, channel, address_id, address_hash, encrypted in rows:
        mine = addresses.setdefault(contact_id, {})
        mine.setdefault(channel, (address_id, address_hash, encrypted))
        every.setdefault(contact_id, []).append((address_id, channel, address_hash))
    return [_person(c, addresses.get(c[0], {}), every.get(c[0], [])) for c in contacts]


def _person(
    c: Any, addresses: dict[str, tuple[int, str, bytes]], held: list[tuple[int, str, str]]
) -> Person:
    return Person(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], addresses, tuple(held))


_PERSON_COLUMNS = (
    col(Contact.id), col(Contact.provider_id), col(Contact.language), col(Contact.easy_read),
    col(Contact.large_print), col(Contact.answers_on_behalf), col(Contact.preferred_channel),
    col(Contact.name_encrypted),
)  # fmt: skip


@dataclass(frozen=True)
class Suppression:
    """The suppression list as planning reads it, in one query: (channel, keyed hash) → the
    address's own row (active, when it last changed, when it last said STOP)."""

    rows: dict[tuple[str, str], tuple[bool, datetime, datetime | None]]

    def stopped(self, person: Person) -> set[str]:
        """The channels whose address must not be messaged, by ``repository.is_opted_out``'s
        rule: a STOP on any of their addresses stops all, a START re-enables only its own."""
        stops = {a: self.rows[(c, h)][2] for a, c, h in person.held if (c, h) in self.rows}
        found = set()
        for channel, (address_id, address_hash, _) in person.addresses.items():
            elsewhere = max(
                (at for a, at in stops.items() if a != address_id and at is not None),
                default=None,
            )
            own = self.rows.get((channel, address_hash))
            active, changed_at = (own[0], own[1]) if own is not None else (False, None)
            if stopped_by(active, changed_at, elsewhere):
                found.add(channel)
        return found


def suppression(db: Session, contact_ids: Sequence[int] | None = None) -> Suppression:
    """The whole list, or only the rows of these contacts' addresses (a batch's people)."""
    query = sql_select(
        col(OptOut.channel), col(OptOut.address_hash), col(OptOut.active),
        col(OptOut.changed_at), col(OptOut.stopped_at),
    )  # fmt: skip
    if contact_ids is not None:
        query = query.join(
            Address,
            (col(Address.channel) == col(OptOut.channel))
            & (col(Address.address_hash) == col(OptOut.address_hash)),
        ).where(col(Address.contact_id).in_(contact_ids))
    db.flush()  # Core, unlike the ORM's select, does not flush an opt-out said in this session
    rows: Any = db.connection().execute(query)
    return Suppression({(c, h): (bool(a), t, s) for c, h, a, t, s in rows})


def invitations_in(
    db: Session, month: str, contact_ids: Iterable[int] | None = None
) -> Counter[int]:
    """Survey invitations per contact in a month, from every campaign and every manual invite."""
    query = (
        select(Invitation.contact_id, func.count())
        .where(Invitation.month == month)
        .group_by(col(Invitation.contact_id))
    )
    if contact_ids is not None:
        query = query.where(col(Invitation.contact_id).in_(list(contact_ids)))
    return Counter({contact_id: int(count) for contact_id, count in db.exec(query)})


def insert_period(
    db: Session, campaign_id: int, period: str, due_at: datetime, at: datetime
) -> bool:
    """Claim the planning of a period; False when another worker (or an earlier run) has."""
    values = {"campaign_id": campaign_id, "period": period, "due_at": due_at, "planned_at": at}
    statement = (
        _insert(db, CampaignPeriod)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["campaign_id", "period"])
        .returning(col(CampaignPeriod.id))
    )
    # RETURNING, not rowcount: psycopg reports -1 rows for this statement, which read as True
    # let two workers both plan the same period (their runs' unique key kept them single).
    return db.exec(statement).first() is not None


def period_planned(db: Session, campaign_id: int, period: str) -> bool:
    query = select(CampaignPeriod.id).where(
        CampaignPeriod.campaign_id == campaign_id, CampaignPeriod.period == period
    )
    return db.exec(query).first() is not None


def insert_runs(db: Session, rows: list[dict[str, Any]]) -> None:
    """Many run rows in one statement; rows already there are left as they are."""
    table = cast(Table, CampaignRun.__table__)  # type: ignore[attr-defined]
    bulk.insert_rows(
        db.connection(), table, rows, skip_conflicts_on=("campaign_id", "contact_id", "period")
    )


def bare_insert_runs(db: Session, rows: list[dict[str, Any]]) -> None:
    """The same rows without conflict handling: the benchmark's baseline."""
    db.exec(insert(CampaignRun), params=rows)


def period_for_update(db: Session, campaign_id: int, period: str) -> CampaignPeriod | None:
    """The period's row, locked until commit: workers pacing one campaign take turns."""
    query = (
        select(CampaignPeriod)
        .where(CampaignPeriod.campaign_id == campaign_id, CampaignPeriod.period == period)
        .with_for_update()
    )
    return db.exec(query).first()


def claim_planned(
    db: Session, campaign_id: int, period: str, limit: int, skip_routes: Collection[str] = ()
) -> list[CampaignRun]:
    """Up to ``limit`` planned runs, locked for this transaction; others skip them.

    ``skip_routes``: routes whose throttle allows nothing more now, left for a later pass."""
    query = (
        select(CampaignRun)
        .where(
            CampaignRun.campaign_id == campaign_id,
            CampaignRun.period == period,
            CampaignRun.status == "planned",
        )
        .order_by(col(CampaignRun.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if skip_routes:
        query = query.where(col(CampaignRun.route).not_in(list(skip_routes)))
    return list(db.exec(query))


def runs_to_follow_up(db: Session, campaign_id: int, limit: int) -> list[CampaignRun]:
    """Invited runs still open (neither expired nor closed), locked like planned ones."""
    query = (
        select(CampaignRun)
        .where(
            CampaignRun.campaign_id == campaign_id,
            CampaignRun.status == "invited",
            col(CampaignRun.closed_at).is_(None),
        )
        .order_by(col(CampaignRun.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(db.exec(query))


def latest_period(db: Session, campaign_id: int) -> str | None:
    query = select(func.max(CampaignPeriod.period)).where(CampaignPeriod.campaign_id == campaign_id)
    return db.exec(query).one()


@dataclass(frozen=True)
class Progress:
    provider_id: int
    route: str | None
    status: str  # invited, delivered, started, finished, opted out, failed, waiting; or why not
    count: int
    # Never asked (left out at planning, or refused when their turn came): ``status`` is the
    # reason the run records ("opted out", "monthly cap", "erased"…), not a stage of a survey.
    not_invited: bool = False


def progress(db: Session, campaign_id: int, period: str) -> list[Progress]:
    """Each run of a period in the furthest state it reached, counted per provider and route."""
    query = (
        select(CampaignRun, Conversation.status, Conversation.session, Outbox.status)
        .outerjoin(Conversation, col(Conversation.id) == CampaignRun.conversation_id)
        .outerjoin(
            Outbox,
            (col(Outbox.conversation_id) == CampaignRun.conversation_id)
            & (Outbox.kind == "invitation"),
        )
        .where(CampaignRun.campaign_id == campaign_id, CampaignRun.period == period)
        .order_by(col(CampaignRun.id), col(Outbox.id))
    )
    counts: Counter[tuple[int, str | None, str, bool]] = Counter()
    seen: set[int] = set()
    for run, conversation, session, sent in db.exec(query):
        if run.id in seen:  # one row per run: its first invitation message tells delivery
            continue
        seen.add(run.id or 0)
        turns = int((session or {}).get("turns", 0))
        left_out = run.status not in {"invited", "planned"}
        stage = _stage(run, conversation, turns, sent)
        counts[(run.provider_id, run.route, stage, left_out)] += 1
    return [Progress(p, r, s, n, x) for (p, r, s, x), n in sorted(counts.items(), key=str)]


def _stage(run: CampaignRun, conversation: str | None, turns: int, sent: str | None) -> str:
    """How far an invited run got; "waiting" for one still to be invited; for one never
    invited (skipped, unavailable), the reason it records."""
    if run.status == "planned":
        return "waiting"
    if run.status != "invited":
        return run.reason or run.status
    if conversation == "completed":
        return "finished"
    if conversation == "opted_out" or sent == "suppressed":
        return "opted out"
    if sent in {"failed", "undelivered", "invalid"}:
        return "failed"
    if turns > 0:
        return "started"
    return "delivered" if sent == "delivered" else "invited"


def _insert(db: Session, table: Any) -> Any:
    dialect = db.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
