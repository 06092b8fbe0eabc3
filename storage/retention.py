"""Retention: keep what is needed for as long as configured, then let it go.

Older than the cut-off: the inbound message log and the outbox (message bodies, kept only to
deliver and de-duplicate) are deleted (a keyed hash of each message id stays a while longer, so
replays are still refused), and people's own words are removed from answers and from
finished conversations' stored state. Structured answers stay for the statistics; safeguarding
flags and the suppression list are kept (other duties govern them).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, col, delete, select

from storage import handled
from storage import repository as repo
from storage.crypto import Vault
from storage.models import Answer, Conversation, InboundMessage, Outbox
from storage.scrub import scrub_answer, scrub_conversation

# What purge writes to, for ``storage.db.reclaim`` after the transaction commits.
TABLES = ("inboundmessage", "outbox", "answer", "conversation")
_AGE = re.compile(r"\s*(\d+)\s*([dmy])\s*", re.IGNORECASE)


class BadAge(ValueError):
    pass


def cutoff(age: str, now: datetime) -> datetime:
    """``90d``, ``24m`` or ``2y`` before ``now``; months and years are calendar ones."""
    match = _AGE.fullmatch(age)
    if match is None:
        raise BadAge(f"{age!r} is not an age such as 90d, 24m or 2y")
    count, unit = int(match.group(1)), match.group(2).lower()
    if count < 1:
        raise BadAge("the age must be at least 1 day, month or year")
    if unit == "d":
        return now - timedelta(days=count)
    return months_before(now, count * 12 if unit == "y" else count)


def months_before(at: datetime, months: int) -> datetime:
    """The same day ``months`` earlier, or the month's last day (31 March − 1m = 28/29 Feb)."""
    index = at.year * 12 + at.month - 1 - months
    year, month = divmod(index, 12)
    day = min(at.day, calendar.monthrange(year, month + 1)[1])
    return at.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class PurgeReport:
    cutoff: str
    inbound_messages: int
    outbox_messages: int
    answers_scrubbed: int
    conversations_scrubbed: int

    @property
    def summary(self) -> str:
        return (
            f"older than {self.cutoff}: deleted {self.inbound_messages} inbound and "
            f"{self.outbox_messages} outbox messages; removed free text from "
            f"{self.answers_scrubbed} answers and {self.conversations_scrubbed} conversations"
        )


def purge(
    session: Session, before: datetime, at: datetime, actor: str = "cli", *, vault: Vault
) -> PurgeReport:
    """Apply retention to everything older than ``before``; writes an audit-log entry.

    The ids of the deleted inbound messages stay, as keyed hashes (storage/handled.py), for
    ``handled.MARGIN`` longer, so a replayed request is still recognised."""
    old = col(InboundMessage.received_at) < before
    ids = select(InboundMessage.channel, InboundMessage.external_id, InboundMessage.received_at)
    handled.remember_all(session, vault, session.exec(ids.where(old)))
    handled.forget_before(session, before - handled.MARGIN)
    inbound = session.exec(delete(InboundMessage).where(old))
    outbox = session.exec(delete(Outbox).where(col(Outbox.created_at) < before))
    report = PurgeReport(
        cutoff=before.isoformat(),
        inbound_messages=inbound.rowcount,
        outbox_messages=outbox.rowcount,
        answers_scrubbed=_scrub_answers(session, before),
        conversations_scrubbed=_scrub_conversations(session, before),
    )
    repo.audit(session, actor, "purge", None, asdict(report), at)
    return report


def _scrub_answers(session: Session, before: datetime) -> int:
    has_text = or_(
        col(Answer.raw_text).is_not(None),
        and_(col(Answer.question_type) == "free_text", col(Answer.value).is_not(None)),
    )
    query = select(Answer).where(col(Answer.answered_at) < before, has_text)
    changed = 0
    for answer in session.exec(query):
        changed += scrub_answer(answer)
        session.add(answer)
    return changed


def _scrub_conversations(session: Session, before: datetime) -> int:
    # Active conversations are left alone: the engine still needs their answers to carry on.
    query = select(Conversation).where(
        col(Conversation.last_activity_at) < before, Conversation.status != "active"
    )
    changed = 0
    for conversation in session.exec(query):
        if scrub_conversation(conversation):
            session.add(conversation)
            changed += 1
    return changed
