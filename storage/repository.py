"""Queries and writes, in one place, each taking the caller's session (the caller owns the
transaction). Nothing here commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Engine, bindparam, func, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from flows.events import Message
from storage import hot_path
from storage.crypto import Vault
from storage.models import (
    Address,
    Answer,
    AuditLog,
    Contact,
    Conversation,
    FlowVersion,
    InboundMessage,
    OptOut,
    Outbox,
    Provider,
    SafeguardingFlag,
)
from storage.prepared import Prepared

REPORTING_ZONE = ZoneInfo("Europe/London")


def reporting_month(at: datetime) -> str:
    """Months are counted in UK local time: a reply at 00:30 BST on 1 November is November's."""
    return at.astimezone(REPORTING_ZONE).strftime("%Y-%m")


def lock_person(session: Session, channel: str, address_hash: str) -> None:
    """Serialise all work for one person until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock keyed by the pseudonym. SQLite: every write
    transaction already holds the database's single write lock (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(bytes.fromhex(address_hash[:16]), "big", signed=True)
        _LOCK_PERSON.run(session, [{"key": key}])


_LOCK_PERSON = Prepared(
    text("SELECT pg_advisory_xact_lock(:key)").bindparams(bindparam("key", type_=BigInteger))
)


def lock_people(session: Session, channel: str, address_hashes: list[str]) -> None:
    """``lock_person`` for many people in one statement (a campaign's batch), in key order so
    two batches never wait on each other in a circle."""
    if session.get_bind().dialect.name != "postgresql" or not address_hashes:
        return
    keys = sorted(
        {int.from_bytes(bytes.fromhex(h[:16]), "big", signed=True) for h in address_hashes}
    )
    statement = text(
        "SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k ORDER BY k"
    ).bindparams(keys=keys)
    session.exec(statement)  # type: ignore[call-overload]


def find_address(session: Session, channel: str, hashes: list[str]) -> Address | None:
    known = hot_path.known_person(session, channel, hashes)
    if known is not None:
        return known.address
    query = select(Address).where(Address.channel == channel, col(Address.address_hash).in_(hashes))
    return session.exec(query).first()


def ensure_address(
    session: Session,
    vault: Vault,
    channel: str,
    address: str,
    at: datetime,
    contact_id: int | None = None,
) -> Address:
    # The one query of the hot path: address, opt-out and active conversation together; the
    # opt-out and conversation look-ups that follow in this transaction use its answer.
    person = hot_path.load_person(session, channel, vault.lookup_hashes(channel, address))
    found = person.address if person is not None else None
    if found is not None:
        if contact_id is not None and found.contact_id is None:
            hot_path.forget_person(session)
            found.contact_id = contact_id
            session.add(found)
        return found
    created = Address(
        channel=channel,
        address_hash=vault.lookup_hash(channel, address),
        encrypted=vault.encrypt(address),
        contact_id=contact_id,
        created_at=at,
    )
    session.add(created)
    session.flush()
    # What the flush made the one query forget, read again in one query (a new address may
    # still have an opt-out row, kept after an erasure) rather than piece by piece later.
    hot_path.load_person(session, channel, vault.lookup_hashes(channel, address))
    return created


def opt_out_row(session: Session, channel: str, hashes: list[str]) -> OptOut | None:
    known = hot_path.known_person(session, channel, hashes)
    if known is not None:
        return known.opt_out
    query = select(OptOut).where(OptOut.channel == channel, col(OptOut.address_hash).in_(hashes))
    return session.exec(query).first()


def is_opted_out(session: Session, channel: str, hashes: list[str]) -> bool:
    """Whether this address must not be messaged. One person, several channels: STOP on any of
    a contact's addresses stops them all, and START re-enables only the address it came from.
    So an address is stopped by its own STOP, or by a STOP on another address of the same
    contact said after this address last said START (even if that one has said START since)."""
    row = opt_out_row(session, channel, hashes)
    if row is not None and row.active:
        return True  # no need to look further
    changed_at = row.changed_at if row is not None else None
    return stopped_by(False, changed_at, _latest_stop_elsewhere(session, channel, hashes))


def stopped_by(
    active: bool, changed_at: datetime | None, stopped_elsewhere: datetime | None
) -> bool:
    """``is_opted_out``'s rule on values already read, so that planning a campaign in bulk
    decides as sending does: ``active`` and ``changed_at`` are the address's own opt-out row
    (``changed_at`` None when it has none), ``stopped_elsewhere`` the latest STOP said on
    another address of the same contact."""
    if active:
        return True
    if stopped_elsewhere is None:
        return False
    return changed_at is None or changed_at < stopped_elsewhere


def _latest_stop_elsewhere(session: Session, channel: str, hashes: list[str]) -> datetime | None:
    """When another address of the same contact last said STOP, if ever."""
    known = hot_path.known_person(session, channel, hashes)
    if known is not None:
        return known.stopped_elsewhere
    address = find_address(session, channel, hashes)
    if address is None or address.contact_id is None:
        return None
    query = (
        select(func.max(OptOut.stopped_at))
        .join(
            Address,
            (col(Address.channel) == col(OptOut.channel))
            & (col(Address.address_hash) == col(OptOut.address_hash)),
        )
        .where(
            Address.contact_id == address.contact_id,
            Address.id != address.id,
        )
    )
    latest: datetime | None = session.exec(query).one()
    return latest


def set_opt_out(
    session: Session, channel: str, hashes: list[str], active: bool, keyword: str, at: datetime
) -> None:
    row = opt_out_row(session, channel, hashes)
    hot_path.forget_person(session)
    if row is None:
        row = OptOut(
            channel=channel, address_hash=hashes[0], active=active, keyword=keyword, changed_at=at
        )
    else:
        row.active, row.keyword, row.changed_at = active, keyword, at
    if active:
        row.stopped_at = at
    session.add(row)
    audit(
        session,
        "person",
        "opt_out" if active else "opt_in",
        f"{channel}:{hashes[0][:12]}",
        {"keyword": keyword},
        at,
    )


def earlier_outcome(session: Session, channel: str, external_id: str) -> dict[str, Any] | None:
    """What a message with this external id led to, if it was received before."""
    return hot_path.earlier_outcome(session, channel, external_id)


def record_inbound(
    session: Session,
    channel: str,
    external_id: str,
    address_hash: str,
    conversation_id: int | None,
    at: datetime,
    outcome: dict[str, Any],
) -> None:
    """Log a received message and what it led to (the unique external id makes it once only)."""
    row = {
        "channel": channel, "external_id": external_id, "address_hash": address_hash,
        "conversation_id": conversation_id, "received_at": at, "outcome": outcome,
    }  # fmt: skip
    hot_path.add_rows(session, hot_path.INSERT_INBOUND, [row])


def inbound(session: Session, channel: str, external_id: str) -> InboundMessage | None:
    query = select(InboundMessage).where(
        InboundMessage.channel == channel, InboundMessage.external_id == external_id
    )
    return session.exec(query).first()


def active_conversation(session: Session, channel: str, hashes: list[str]) -> Conversation | None:
    known = hot_path.known_person(session, channel, hashes)
    if known is not None:
        found = known.conversation
        return found if found is not None and found.status == "active" else None
    query = (
        select(Conversation)
        .where(
            Conversation.channel == channel,
            col(Conversation.address_hash).in_(hashes),
            Conversation.status == "active",
        )
        .order_by(col(Conversation.id).desc())
    )
    return session.exec(query).first()


def latest_conversation(session: Session, channel: str, hashes: list[str]) -> Conversation | None:
    """The address's newest conversation, whatever its status (a web form shows a finished one)."""
    query = (
        select(Conversation)
        .where(Conversation.channel == channel, col(Conversation.address_hash).in_(hashes))
        .order_by(col(Conversation.id).desc())
    )
    return session.exec(query).first()


def remember_flow(session: Session, flow_id: str, version: int, source: str, at: datetime) -> None:
    """Keep the flow's text; two people starting the same new flow at once both succeed."""
    if hot_path.remembered_source(session, flow_id, version) == source:
        return  # read back from this database before: it is stored
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(FlowVersion).values(
        flow_id=flow_id, version=version, source=source, created_at=at
    )
    session.exec(statement.on_conflict_do_nothing(index_elements=["flow_id", "version"]))


def flow_source(session: Session, flow_id: str, version: int) -> str | None:
    remembered = hot_path.remembered_source(session, flow_id, version)
    if remembered is not None:
        return remembered
    query = select(FlowVersion.source).where(
        FlowVersion.flow_id == flow_id, FlowVersion.version == version
    )
    source = session.exec(query).first()
    if source is not None:
        hot_path.remember_source(session, flow_id, version, source)
    return source


def supersede_answers(
    session: Session, conversation_id: int, question_ids: tuple[str, ...] | None = None
) -> None:
    """Void a conversation's answers (a RESTART), or only those to ``question_ids`` (changed)."""
    query = select(Answer).where(
        Answer.conversation_id == conversation_id, col(Answer.superseded).is_(False)
    )
    if question_ids is not None:
        query = query.where(col(Answer.question_id).in_(question_ids))
    for answer in session.exec(query):
        answer.superseded = True
        session.add(answer)


def provider_by_name(session: Session, name: str) -> Provider | None:
    """By name, ignoring case and spaces around it (exact: in a LIKE pattern ``_`` and ``%``
    would match other providers' names)."""
    query = select(Provider).where(func.lower(Provider.name) == " ".join(name.split()).lower())
    return session.exec(query).first()


def flag(session: Session, row: SafeguardingFlag) -> SafeguardingFlag:
    session.add(row)
    session.flush()
    return row


def queue(session: Session, row: Outbox) -> Outbox:
    session.add(row)
    session.flush()
    return row


def audit(
    session: Session,
    actor: str,
    action: str,
    subject: str | None,
    detail: dict[str, Any] | None,
    at: datetime,
) -> None:
    session.add(AuditLog(at=at, actor=actor, action=action, subject=subject, detail=detail))


def contact(session: Session, contact_id: int) -> Contact | None:
    return session.get(Contact, contact_id)


def contact_language(person: Contact | None) -> str | None:
    """The flow language a contact reads best: easy-read English where that is their need."""
    if person is None:
        return None
    if person.easy_read and person.language.split("-")[0] == "en":
        return "en-easy"
    return person.language


def provider_context(session: Session, provider_id: int) -> dict[str, str]:
    """Placeholders a provider fills in a survey: its name, and the council it reports to."""
    provider = session.get(Provider, provider_id)
    return {} if provider is None else _context(provider)


def provider_contexts(session: Session, provider_ids: set[int]) -> dict[int, dict[str, str]]:
    """``provider_context`` for many providers in one query (a campaign's batch)."""
    rows = session.exec(select(Provider).where(col(Provider.id).in_(provider_ids)))
    return {row.id or 0: _context(row) for row in rows}


def _context(provider: Provider) -> dict[str, str]:
    values = {"provider": provider.name}
    if provider.commissioners:
        values["council"] = provider.commissioners[0]
    return values


def provider_name(session: Session, provider_id: int) -> str:
    provider = session.get(Provider, provider_id)
    return provider.name if provider else ""


def close_conversation(session: Session, conversation: Conversation, at: datetime) -> None:
    """A newer survey replaces one left open: the old one ends as expired, answers kept."""
    hot_path.forget_person(session)
    conversation.status = "expired"
    conversation.last_activity_at = at
    conversation.revision += 1
    session.add(conversation)


def queue_replies(
    session: Session,
    person: Address,
    conversation_id: int | None,
    replies: list[Message],
    at: datetime,
    kind: str = "reply",
    status: str = "queued",
) -> None:
    assert person.id is not None
    rows = [
        {
            "channel": person.channel,
            "address_id": person.id,
            "conversation_id": conversation_id,
            "kind": kind,
            "status": status,
            "sent_at": at if status == "sent_inline" else None,
            "body": reply.model_dump(mode="json"),
            "send_after": at,
            "created_at": at,
            "attempts": 0,
            "external_id": None,
            "last_error": None,
        }
        for reply in replies
    ]
    hot_path.add_rows(session, hot_path.INSERT_OUTBOX, rows)


def due_conversation_ids(engine: Engine, at: datetime) -> list[int]:
    """Active conversations silent long enough that a reminder or expiry may be due."""
    with Session(engine) as session:
        query = select(Conversation.id).where(
            Conversation.status == "active", Conversation.last_activity_at < at
        )
        return [i for i in session.exec(query) if i is not None]


def conversation_for_update(session: Session, conversation_id: int) -> Conversation | None:
    query = select(Conversation).where(Conversation.id == conversation_id).with_for_update()
    return session.exec(query).first()


def address_by_id(session: Session, address_id: int) -> Address:
    found = session.get(Address, address_id)
    assert found is not None, "addresses are never deleted while a contact refers to them"
    return found


def address_by_hash(session: Session, channel: str, address_hash: str) -> Address | None:
    return find_address(session, channel, [address_hash])


def conversation_status(session: Session, conversation_id: int | None) -> str:
    found = session.get(Conversation, conversation_id) if conversation_id is not None else None
    return found.status if found is not None else "not started"
