"""The one reminder and the close of one campaign run, the same rule for period campaigns and
per-person waves: only when the run's survey ends differs (so many days after the invitation,
or the wave's window), and each caller says when that is.

Someone is reminded at most once, never if they finished, opted out (a STOP on any of their
addresses, as ``repository.is_opted_out`` has it), were erased or are part-way through. A
conversation route re-asks its question through the runner; a link route re-sends the personal
link already sent, by the same way, while that link still works. Both are queued as reminders,
so the outbox holds them in quiet hours and checks the suppression list again at sending; a
reminder is not an invitation, so it never counts towards the monthly cap.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.surveys.campaign_routes import LinkRoute, address_hashes
from bot.surveys.campaigns import Occurrence
from flows.session import Session as EngineSession
from storage import campaigns as store
from storage import repository as repo
from storage.models import Campaign, CampaignRun, Invitation
from storage.repository import reporting_month

if TYPE_CHECKING:
    from bot.jobs.schedule import CampaignJobs

NOT_REMINDED = "not reminded (answering or opted out)"


def follow_up_one(
    jobs: CampaignJobs, db: Session, campaign: Campaign, run: CampaignRun,
    ends: datetime | None, now: datetime,
) -> str:  # fmt: skip
    """Remind or close ``run`` (locked by the caller); ``ends``: None when the survey never
    ends. Returns what was done, "" for nothing worth counting."""
    if run.conversation_id is not None:
        return _conversation_run(jobs, db, run, ends, now)
    return _link_run(jobs, db, campaign, run, ends, now)


def _conversation_run(
    jobs: CampaignJobs, db: Session, run: CampaignRun, ends: datetime | None, now: datetime
) -> str:
    conversation = repo.conversation_for_update(db, run.conversation_id or 0)
    if conversation is None or conversation.status != "active":
        return _close(db, run, now, "")  # finished, opted out, erased or replaced
    if ends is not None and now >= ends:
        repo.close_conversation(db, conversation, now)
        return _close(db, run, now, "expired")
    if not _decide_once(db, run, now):
        return ""
    session = EngineSession.model_validate(conversation.session)
    if session.turns > 0 or repo.is_opted_out(
        db, conversation.channel, [conversation.address_hash]
    ):
        return NOT_REMINDED
    return "reminded" if jobs.runner.remind_in(db, conversation, now) else ""


def _link_run(
    jobs: CampaignJobs, db: Session, campaign: Campaign, run: CampaignRun,
    ends: datetime | None, now: datetime,
) -> str:  # fmt: skip
    invitation = db.get(Invitation, run.invitation_id or 0)
    if invitation is None:
        return _close(db, run, now, "")
    talk = None
    if invitation.conversation_id is not None:
        talk = repo.conversation_for_update(db, invitation.conversation_id)
        if talk is None or talk.status != "active":
            return _close(db, run, now, "")  # they answered on the web form, or it ended
    opened = invitation.used_at is not None
    link_ends = None if opened else invitation.expires_at
    ending = min((t for t in (ends, link_ends) if t is not None), default=None)
    if ending is not None and now >= ending:
        if talk is not None:
            repo.close_conversation(db, talk, now)
        elif not opened:
            invitation.expires_at = now  # the link stops with the survey
            db.add(invitation)
        return _close(db, run, now, "expired")
    link = run.link_encrypted
    if not _decide_once(db, run, now):
        return ""
    route = jobs.routes.get(run.route or "")
    person = next(iter(store.people(db, None, [run.contact_id])), None)  # None once erased
    if opened or link is None or person is None or not isinstance(route, LinkRoute):
        return NOT_REMINDED
    _, stored, encrypted = person.addresses[route.address_channel]
    hashes = address_hashes(jobs.runner.vault, route.address_channel, stored, encrypted)
    if repo.is_opted_out(db, route.address_channel, hashes):
        return NOT_REMINDED
    occurrence = Occurrence(run.period, now, reporting_month(now))
    invite = jobs.invite_for(db, campaign, occurrence, person, now)
    route.remind(db, invite, jobs.runner.vault.decrypt(link))
    return "reminded"


def _decide_once(db: Session, run: CampaignRun, now: datetime) -> bool:
    """Mark the run reminded (now, or never); False when that was decided before."""
    if run.reminded_at is not None:
        return False
    run.reminded_at = now
    run.link_encrypted = None  # its one use is now
    db.add(run)
    return True


def _close(db: Session, run: CampaignRun, now: datetime, outcome: str) -> str:
    run.closed_at = now
    run.link_encrypted = None
    db.add(run)
    return outcome
