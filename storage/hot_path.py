"""The per-message statements, kept few and cheap (DESIGN.md: "The hot path is lean").

An inbound message used to cost ~13 statements, most of the CPU going to building ORM
expressions and flushing ORM objects. Here:

- one query loads the person: their address, their opt-out row, when another address of theirs
  last said STOP, and their active conversation (``load_person``). The result is kept in the
  session for the rest of the transaction and dropped on any flush, commit or rollback, so a
  write the ORM makes is never hidden by it;
- rows the message only adds (answers, the inbound record, outbox replies) and the
  conversation's new state are written with SQLAlchemy Core statements built once at import,
  so their compiled form comes from SQLAlchemy's cache and no unit of work runs for them;
- a flow's stored text is immutable per (flow, version), so it is read once per process.

``storage.repository`` calls these; callers keep using the repository.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, event, func, insert, select, update
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from storage.models import Address, Answer, Conversation, InboundMessage, OptOut, Outbox
from storage.prepared import Prepared


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


ANSWER = _table(Answer)
CONVERSATION = _table(Conversation)
INBOUND = _table(InboundMessage)
OUTBOX = _table(Outbox)
OPT_OUT = _table(OptOut)
ADDRESS = _table(Address)

_KEY = "carevoice.person"


@dataclass(frozen=True)
class Person:
    """What one query says about an address (all ORM rows live in the session)."""

    address: Address
    opt_out: OptOut | None
    stopped_elsewhere: datetime | None
    conversation: Conversation | None


def _person_query(hash_count: int) -> Prepared:
    """The address, its opt-out row, the latest STOP said on another address of the same
    contact, and the active conversation: one SELECT, for ``hash_count`` lookup hashes (one
    per configured key; a statement per count keeps every parameter a plain value)."""
    hashes: list[Any] = [bindparam(f"hash_{i}") for i in range(hash_count)]
    channel: Any = bindparam("channel")
    other, their_stop = ADDRESS.alias("other"), OPT_OUT.alias("their_stop")
    stopped_elsewhere = (
        select(func.max(their_stop.c.stopped_at))
        .select_from(
            their_stop.join(
                other,
                (other.c.channel == their_stop.c.channel)
                & (other.c.address_hash == their_stop.c.address_hash),
            )
        )
        .where(other.c.contact_id == ADDRESS.c.contact_id, other.c.id != ADDRESS.c.id)
        .correlate(ADDRESS)
        .scalar_subquery()
    )
    newest = CONVERSATION.alias("newest")
    active_id = (
        select(func.max(newest.c.id))
        .where(
            newest.c.channel == channel,
            newest.c.address_hash.in_(hashes),
            newest.c.status == "active",
        )
        .scalar_subquery()
    )
    query = (
        select(*ADDRESS.c, *OPT_OUT.c, stopped_elsewhere, *CONVERSATION.c)
        .select_from(
            ADDRESS.outerjoin(
                OPT_OUT, and_(OPT_OUT.c.channel == channel, OPT_OUT.c.address_hash.in_(hashes))
            ).outerjoin(CONVERSATION, CONVERSATION.c.id == active_id)
        )
        .where(ADDRESS.c.channel == channel, ADDRESS.c.address_hash.in_(hashes))
        .limit(1)
    )
    return Prepared(query)


_PERSON_QUERIES = {count: _person_query(count) for count in (1, 2, 3)}
_SPANS = (len(ADDRESS.c), len(OPT_OUT.c), 1, len(CONVERSATION.c))


_configured = False


def _configure() -> None:
    # An ORM query configures the mappers on first use; here no query has run yet in a new
    # process (kill -9 and restart found it), so do it as the ORM would.
    global _configured
    configure_mappers()
    _configured = True


def _loaded(session: Session, model: Any, table: Table, values: tuple[Any, ...]) -> Any:
    """An ORM object from a row read here, in ``session`` as if a query had loaded it (no SQL:
    make_transient_to_detached, then add), so changes to it are written as usual."""
    if values[0] is None:  # an outer join found nothing
        return None
    if not _configured:
        _configure()
    # As a query would: a row already in the session is that object, left as it is there.
    present = session.identity_map.get(identity_key(model, values[0]))
    if present is not None:
        return present
    instance = model.__mapper__.class_manager.new_instance()
    instance.__dict__.update(zip(table.c.keys(), values, strict=True))
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


def load_person(session: Session, channel: str, hashes: list[str]) -> Person | None:
    """The person behind these hashes in one query, remembered until the session next writes."""
    statement = _PERSON_QUERIES.get(len(hashes)) or _person_query(len(hashes))
    parameters: dict[str, Any] = {f"hash_{i}": h for i, h in enumerate(hashes)}
    rows = statement.run(session, [{"channel": channel, **parameters}])
    if not rows:
        return None
    row = rows[0]
    a, o = _SPANS[0], _SPANS[1]
    address = _loaded(session, Address, ADDRESS, row[:a])
    opt_out = _loaded(session, OptOut, OPT_OUT, row[a : a + o])
    conversation = _loaded(session, Conversation, CONVERSATION, row[a + o + 1 :])
    person = Person(address, opt_out, row[a + o], conversation)
    session.info[_KEY] = (channel, tuple(hashes), person)
    return person


def known_person(session: Session, channel: str, hashes: list[str]) -> Person | None:
    """The person ``load_person`` found in this transaction, if nothing was written since."""
    cached = session.info.get(_KEY)
    if cached is None or cached[0] != channel or cached[1] != tuple(hashes):
        return None
    person: Person = cached[2]
    return person


def forget_person(session: Session) -> None:
    session.info.pop(_KEY, None)


def _forget(session: Session, *_args: Any) -> None:
    forget_person(session)


# Any flush (a new address, an opt-out, a new conversation), commit or rollback ends what the
# one query said.
for _name in ("after_flush", "after_commit", "after_rollback"):
    event.listen(OrmSession, _name, _forget)


# Run on the driver's cursor (storage.prepared): SQLAlchemy compiles them once per dialect.
INSERT_ANSWER = Prepared(insert(ANSWER))
INSERT_OUTBOX = Prepared(insert(OUTBOX))
INSERT_INBOUND = Prepared(insert(INBOUND))
SELECT_OUTCOME = select(INBOUND.c.outcome).where(
    INBOUND.c.channel == bindparam("channel"), INBOUND.c.external_id == bindparam("external_id")
)
UPDATE_CONVERSATION = Prepared(
    update(CONVERSATION)
    .where(CONVERSATION.c.id == bindparam("conversation_id"))
    .values(
        session=bindparam("session"),
        status=bindparam("status"),
        last_activity_at=bindparam("last_activity_at"),
        expires_at=bindparam("expires_at"),
        revision=bindparam("revision"),
    )
)


def add_rows(session: Session, statement: Prepared, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (one statement; several rows as one executemany)."""
    statement.run(session, rows)


