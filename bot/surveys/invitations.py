"""Inviting a provider's people to a survey: who is eligible, and the first text for each.

Eligible: not erased, has an address on the channel, not opted out, and fewer invitations this
month than the cap (FFT practice: at most one survey text a month per person).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.surveys.runner import Runner
from storage import repository as repo
from storage.crypto import Vault
from storage.models import Address, Contact, Invitation
from storage.providers import provider_names, unknown_provider


class InviteError(ValueError):
    """A problem the person running the command must fix."""


@dataclass(frozen=True)
class Candidate:
    contact: Contact
    address: Address


@dataclass
class InvitePlan:
    eligible: list[Candidate] = field(default_factory=list)
    opted_out: int = 0
    already_invited: int = 0
    no_address: int = 0


def plan(
    engine: Engine, provider: str, channel: str, month: str, cap: int
) -> tuple[int, InvitePlan]:
    """The provider's id and who would be invited."""
    with Session(engine) as db:
        found = repo.provider_by_name(db, provider)
        if found is None or found.id is None:
            fix = "add it with carevoice providers add"
            raise InviteError(unknown_provider(provider, provider_names(db), fix))
        result = InvitePlan()
        contacts = db.exec(
            select(Contact).where(Contact.provider_id == found.id, col(Contact.erased_at).is_(None))
        )
        for contact in contacts:
            _classify(db, contact, channel, month, cap, result)
        return found.id, result


def _classify(
    db: Session, contact: Contact, channel: str, month: str, cap: int, result: InvitePlan
) -> None:
    address = db.exec(
        select(Address).where(Address.contact_id == contact.id, Address.channel == channel)
    ).first()
    if address is None:
        result.no_address += 1
    elif repo.is_opted_out(db, channel, [address.address_hash]):
        result.opted_out += 1
    elif _invitations(db, contact, month) >= cap:
        result.already_invited += 1
    else:
        result.eligible.append(Candidate(contact, address))


def _invitations(db: Session, contact: Contact, month: str) -> int:
    query = select(func.count()).where(
        Invitation.contact_id == contact.id, Invitation.month == month
    )
    return int(db.exec(query).one())


def send_invitations(
    runner: Runner,
    vault: Vault,
    flow_id: str,
    provider_id: int,
    candidates: list[Candidate],
    at: datetime,
) -> int:
    """Start each person's conversation; its first texts wait in the outbox for the worker."""
    started = 0
    for candidate in candidates:
        outcome = runner.start_for(
            candidate.address.channel,
            vault.decrypt(candidate.address.encrypted),
            flow_id,
            at,
            contact_id=candidate.contact.id,
            provider_id=provider_id,
            language=repo.contact_language(candidate.contact),
            invitation_month=repo.reporting_month(at),
        )
        started += bool(outcome.replies)
    return started


def masked(phone: str) -> str:
    """Enough of a number to recognise it in a dry run, not enough to misuse it."""
    return phone[:4] + "•" * max(len(phone) - 7, 0) + phone[-3:] if len(phone) > 7 else "•••"
