"""How one person is invited on the route chosen for them, behind one small interface.

A *conversation* route (SMS, Telegram) starts the survey on that channel through the runner; a
*link* route (a personal web link by text or by e-mail) records an invitation with a token and
queues one message carrying the link. A route is available only when the channels it needs are
registered; otherwise its people are reported as "channel not available", never sent some
other way behind the operator's back. ``first_messages`` builds exactly what ``invite`` queues,
so a preview shows what is then sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from bot.channels.registry import ChannelRegistry
from bot.surveys.campaign_bulk import Start, prefaced, start_many
from bot.surveys.runner import Runner
from flows.engine import start
from flows.events import Message
from flows.resumes import StartContext
from storage import campaigns as store
from storage import repository as repo
from storage.crypto import Vault
from storage.invitation_links import attach_token
from storage.models import Invitation

LINK_TEXT = {
    "en": "{council} would like to know what you think of your care from {provider}. "
    "Please answer here: {link}",
    "en-easy": "{council} wants to know about your care from {provider}. Answer here: {link}",
}
REMINDER_TEXT = {
    "en": "A reminder: {council} would still like to know what you think of your care from "
    "{provider}. Please answer here: {link}",
    "en-easy": "A reminder: {council} wants to know about your care from {provider}. "
    "Answer here: {link}",
}
PREVIEW_LINK = "<personal link>"


@dataclass(frozen=True)
class Invite:
    """One person's invitation in one period."""

    person: store.Person
    flow_id: str
    language: str
    month: str
    at: datetime
    preface: str | None
    expires_at: datetime | None


@dataclass(frozen=True)
class Sent:
    conversation_id: int | None = None
    invitation_id: int | None = None
    refused: str | None = None  # e.g. "opted out", found at the last moment
    link: str | None = None  # a link route's personal link, kept (encrypted) for the reminder


def address_hashes(vault: Vault, channel: str, stored: str, encrypted: bytes) -> list[str]:
    """Every keyed hash an address may be known by. With one key the stored hash is the only
    one; with several (mid-rotation) the address is decrypted to hash it under each."""
    if len(vault.keys) == 1:
        return [stored]
    return vault.lookup_hashes(channel, vault.decrypt(encrypted))


class Route(Protocol):
    name: str
    address_channel: str

    def available(self) -> bool: ...

    def first_messages(self, db: Session, invite: Invite) -> list[Message]: ...

    def invite_many(self, db: Session, invites: list[Invite]) -> list[Sent]:
        """Invite each person (all of one period, flow and time); one result per invite."""
        ...


class ConversationRoute:
    def __init__(self, name: str, runner: Runner, channels: ChannelRegistry, cap: int) -> None:
        self.name = self.address_channel = name
        self.runner, self.channels, self.cap = runner, channels, cap

    def available(self) -> bool:
        return self.name in self.channels

    def first_messages(self, db: Session, invite: Invite) -> list[Message]:
        flow = self.runner.catalog.get(invite.flow_id).flow
        values = repo.provider_context(db, invite.person.provider_id)
        _, events = start(flow, StartContext(at=invite.at, language=invite.language, values=values))
        messages = [event for event in events if isinstance(event, Message)]
        return prefaced(messages, invite.preface)

    def invite_many(self, db: Session, invites: list[Invite]) -> list[Sent]:
        """Everyone in one go (``campaign_bulk``): a council's run is thousands of people."""
        if not invites:
            return []
        entry = self.runner.catalog.get(invites[0].flow_id)
        vault = self.runner.vault
        starts = []
        for invite in invites:
            address_id, stored, encrypted = invite.person.addresses[self.address_channel]
            hashes = address_hashes(vault, self.name, stored, encrypted)
            starts.append(
                Start(
                    invite.person.contact_id,
                    invite.person.provider_id,
                    address_id,
                    hashes,
                    invite.language,
                    invite.preface,
                )
            )
        first = invites[0]
        started = start_many(
            db, self.name, entry.flow, entry.source, starts, first.at, first.month, self.cap
        )
        return [
            Sent(refused=found) if isinstance(found, str) else Sent(conversation_id=found)
            for found in (started[i.person.contact_id] for i in invites)
        ]


class LinkRoute:
    """A personal link to the web form, sent by text or by e-mail."""

    def __init__(self, name: str, via: str, channels: ChannelRegistry, public_url: str) -> None:
        self.name, self.address_channel = name, via
        self.channels, self.public_url = channels, public_url.rstrip("/")

    def available(self) -> bool:
        return "web" in self.channels and self.address_channel in self.channels

    def first_messages(self, db: Session, invite: Invite) -> list[Message]:
        return [self._message(db, invite, PREVIEW_LINK)]

    def invite_many(self, db: Session, invites: list[Invite]) -> list[Sent]:
        return [self._invite(db, invite) for invite in invites]

    def _invite(self, db: Session, invite: Invite) -> Sent:
        person = invite.person
        address_id = person.addresses[self.address_channel][0]
        invitation = Invitation(
            contact_id=person.contact_id, provider_id=person.provider_id, flow_id=invite.flow_id,
            channel="web", month=invite.month, created_at=invite.at,
        )  # fmt: skip
        token = attach_token(db, invitation, invite.expires_at)
        link = f"{self.public_url}/s/{token}" + ("?print=large" if person.large_print else "")
        address = repo.address_by_id(db, address_id)
        repo.queue_replies(
            db, address, None, [self._message(db, invite, link)], invite.at, kind="invitation"
        )
        return Sent(invitation_id=invitation.id, link=link)

    def remind(self, db: Session, invite: Invite, link: str) -> None:
        """Queue the one reminder: the same link, by the same way, in reminder wording."""
        address = repo.address_by_id(db, invite.person.addresses[self.address_channel][0])
        message = self._message(db, invite, link, REMINDER_TEXT)
        repo.queue_replies(db, address, None, [message], invite.at, kind="reminder")

    def _message(
        self, db: Session, invite: Invite, link: str, wording: dict[str, str] = LINK_TEXT
    ) -> Message:
        values = {"council": "The council", "provider": "your care provider"}
        values |= repo.provider_context(db, invite.person.provider_id)
        text = wording.get(invite.language, wording["en"]).format(link=link, **values)
        via = self.address_channel
        line = self.channels.get(via).opt_out_line(invite.language) if via in self.channels else ""
        return prefaced([Message(role="intro", text=f"{text}\n{line}".strip())], invite.preface)[0]


def build_routes(
    runner: Runner, channels: ChannelRegistry, public_url: str, names: Iterable[str], cap: int
) -> dict[str, Route]:
    """``cap``: survey invitations a person may have a month, checked again at sending."""
    made: dict[str, Route] = {
        "sms": ConversationRoute("sms", runner, channels, cap),
        "telegram": ConversationRoute("telegram", runner, channels, cap),
        "web_sms": LinkRoute("web_sms", "sms", channels, public_url),
        "web_email": LinkRoute("web_email", "email", channels, public_url),
    }
    return {name: made[name] for name in names}
