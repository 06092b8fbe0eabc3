"""The scheduled jobs of campaigns: plan each period once, invite each person once, then one
reminder to those who have not answered at all, and expiry.

Jobs live in the database we already have (DESIGN.md). A period is planned in one transaction
(its ``campaignperiod`` row and every person's ``campaignrun`` row, keys unique), and each
person's run is done in the same transaction that starts their conversation, on rows taken with
``FOR UPDATE SKIP LOCKED``. So a restart, a second worker or ``kill -9`` mid-run neither invites
anyone twice (the run is no longer ``planned`` once committed) nor skips anyone (a killed
worker's transaction rolls back and its rows are planned again for the next worker).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine, Table
from sqlmodel import Session, col, select

from bot.jobs.follow_up import follow_up_one
from bot.jobs.outbox import in_quiet_hours, parse_quiet_hours
from bot.jobs.person_waves import PersonWaveJobs
from bot.surveys.campaign_routes import Invite, Route, Sent, build_routes
from bot.surveys.campaigns import (
    ROUTE_ADDRESS,
    ROUTES,
    Occurrence,
    Planned,
    language_of,
    occurrence_at,
    parse_order,
    plan_one,
)
from bot.surveys.campaigns import plan as plan_people
from bot.surveys.campaigns import preface as preface_for
from bot.surveys.person_waves import mark_run_wave
from bot.surveys.runner import Runner
from bot.surveys.schedules import ScheduleError
from bot.surveys.throttles import Pace
from flows.events import Message
from storage import bulk
from storage import campaigns as store
from storage.crypto import Vault
from storage.db import transaction
from storage.models import Campaign, CampaignPeriod, CampaignRun

if TYPE_CHECKING:
    from bot.config.wiring import Services

Log = Callable[[dict[str, Any]], None]
CAMPAIGN_RUN = cast(Table, CampaignRun.__table__)  # type: ignore[attr-defined]
NOT_AVAILABLE = "channel not available"


@dataclass(frozen=True)
class Rules:
    order: tuple[str, ...]
    cap: int
    batch: int
    quiet: tuple[clock_time, clock_time] | None


@dataclass(frozen=True)
class Preview:
    """What a period would do, computed by the same planning and routes as the run itself."""

    occurrence: Occurrence
    planned: list[Planned]
    available: dict[str, bool]  # route → its channels are registered
    messages: list[tuple[Planned, list[Message]]]  # each person to invite, and their first texts


class CampaignJobs:
    def __init__(
        self, engine: Engine, runner: Runner, routes: dict[str, Route], rules: Rules, log: Log
    ) -> None:
        self.engine, self.runner, self.routes, self.rules, self.log = (
            engine, runner, routes, rules, log
        )  # fmt: skip
        self.person_waves = PersonWaveJobs(self)

    def run_due(self, now: datetime) -> Counter[str]:
        """Everything due at ``now`` for every active campaign; counts by outcome."""
        with transaction(self.engine) as db:
            campaigns = store.active(db)
        done: Counter[str] = Counter()
        for campaign in campaigns:
            if campaign.waves is not None:  # per person: each contact's own due dates
                done += self.person_waves.run(campaign, now)
                continue
            try:
                occurrence = occurrence_at(campaign, now)
            except ScheduleError as error:
                self.log({"event": "campaign.bad_schedule", "campaign": campaign.name,
                          "error": str(error)})  # fmt: skip
                continue
            if occurrence is not None:
                done += self.run_period(campaign, occurrence, now)
            done += self.follow_up(campaign, now)
        return done

    def run_period(self, campaign: Campaign, occurrence: Occurrence, now: datetime) -> Counter[str]:
        self.plan_period(campaign, occurrence, now)
        if in_quiet_hours(now, self.rules.quiet):
            self.log({"event": "campaign.waiting", "campaign": campaign.name,
                      "period": occurrence.period, "reason": "quiet hours"})  # fmt: skip
            return Counter()
        done: Counter[str] = Counter()
        while (batch := self._invite_batch(campaign, occurrence, now)) is not None:
            done += batch
        if done:
            self.log({"event": "campaign.invited", "campaign": campaign.name,
                      "period": occurrence.period, **done})  # fmt: skip
        return done

    def plan_period(self, campaign: Campaign, occurrence: Occurrence, now: datetime) -> bool:
        """Write the period's runs once; False when it was planned before (by anyone)."""
        assert campaign.id is not None
        with transaction(self.engine) as db:
            if store.period_planned(db, campaign.id, occurrence.period):
                return False
            if not store.insert_period(db, campaign.id, occurrence.period, occurrence.due_at, now):
                return False
            planned = plan_people(db, campaign, occurrence.month, self.rules.order, self.rules.cap)
            store.insert_runs(db, [_row(campaign.id, occurrence, p, now) for p in planned])
        reasons = Counter(p.reason or "to invite" for p in planned)
        self.log({"event": "campaign.planned", "campaign": campaign.name,
                  "period": occurrence.period, "people": len(planned), **reasons})  # fmt: skip
        return True

    def _invite_batch(
        self, campaign: Campaign, occurrence: Occurrence, now: datetime
    ) -> Counter[str] | None:
        """Invite one batch; None when nothing more can be done now (all done, or throttled)."""
        assert campaign.id is not None
        with transaction(self.engine) as db:
            pace, period = self._pace(db, campaign, occurrence)
            held = pace.exhausted(now)
            skip = [route for route in ROUTES if ROUTE_ADDRESS[route] in held]
            runs = store.claim_planned(db, campaign.id, occurrence.period, self.rules.batch, skip)
            if not runs:
                return None
            ids = [run.contact_id for run in runs]
            people = {p.contact_id: p for p in store.people(db, None, ids)}
            suppressed = store.suppression(db, ids)
            invited = store.invitations_in(db, occurrence.month, ids)
            done: Counter[str] = Counter()
            sending: dict[str, list[tuple[CampaignRun, Invite]]] = {}
            for run in runs:
                person = people.get(run.contact_id)
                if person is None:
                    done[_close(db, run, "skipped", "erased")] += 1
                    continue
                fresh = plan_one(
                    person, suppressed, invited[person.contact_id], self.rules.order, self.rules.cap
                )
                reason = self._refusal(fresh)
                if reason is not None:
                    run.route = fresh.route
                    done[_close(db, run, *reason)] += 1
                    continue
                if not pace.take(ROUTE_ADDRESS[fresh.route or ""], now):
                    continue  # stays planned for a later pass
                invite = self.invite_for(db, campaign, occurrence, person, now)
                sending.setdefault(fresh.route or "", []).append((run, invite))
            invited_runs: list[dict[str, Any]] = []
            vault = self.runner.vault
            for route, items in sending.items():
                sent = self.routes[route].invite_many(db, [invite for _, invite in items])
                for (run, _), result in zip(items, sent, strict=True):
                    done[_mark(db, run, route, result, now, invited_runs, vault)] += 1
                    if campaign.waves is not None and result.refused is None:
                        mark_run_wave(db, self.runner.vault, result.conversation_id, run.period)
            bulk.update_rows(db.connection(), CAMPAIGN_RUN, invited_runs)
            if period is not None:
                period.paced = dict(pace.due)
                db.add(period)
            return done or None

    def _pace(
        self, db: Session, campaign: Campaign, occurrence: Occurrence
    ) -> tuple[Pace, CampaignPeriod | None]:
        """The campaign's throttles and how far its period has got; an unthrottled campaign
        locks nothing, so its workers never wait on one another."""
        if not campaign.throttles:
            return Pace({}), None
        period = store.period_for_update(db, campaign.id or 0, occurrence.period)
        return Pace(campaign.throttles, dict(period.paced or {}) if period else {}), period

    def _refusal(self, planned: Planned) -> tuple[str, str | None] | None:
        """Why this run is not sent after all (status, reason), or None to send it."""
        if planned.reason is not None or planned.route is None:
            return "skipped", planned.reason
        route = self.routes.get(planned.route)
        if route is None or not route.available():
            return "unavailable", NOT_AVAILABLE
        return None

    def invite_for(
        self, db: Session, campaign: Campaign, occurrence: Occurrence, person: store.Person,
        at: datetime,
    ) -> Invite:  # fmt: skip
        """What a route needs to invite one person (also what a preview renders)."""
        name = None
        if person.on_behalf and person.name_encrypted:
            name = self.runner.vault.decrypt(person.name_encrypted)
        expires = at + timedelta(days=campaign.expire_after_days or 7)
        return Invite(
            person, campaign.flow_id, language_of(person), occurrence.month, at,
            preface_for(person, name), expires,
        )  # fmt: skip

    def preview(self, campaign: Campaign, occurrence: Occurrence) -> Preview:
        """Plan the period without writing anything (the job re-plans at run time)."""
        with Session(self.engine) as db:  # read only: closed without a commit
            planned = plan_people(db, campaign, occurrence.month, self.rules.order, self.rules.cap)
            available = {name: route.available() for name, route in self.routes.items()}
            messages = []
            for person in planned:
                route = self.routes.get(person.route or "")
                if person.invited and route is not None:
                    invite = self.invite_for(
                        db, campaign, occurrence, person.person, occurrence.due_at
                    )
                    messages.append((person, route.first_messages(db, invite)))
        return Preview(occurrence, planned, available, messages)

    def follow_up(self, campaign: Campaign, now: datetime) -> Counter[str]:
        """The one reminder (to those who have not answered at all) and the campaign's expiry."""
        done: Counter[str] = Counter()
        for ids in _chunks(self._open_runs(campaign, now), self.rules.batch):
            with transaction(self.engine) as db:
                query = (
                    select(CampaignRun)
                    .where(col(CampaignRun.id).in_(ids), col(CampaignRun.closed_at).is_(None))
                    .with_for_update(skip_locked=True)
                )
                for run in db.exec(query):
                    done[follow_up_one(self, db, campaign, run, _ends(campaign, run), now)] += 1
        done.pop("", None)
        if done:
            self.log({"event": "campaign.follow_up", "campaign": campaign.name, **done})
        return done

    def _open_runs(self, campaign: Campaign, now: datetime) -> list[int]:
        remind = campaign.remind_after_days
        expire = campaign.expire_after_days
        with transaction(self.engine) as db:
            query = select(CampaignRun.id, CampaignRun.invited_at, CampaignRun.reminded_at).where(
                CampaignRun.campaign_id == campaign.id,
                CampaignRun.status == "invited",
                col(CampaignRun.closed_at).is_(None),
            )
            rows = list(db.exec(query))
        due = []
        for run_id, invited_at, reminded_at in rows:
            if invited_at is None:
                continue
            age = now - invited_at
            if (expire is not None and age >= timedelta(days=expire)) or (
                remind is not None and reminded_at is None and age >= timedelta(days=remind)
            ):
                due.append(run_id or 0)
        return due


