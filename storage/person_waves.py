"""What per-person campaigns read: who has a start date, which waves each has been asked, the
invited runs still open with the start date their window is counted from, and the wave a
personal link was sent for.

Apart from ``storage.campaigns`` (the period campaigns' reads) so that each stays small. The
caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from storage.models import Campaign, CampaignRun, Contact


def started(db: Session, provider_ids: Sequence[int] | None) -> dict[int, date]:
    """Contact id → the day they started with the provider, for everyone not erased who has one."""
    query = select(col(Contact.id), col(Contact.started_on)).where(
        col(Contact.erased_at).is_(None), col(Contact.started_on).is_not(None)
    )
    if provider_ids is not None:
        query = query.where(col(Contact.provider_id).in_(provider_ids))
    return {int(i or 0): d for i, d in db.exec(query) if d is not None}


def asked(db: Session, campaign_id: int) -> set[tuple[int, str]]:
    """(contact id, wave) of every run the campaign holds, whatever became of it."""
    query = select(CampaignRun.contact_id, CampaignRun.period).where(
        CampaignRun.campaign_id == campaign_id
    )
    return {(int(c), str(p)) for c, p in db.exec(query)}


def open_runs(db: Session, campaign_id: int) -> list[tuple[CampaignRun, date | None]]:
    """Invited runs not yet closed, each with its person's start date (None once erased)."""
    return [(run, on) for run, on in db.exec(_runs_with_start_query(campaign_id, "invited"))]


def planned_runs(db: Session, campaign_id: int) -> list[tuple[CampaignRun, date | None]]:
    """Runs planned and not yet invited (held by quiet hours or a throttle), likewise, locked
    so that a worker inviting one now is not overwritten; one it holds is left to it."""
    query = _runs_with_start_query(campaign_id, "planned").with_for_update(
        skip_locked=True, of=CampaignRun
    )
    return [(run, on) for run, on in db.exec(query)]


def _runs_with_start_query(campaign_id: int, status: str) -> Any:
    return (
        select(CampaignRun, col(Contact.started_on))
        .join(Contact, col(Contact.id) == CampaignRun.contact_id)
        .where(
            CampaignRun.campaign_id == campaign_id,
            CampaignRun.status == status,
            col(CampaignRun.closed_at).is_(None),
        )
        .order_by(col(CampaignRun.id))
    )


def wave_of_invitation(db: Session, invitation_id: int) -> str | None:
    """The wave a per-person campaign sent this personal link for; None for any other link.

    A link's conversation begins only when it is opened, so the web form marks its wave then."""
    query = (
        select(CampaignRun.period)
        .join(Campaign, col(Campaign.id) == CampaignRun.campaign_id)
        .where(CampaignRun.invitation_id == invitation_id, col(Campaign.waves).is_not(None))
    )
    return db.exec(query).first()
