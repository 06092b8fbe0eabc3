"""Inviting people to answer on the web form: a personal link each, sent by text or e-mail.

Each invitation gets a single-use token (``storage.invitation_links``) that expires with the
flow's expiry; only its hash is stored, so the link exists in clear only in the message sent.
The message, by text or by e-mail, waits in the outbox like any invitation (quiet hours, the
channel's rate, one send, retries) in the same transaction that creates the invitation; the
e-mail channel adds its unsubscribe link when it sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import Session

from bot.config.settings import Settings
from bot.surveys.invitations import Candidate
from flows.definition import Flow
from flows.events import Message
from storage import invitation_links
from storage import repository as repo
from storage.db import transaction
from storage.models import Invitation, Outbox

By = Literal["sms", "email"]


def link_text(settings: Settings, flow: Flow, link: str, opt_out: str) -> str:
    """The text of an invitation by SMS: who asks, what about, the link."""
    return f"{settings.web_organisation}: {flow.title}. Answer online: {link} {opt_out}".strip()


def email_text(settings: Settings, flow: Flow, link: str) -> str:
    """The words of an invitation by e-mail (its first sentence is the subject)."""
    return (
        f"{settings.web_organisation} would like to hear from you: {flow.title}.\n\n"
        f"Answer online (the link is for you only and works once):\n{link}\n\n"
        f"Your answers are saved as you go. If you do not want to take part, ignore this e-mail."
    )


def invite_to_web(
    settings: Settings, engine: Engine, flow: Flow, provider_id: int,
    candidates: list[Candidate], at: datetime, by: By, opt_out: str = "",
) -> int:  # fmt: skip
    """Create a personal link for each candidate and queue it; returns how many were queued."""
    public = settings.public_url.rstrip("/")
    queued = 0
    for candidate in candidates:
        with transaction(engine) as db:
            token = _new_invitation(db, flow, provider_id, candidate, at)
            link = f"{public}/s/{token}"
            if by == "sms":
                text = link_text(settings, flow, link, opt_out)
            else:
                text = email_text(settings, flow, link)
            _queue_text(db, candidate, text, at)
            queued += 1
    return queued


def _new_invitation(
    db: Session, flow: Flow, provider_id: int, candidate: Candidate, at: datetime
) -> str:
    invitation = Invitation(
        contact_id=candidate.contact.id or 0, provider_id=provider_id, flow_id=flow.id,
        channel="web", month=repo.reporting_month(at), created_at=at,
    )  # fmt: skip
    db.add(invitation)
    return invitation_links.attach_token(db, invitation, at + flow.expiry)


def _queue_text(db: Session, candidate: Candidate, text: str, at: datetime) -> None:
    assert candidate.address.id is not None
    message = Message(role="intro", text=text)
    db.add(
        Outbox(
            channel=candidate.address.channel, address_id=candidate.address.id,
            kind="invitation", body=message.model_dump(mode="json"), send_after=at,
            created_at=at,
        )
    )  # fmt: skip