def _ends(campaign: Campaign, run: CampaignRun) -> datetime | None:
    expire = campaign.expire_after_days
    if expire is None or run.invited_at is None:
        return None
    return run.invited_at + timedelta(days=expire)


def _row(
    campaign_id: int, occurrence: Occurrence, planned: Planned, at: datetime
) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id, "contact_id": planned.person.contact_id,
        "provider_id": planned.person.provider_id, "period": occurrence.period,
        "route": planned.route, "status": "planned" if planned.invited else "skipped",
        "reason": planned.reason, "planned_at": at,
    }  # fmt: skip


def _mark(
    db: Session, run: CampaignRun, route: str, sent: Sent, at: datetime,
    invited: list[dict[str, Any]], vault: Vault,
) -> str:  # fmt: skip
    """Close a run refused at the last moment; add an invited one to ``invited``, written for
    the whole batch in one statement (a run's ORM flush would be one UPDATE per person)."""
    if sent.refused is not None:
        run.route = route
        return _close(db, run, "skipped", sent.refused)
    invited.append({
        "id": run.id, "route": route, "status": "invited", "invited_at": at,
        "conversation_id": sent.conversation_id, "invitation_id": sent.invitation_id,
        "link_encrypted": vault.encrypt(sent.link) if sent.link else None,
    })  # fmt: skip
    return "invited"


def _close(db: Session, run: CampaignRun, status: str, reason: str | None) -> str:
    run.status, run.reason = status, reason
    db.add(run)
    return reason or status


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def campaign_jobs(services: Services, log: Log) -> CampaignJobs:
    """The jobs, wired from the settings: routes through the channel registry."""
    settings = services.settings
    order = parse_order(settings.channel_order)
    routes = build_routes(
        services.runner, services.channels, settings.public_url, ROUTES,
        settings.invitations_per_month,
    )  # fmt: skip
    rules = Rules(
        order, settings.invitations_per_month, settings.campaign_batch,
        parse_quiet_hours(settings.quiet_hours),
    )  # fmt: skip
    return CampaignJobs(services.engine, services.runner, routes, rules, log)
