"""Starting many invited conversations in one statement per table: the campaign's hot path.

``Runner.start_in`` does one person in about ten ORM statements; a council's 2,500 people would
take half a minute that way (benchmarks/campaigns.py). Here a batch does the same work with a
handful of Core statements: lock the people, read their opt-outs and open conversations, close
those, then insert conversations (ids returned in order), first texts and invitations. The rules
are the runner's: an opted-out address is never started, a survey left open is closed as
expired, the flow text is remembered, and the first texts wait in the outbox. The engine is the
same pure ``start``, so what is queued is what ``first_messages`` previews.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, func, update
from sqlmodel import Session, col, select

from flows.definition import Flow
from flows.engine import start
from flows.events import Message
from flows.resumes import StartContext
from flows.session import Status
from storage import bulk, hot_path
from storage import repository as repo
from storage.models import Conversation, Invitation, OptOut

INVITATION = cast(Table, Invitation.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Start:
    """One person to start: the address row already held, the flow language, the preface."""

    contact_id: int
    provider_id: int
    address_id: int
    hashes: list[str]  # under every configured key; the first is the current one
    language: str
    preface: str | None


def start_many(
    db: Session, channel: str, flow: Flow, source: str, starts: list[Start], at: datetime,
    month: str, cap: int,
) -> dict[int, int | str]:  # fmt: skip
    """Contact id → the conversation started, or why not ("opted out", "monthly cap").

    Opt-outs and the cap are read again under the people's locks: another campaign's worker
    may have invited someone since this batch was planned."""
    if not starts:
        return {}
    link = db.connection()
    repo.lock_people(db, channel, [s.hashes[0] for s in starts])
    suppressed = _suppressed(link, channel, [h for s in starts for h in s.hashes])
    invited = _invited(link, month, [s.contact_id for s in starts])
    outcome: dict[int, int | str] = {}
    todo = []
    for person in starts:
        if suppressed.intersection(person.hashes):
            outcome[person.contact_id] = "opted out"
        elif invited.get(person.contact_id, 0) >= cap:
            outcome[person.contact_id] = "monthly cap"
        else:
            todo.append(person)
    _close_open(link, channel, [h for s in todo for h in s.hashes], at)
    repo.remember_flow(db, flow.id, flow.version, source, at)
    return outcome | _insert(db, channel, flow, todo, at, month)


def _invited(link: Connection, month: str, contact_ids: list[int]) -> dict[int, int]:
    query = (
        select(col(Invitation.contact_id), func.count())
        .where(col(Invitation.month) == month, col(Invitation.contact_id).in_(contact_ids))
        .group_by(col(Invitation.contact_id))
    )
    return {int(contact): int(count) for contact, count in link.execute(query)}


def _suppressed(link: Connection, channel: str, hashes: list[str]) -> set[str]:
    query = select(col(OptOut.address_hash)).where(
        col(OptOut.channel) == channel, col(OptOut.address_hash).in_(hashes), col(OptOut.active)
    )
    return set(link.execute(query).scalars())


def _close_open(link: Connection, channel: str, hashes: list[str], at: datetime) -> None:
    """A newer survey replaces one left open: it ends as expired, answers kept."""
    link.execute(
        update(Conversation)
        .where(
            col(Conversation.channel) == channel,
            col(Conversation.address_hash).in_(hashes),
            col(Conversation.status) == Status.ACTIVE.value,
        )
        .values(
            status=Status.EXPIRED.value,
            last_activity_at=at,
            revision=col(Conversation.revision) + 1,
        )
    )


def _insert(
    db: Session, channel: str, flow: Flow, starts: list[Start], at: datetime, month: str
) -> dict[int, int | str]:
    if not starts:
        return {}
    link = db.connection()
    contexts = repo.provider_contexts(db, {s.provider_id for s in starts})
    # ``start`` is pure: the same flow, time, language and provider give the same session and
    # texts, so a batch of 250 people needs it a few dozen times, not 250.
    begun: dict[tuple[str, int, str | None], tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    rows, texts = [], []
    for person in starts:
        key = (person.language, person.provider_id, person.preface)
        if key not in begun:
            context = StartContext(at=at, language=person.language,
                                   values=contexts[person.provider_id])  # fmt: skip
            session, events = start(flow, context)
            messages = prefaced([e for e in events if isinstance(e, Message)], person.preface)
            begun[key] = (
                session.model_dump(mode="json"),
                [m.model_dump(mode="json") for m in messages],
            )
        session_json, bodies = begun[key]
        texts.append(bodies)
        rows.append(_conversation(channel, flow, person, session_json, at))
    ids = bulk.insert_rows(link, hot_path.CONVERSATION, rows, returning_ids=True)
    outbox = [
        _outbox(channel, person.address_id, conversation_id, body, at)
        for person, conversation_id, bodies in zip(starts, ids, texts, strict=True)
        for body in bodies
    ]
    bulk.insert_rows(link, hot_path.OUTBOX, outbox)
    invitations = [
        {"contact_id": p.contact_id, "provider_id": p.provider_id, "flow_id": flow.id,
         "channel": channel, "month": month, "created_at": at, "conversation_id": i}
        for p, i in zip(starts, ids, strict=True)
    ]  # fmt: skip
    bulk.insert_rows(link, INVITATION, invitations)
    return {p.contact_id: i for p, i in zip(starts, ids, strict=True)}


def _conversation(
    channel: str, flow: Flow, person: Start, session: dict[str, object], at: datetime
) -> dict[str, object]:
    # The campaign, not the flow, decides whether and when to remind (bot.jobs.schedule).
    session = {**session, "reminded": True}
    return {
        "channel": channel, "address_hash": person.hashes[0], "contact_id": person.contact_id,
        "provider_id": person.provider_id, "flow_id": flow.id, "flow_version": flow.version,
        "session": session, "status": Status.ACTIVE.value, "started_at": at,
        "last_activity_at": at, "expires_at": at + flow.expiry, "revision": 0,
    }  # fmt: skip


def _outbox(
    channel: str, address_id: int, conversation_id: int, body: dict[str, Any], at: datetime
) -> dict[str, object]:
    return {
        "channel": channel, "address_id": address_id, "conversation_id": conversation_id,
        "kind": "invitation", "status": "queued", "body": body, "attempts": 0,
        "send_after": at, "created_at": at, "sent_at": None, "external_id": None,
        "last_error": None,
    }  # fmt: skip


def prefaced(messages: list[Message], preface: str | None) -> list[Message]:
    """Someone answers for them: the first message says whose survey it is."""
    if not preface or not messages:
        return messages
    first = messages[0].model_copy(update={"text": f"{preface}\n{messages[0].text}"})
    return [first, *messages[1:]]
