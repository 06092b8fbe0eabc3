"""One person's data: finding them, and every row that holds their identity or their words.
Used by subject access (``storage.subject_access``) and erasure (``storage.erasure``). The
caller owns the transaction.

``HOLDINGS`` is the one list of the tables that hold a person, with how to find their rows and
what erasure does with them. Subject access exports and erasure go through it, so a new table
(a new channel's) is exported and erased once it is listed here, and a test fails while a table
with a person column (an address hash, a contact, address or conversation id) is missing.

A person is found by any address (phone, Telegram chat id, e-mail). Conversations, inbound
messages and opt-outs refer to an address by its keyed hash, which may have been made under any
configured key, so every lookup uses the hashes under all keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import Session, col, select

from storage import repository as repo
from storage.crypto import Vault
from storage.models import (
    Address,
    Answer,
    Contact,
    Conversation,
    InboundMessage,
    Invitation,
    OptOut,
    Outbox,
    SafeguardingFlag,
)
from storage.phones import normalise_phone

# A phone number may be held for texts and for surveys staff enter from a phone call.
PHONE_CHANNELS = ("sms", "telephone")
PREFIXES = ("telegram", "email", *PHONE_CHANNELS)


class UnknownPerson(LookupError):
    """Nothing is held about this address."""


@dataclass
class Person:
    """Everything that identifies one person: rows that hold their identity, and their hashes."""

    subject: str  # for the audit log: channel and keyed-hash prefix, never the address
    contacts: list[Contact] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    keys: set[tuple[str, str]] = field(default_factory=set)  # (channel, keyed hash)

    @property
    def contact_ids(self) -> list[int]:
        return [c.id for c in self.contacts if c.id is not None]

    @property
    def address_ids(self) -> list[int]:
        return [a.id for a in self.addresses if a.id is not None]


def identifiers(text: str, region: str = "GB") -> list[tuple[str, str]]:
    """``07700 900123``, ``telegram:12345`` or ``email:ann@example.org`` → (channel, address)."""
    prefix, _, rest = text.partition(":")
    if rest and prefix.strip().lower() in PREFIXES:
        channel, value = prefix.strip().lower(), rest.strip()
        if channel in PHONE_CHANNELS:
            return [(channel, normalise_phone(value, region))]
        return [(channel, value.lower() if channel == "email" else value)]
    if "@" in text:
        return [("email", text.strip().lower())]
    phone = normalise_phone(text, region)
    return [(channel, phone) for channel in PHONE_CHANNELS]


def find_person(session: Session, vault: Vault, wanted: list[tuple[str, str]]) -> Person:
    """The person behind any of ``wanted``; raises ``UnknownPerson`` if nothing is held."""
    channel, address = wanted[0]
    person = Person(subject=f"{channel}:{vault.lookup_hash(channel, address)[:12]}")
    for channel, address in wanted:
        person.keys.update((channel, h) for h in vault.lookup_hashes(channel, address))
        found = repo.find_address(session, channel, vault.lookup_hashes(channel, address))
        if found is not None:
            _add_address(person, found)
    contact_ids = {a.contact_id for a in person.addresses if a.contact_id is not None}
    for contact_id in sorted(contact_ids):
        contact = session.get(Contact, contact_id)
        if contact is not None:
            person.contacts.append(contact)
            query = select(Address).where(Address.contact_id == contact_id)
            for address_row in session.exec(query):
                _add_address(person, address_row)
    person.addresses.sort(key=lambda row: row.id or 0)  # same order whichever address was given
    for address_row in person.addresses:
        plain = vault.decrypt(address_row.encrypted)
        person.keys.update(
            (address_row.channel, h) for h in vault.lookup_hashes(address_row.channel, plain)
        )
        person.keys.add((address_row.channel, address_row.address_hash))
    if not person.addresses and not person.contacts and not opt_outs(session, person):
        raise UnknownPerson("no one with that address is held")
    return person


def _add_address(person: Person, row: Address) -> None:
    if all(row.id != a.id for a in person.addresses):
        person.addresses.append(row)


def matches(
    channel_column: Any, hash_column: Any, keys: Iterable[tuple[str, str]]
) -> ColumnElement[bool]:
    """SQL: (channel, hash) is one of ``keys``."""
    by_channel: dict[str, list[str]] = {}
    for channel, address_hash in keys:
        by_channel.setdefault(channel, []).append(address_hash)
    if not by_channel:
        return false()
    return or_(*(and_(channel_column == c, col(hash_column).in_(h)) for c, h in by_channel.items()))


def opt_outs(session: Session, person: Person) -> list[OptOut]:
    query = select(OptOut).where(matches(OptOut.channel, OptOut.address_hash, person.keys))
    return list(session.exec(query.order_by(col(OptOut.id))))


def conversations(session: Session, person: Person) -> list[Conversation]:
    mine = matches(Conversation.channel, Conversation.address_hash, person.keys)
    if person.contact_ids:
        mine = or_(mine, col(Conversation.contact_id).in_(person.contact_ids))
    return list(session.exec(select(Conversation).where(mine).order_by(col(Conversation.id))))


def answers(session: Session, conversation_ids: list[int]) -> list[Answer]:
    query = select(Answer).where(col(Answer.conversation_id).in_(conversation_ids))
    return list(session.exec(query.order_by(col(Answer.id))))


def flags(
    session: Session, conversation_ids: list[int], person: Person | None = None
) -> list[SafeguardingFlag]:
    """Flags raised in the person's conversations, or by their messages outside any survey."""
    hashes = [key for _, key in person.keys] if person is not None else []
    query = select(SafeguardingFlag).where(
        or_(
            col(SafeguardingFlag.conversation_id).in_(conversation_ids),
            col(SafeguardingFlag.address_hash).in_(hashes),
        )
    )
    return list(session.exec(query.order_by(col(SafeguardingFlag.id))))