def earlier_outcome(session: Session, channel: str, external_id: str) -> dict[str, Any] | None:
    found = session.connection().execute(
        SELECT_OUTCOME, {"channel": channel, "external_id": external_id}
    )
    outcome: dict[str, Any] | None = found.scalar()
    return outcome


def save_conversation(db: Session, conversation: Conversation, state: dict[str, Any]) -> None:
    """Write the conversation's new state with one UPDATE; the ORM object shows it too, and is
    not marked changed (so commit does not write it a second time)."""
    assert conversation.id is not None
    state["revision"] = conversation.revision + 1
    UPDATE_CONVERSATION.run(db, [{"conversation_id": conversation.id, **state}])
    for name, value in state.items():
        set_committed_value(conversation, name, value)


# Per database (engine): two databases may hold different texts under one flow id and version.
_sources: weakref.WeakKeyDictionary[Any, dict[tuple[str, int], str]] = weakref.WeakKeyDictionary()
_sources_lock = threading.Lock()


def remembered_source(session: Session, flow_id: str, version: int) -> str | None:
    return _sources.get(session.get_bind(), {}).get((flow_id, version))


def remember_source(session: Session, flow_id: str, version: int, source: str) -> None:
    """A (flow, version)'s text never changes once stored (``remember_flow`` never updates)."""
    with _sources_lock:
        known = _sources.setdefault(session.get_bind(), {})
        if len(known) > 1000:  # bounded: a long-lived process sees few versions anyway
            known.clear()
        known[(flow_id, version)] = source
