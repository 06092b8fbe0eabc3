"""The worker's part in per-person campaigns: each run, invite everyone whose wave has just come
due, remind once within the window those who have not answered at all, and close the survey
when the window ends.

Planning writes a run only for someone who can be invited now; someone held back (opted out,
no address, the monthly cap) gets no row and is looked at again on the next run while their
window is open. Inviting is the period campaigns' own batch (``CampaignJobs._invite_batch``,
runs claimed with ``SKIP LOCKED`` per wave), so restarts and two workers never invite anyone
twice, and the conversation is marked with its wave in the transaction that starts it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from bot.jobs.follow_up import follow_up_one
from bot.jobs.outbox import in_quiet_hours
from bot.surveys.campaigns import Occurrence, Planned, plan_one
from bot.surveys.person_waves import DueWave, open_waves, waves_of, window_of
from storage import campaigns as store
from storage import person_waves as wave_store
from storage.crypto import Vault
from storage.db import transaction
from storage.models import Campaign, CampaignRun
from storage.repository import reporting_month

if TYPE_CHECKING:
    from bot.jobs.schedule import CampaignJobs, Preview

PREVIEW_PERIOD = "per person"
WINDOW_ENDED = "window ended"


@dataclass(frozen=True)
class DuePerson:
    planned: Planned
    due: DueWave


class PersonWaveJobs:
    def __init__(self, jobs: CampaignJobs) -> None:
        self.jobs = jobs

    def run(self, campaign: Campaign, now: datetime) -> Counter[str]:
        if _running(campaign, now):
            self.plan(campaign, now)
        closed = self.close_ended(campaign, now)  # not sending: quiet hours do not hold it
        done: Counter[str] = Counter()
        if in_quiet_hours(now, self.jobs.rules.quiet):
            self.jobs.log({"event": "campaign.waiting", "campaign": campaign.name,
                           "reason": "quiet hours"})  # fmt: skip
        else:
            for wave in waves_of(campaign):
                occurrence = Occurrence(wave.name, now, reporting_month(now))
                while (batch := self.jobs._invite_batch(campaign, occurrence, now)) is not None:
                    done += batch
            if done:
                self.jobs.log({"event": "campaign.invited", "campaign": campaign.name, **done})
        return done + closed + self.follow_up(campaign, now)

    def due_now(self, db: Session, campaign: Campaign, now: datetime) -> list[DuePerson]:
        """Everyone whose wave is open at ``now`` and who has not been asked it yet."""
        assert campaign.id is not None
        asked = wave_store.asked(db, campaign.id)
        due: dict[int, DueWave] = {}
        for contact, on in wave_store.started(db, campaign.provider_ids).items():
            waiting = [
                w for w in open_waves(campaign, on, now) if (contact, w.wave.name) not in asked
            ]
            if waiting:
                due[contact] = waiting[0]
        people = store.people(db, None, list(due))
        suppressed = store.suppression(db, list(due))
        invited = store.invitations_in(db, reporting_month(now), list(due))
        rules = self.jobs.rules
        return [
            DuePerson(plan_one(p, suppressed, invited[p.contact_id], rules.order, rules.cap),
                      due[p.contact_id])
            for p in people
        ]  # fmt: skip

    def preview(self, campaign: Campaign, at: datetime) -> tuple[Preview, dict[int, str]]:
        """Who is due at ``at``, planned as the run would, and each person's wave; writes
        nothing."""
        from bot.jobs.schedule import Preview  # schedule imports this module

        occurrence = Occurrence(PREVIEW_PERIOD, at, reporting_month(at))
        with Session(self.jobs.engine) as db:  # read only: closed without a commit
            found = self.due_now(db, campaign, at)
            available = {name: route.available() for name, route in self.jobs.routes.items()}
            messages = []
            for due in found:
                route = self.jobs.routes.get(due.planned.route or "")
                if due.planned.invited and route is not None:
                    invite = self.jobs.invite_for(db, campaign, occurrence, due.planned.person, at)
                    messages.append((due.planned, route.first_messages(db, invite)))
        waves = {d.planned.person.contact_id: d.due.wave.name for d in found}
        return Preview(occurrence, [d.planned for d in found], available, messages), waves

    def plan(self, campaign: Campaign, now: datetime) -> None:
        assert campaign.id is not None
        with transaction(self.jobs.engine) as db:
            found = self.due_now(db, campaign, now)
            vault = self.jobs.runner.vault
            rows = [_row(campaign.id, d, now, vault) for d in found if d.planned.invited]
            store.insert_runs(db, rows)
        if found:
            held = Counter(d.planned.reason for d in found if d.planned.reason)
            waves = Counter(d.due.wave.name for d in found if d.planned.invited)
            self.jobs.log({"event": "campaign.planned", "campaign": campaign.name,
                           "people": len(rows), **waves, **held})  # fmt: skip

    def close_ended(self, campaign: Campaign, now: datetime) -> Counter[str]:
        """Runs still planned when their window ended (planned in quiet hours, or held by a
        throttle) are never invited late: they close as "window ended"."""
        assert campaign.id is not None
        with transaction(self.jobs.engine) as db:
            ended = [
                run
                for run, on in wave_store.planned_runs(db, campaign.id)
                if (closes := _closes(campaign, run, on)) is None or now >= closes
            ]
            for run in ended:
                run.status, run.reason, run.closed_at = "skipped", WINDOW_ENDED, now
                db.add(run)
        if not ended:
            return Counter()
        self.jobs.log({"event": "campaign.closed", "campaign": campaign.name,
                       WINDOW_ENDED: len(ended)})  # fmt: skip
        return Counter({WINDOW_ENDED: len(ended)})

    def follow_up(self, campaign: Campaign, now: datetime) -> Counter[str]:
        """One reminder within the window to those who have not answered, then the close."""
        assert campaign.id is not None
        with transaction(self.jobs.engine) as db:
            due = [
                (run.id or 0, closes)
                for run, on in wave_store.open_runs(db, campaign.id)
                if _due(campaign, run, (closes := _closes(campaign, run, on)), now)
            ]
        done: Counter[str] = Counter()
        for run_id, closes in due:
            with transaction(self.jobs.engine) as db:
                query = (
                    select(CampaignRun)
                    .where(CampaignRun.id == run_id, col(CampaignRun.closed_at).is_(None))
                    .with_for_update(skip_locked=True)
                )
                for run in db.exec(query):
                    # No window (erased, or the wave is gone): the survey ends now.
                    done[follow_up_one(self.jobs, db, campaign, run, closes or now, now)] += 1
        done.pop("", None)
        if done:
            self.jobs.log({"event": "campaign.follow_up", "campaign": campaign.name, **done})
        return done


def _running(campaign: Campaign, now: datetime) -> bool:
    """Within its start and end: outside them nobody new is asked, but open waves carry on."""
    started = campaign.starts_at is None or campaign.starts_at <= now
    return started and (campaign.ends_at is None or now <= campaign.ends_at)


def _closes(campaign: Campaign, run: CampaignRun, started_on: date | None) -> datetime | None:
    wave = next((w for w in waves_of(campaign) if w.name == run.period), None)
    if started_on is None or wave is None:
        return None  # erased, or the wave is no longer the campaign's: close it now
    return window_of(campaign, started_on, wave).closes_at


def _due(campaign: Campaign, run: CampaignRun, closes: datetime | None, now: datetime) -> bool:
    if closes is None or now >= closes:
        return True
    remind = campaign.remind_after_days
    return (
        remind is not None
        and run.reminded_at is None
        and run.invited_at is not None
        and now - run.invited_at >= timedelta(days=remind)
    )


def _row(campaign_id: int, due: DuePerson, at: datetime, vault: Vault) -> dict[str, Any]:
    person = due.planned.person
    return {
        "campaign_id": campaign_id, "contact_id": person.contact_id,
        "provider_id": person.provider_id, "period": due.due.wave.name,
        "route": due.planned.route, "status": "planned", "reason": None, "planned_at": at,
        "person_key": vault.person_keys(person.contact_id)[0],
    }  # fmt: skip