def inbound_messages(
    session: Session, person: Person, conversation_ids: list[int]
) -> list[InboundMessage]:
    mine = or_(
        matches(InboundMessage.channel, InboundMessage.address_hash, person.keys),
        col(InboundMessage.conversation_id).in_(conversation_ids),
    )
    query = select(InboundMessage).where(mine).order_by(col(InboundMessage.id))
    return list(session.exec(query))


def outbox(session: Session, person: Person, conversation_ids: list[int]) -> list[Outbox]:
    mine = or_(
        col(Outbox.address_id).in_(person.address_ids),
        col(Outbox.conversation_id).in_(conversation_ids),
    )
    return list(session.exec(select(Outbox).where(mine).order_by(col(Outbox.id))))


def invitations(session: Session, person: Person, conversation_ids: list[int]) -> list[Invitation]:
    mine = or_(
        col(Invitation.contact_id).in_(person.contact_ids),
        col(Invitation.conversation_id).in_(conversation_ids),
    )
    return list(session.exec(select(Invitation).where(mine).order_by(col(Invitation.id))))


def ids(rows: Iterable[Conversation]) -> list[int]:
    return [row.id for row in rows if row.id is not None]


def _contacts(session: Session, person: Person, conversation_ids: list[int]) -> list[Contact]:
    return person.contacts


def _addresses(session: Session, person: Person, conversation_ids: list[int]) -> list[Address]:
    return person.addresses


def _opt_outs(session: Session, person: Person, conversation_ids: list[int]) -> list[OptOut]:
    return opt_outs(session, person)


def _conversations(
    session: Session, person: Person, conversation_ids: list[int]
) -> list[Conversation]:
    return conversations(session, person)


def _answers(session: Session, person: Person, conversation_ids: list[int]) -> list[Answer]:
    return answers(session, conversation_ids)


def _flags(session: Session, person: Person, conversation_ids: list[int]) -> list[SafeguardingFlag]:
    return flags(session, conversation_ids, person)


class OnErasure(StrEnum):
    """What erasure does with a table's rows for the person."""

    DELETE = "delete"  # exists only to reach or de-duplicate: goes entirely
    ANONYMISE = "anonymise"  # kept for the statistics, free text and links to the person cut
    KEEP_ACTIVE_OPT_OUT = "keep active opt-out"  # a keyed hash only, so they are never messaged
    KEEP_FLAGS = "keep safeguarding records"  # a legal duty (UK GDPR Art. 17(3)(b))


@dataclass(frozen=True)
class Holding:
    """One table that holds something of a person."""

    model: type[Any]
    export_as: str | None  # its list in a subject access export; None: inside another's
    rows: Callable[[Session, Person, list[int]], Sequence[Any]]  # (session, person, talk ids)
    on_erasure: OnErasure


# Order matters to erasure: rows that point at others are handled before what they point at.
HOLDINGS: tuple[Holding, ...] = (
    Holding(Contact, "contacts", _contacts, OnErasure.ANONYMISE),
    Holding(Address, "addresses", _addresses, OnErasure.DELETE),
    Holding(OptOut, "opt_outs", _opt_outs, OnErasure.KEEP_ACTIVE_OPT_OUT),
    Holding(Conversation, "conversations", _conversations, OnErasure.ANONYMISE),
    Holding(Answer, None, _answers, OnErasure.ANONYMISE),  # exported with its conversation
    Holding(SafeguardingFlag, "safeguarding_flags", _flags, OnErasure.KEEP_FLAGS),
    Holding(InboundMessage, "messages_received", inbound_messages, OnErasure.DELETE),
    Holding(Outbox, "messages_sent", outbox, OnErasure.DELETE),
    Holding(Invitation, "invitations", invitations, OnErasure.ANONYMISE),
)
