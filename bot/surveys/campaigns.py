"""Planning a campaign's period: who is asked, and on which channel (Accessible Information
Standard: each person's recorded needs decide).

One function, ``plan``, serves both ``campaigns preview`` and the worker, so what a preview
shows is what is then sent. Never invited: erased people (not read at all), anyone whose every
address is stopped by the outbox's own rule (a STOP on any address stops all; a START re-enables
only the address it came from, which then serves), and anyone who already had the monthly number
of survey invitations from any campaign or invite.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.surveys.schedules import Schedule, parse_schedule, period_key
from storage import campaigns as store
from storage.models import Campaign
from storage.repository import reporting_month

# A route is how a person is asked; each needs an address on one channel to reach them.
ROUTE_ADDRESS = {"sms": "sms", "telegram": "telegram", "web_sms": "sms", "web_email": "email"}
ROUTES = tuple(ROUTE_ADDRESS)
PREFACE = {"en": "This survey is for {name}.", "en-easy": "These questions are for {name}."}


def parse_order(text: str) -> tuple[str, ...]:
    order = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [route for route in order if route not in ROUTE_ADDRESS]
    if unknown:
        raise ValueError(f"unknown channel {unknown[0]!r} in the order: choose from {ROUTES}")
    return order


@dataclass(frozen=True)
class Planned:
    person: store.Person
    route: str | None
    reason: str | None  # why not invited: "opted out", "monthly cap", "no address"

    @property
    def invited(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class Occurrence:
    period: str
    due_at: datetime
    month: str


def occurrence_at(campaign: Campaign, at: datetime) -> Occurrence | None:
    """The period due at ``at``: the schedule's latest occurrence, within the start and end.

    An occurrence of an earlier month is never caught up (a worker that was down all of
    November does not send November's survey in December): its month's cap and report are
    gone, and December's own run follows."""
    schedule = parse_schedule(campaign.schedule)
    due = schedule.latest(at)
    if due is None or (campaign.starts_at is not None and due < campaign.starts_at):
        return None
    if reporting_month(due) != reporting_month(at):
        return None
    if campaign.ends_at is not None and due > campaign.ends_at:
        return None
    return Occurrence(period_key(due), due, reporting_month(due))


def next_occurrence(schedule: Schedule, at: datetime) -> Occurrence:
    """The first occurrence at or after ``at`` (what ``preview --at`` shows)."""
    due = schedule.next_after(at - timedelta(seconds=1))
    return Occurrence(period_key(due), due, reporting_month(due))


def plan(
    db: Session, campaign: Campaign, month: str, order: tuple[str, ...], cap: int
) -> list[Planned]:
    """Everyone the campaign covers, each with a route or the reason they are left out."""
    people = store.people(db, campaign.provider_ids)
    suppressed = store.suppression(db)
    invited = store.invitations_in(db, month)
    return [plan_one(p, suppressed, invited[p.contact_id], order, cap) for p in people]


def plan_one(
    person: store.Person, suppressed: store.Suppression, invited: int,
    order: tuple[str, ...], cap: int,
) -> Planned:  # fmt: skip
    stopped = suppressed.stopped(person)
    route = choose_route(person, order, stopped)
    if route is None:
        return Planned(person, None, "opted out" if stopped else "no address")
    if invited >= cap:
        return Planned(person, route, "monthly cap")
    return Planned(person, route, None)


def choose_route(
    person: store.Person, order: tuple[str, ...], stopped: AbstractSet[str] = frozenset()
) -> str | None:
    """Their preferred route if we hold the address it needs, else the first in the order;
    never by an address in ``stopped`` (an address they re-enabled with START still serves)."""
    candidates: list[str] = [*order]
    if person.preferred in ROUTES:
        candidates.insert(0, str(person.preferred))
    for route in candidates:
        channel = ROUTE_ADDRESS[route]
        if channel in person.addresses and channel not in stopped:
            return route
    return None


def language_of(person: store.Person) -> str:
    """The flow language they read best: easy-read English where that is their need."""
    if person.easy_read and person.language.split("-")[0] == "en":
        return "en-easy"
    return person.language


def preface(person: store.Person, name: str | None) -> str | None:
    """Someone answers for them: the invitation says whose survey it is, by first name only."""
    if not person.on_behalf or not name or not name.split():
        return None
    text = PREFACE.get(language_of(person), PREFACE["en"])
    return text.format(name=name.split()[0])
