"""Safeguarding triage: read a flagged answer, assign a named person, record what was done, and
move the flag open → triaged → closed.

Every change is appended to the flag's own history ({at, by, action, note}) and written to the
audit log. The audit log gets who, when and what changed, never the note: a note may repeat the
disclosure, and the audit log is read more widely than the flag.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, case, func
from sqlmodel import Session, col, select

from flows.compiled import localise
from flows.errors import FlowError
from flows.loader import load_text
from storage.db import transaction
from storage.models import Answer, Conversation, Provider, SafeguardingFlag
from storage.repository import audit, flow_source

STATUSES = ("open", "triaged", "closed")
NEXT = {"open": ("open", "triaged"), "triaged": ("triaged", "closed"), "closed": ("closed",)}
MAX_NAME, MAX_NOTE = 200, 4000


# How each channel's answers reached us, in the words a triager uses.
CHANNEL_WORDS = {
    "sms": "by text message",
    "telephone": "by telephone or on paper (entered by staff)",
    "web": "on the web form",
    "telegram": "in Telegram",
}


@dataclass(frozen=True)
class FlagRow:
    flag: SafeguardingFlag
    provider: str | None
    channel: str | None = None

    @property
    def how(self) -> str:
        """Where and how the words came: "from what the person wrote, by telephone or …"."""
        what = (
            "from an answer the person chose"
            if self.flag.source == "option"
            else ("from what the person said or wrote")
        )
        where = CHANNEL_WORDS.get(self.channel or "", f"on {self.channel}" if self.channel else "")
        return f"{what} {where}".strip()


@dataclass(frozen=True)
class FlaggedText:
    question_id: str
    text: str
    question: str = ""  # the question's own words, when the flow is known

    @property
    def heading(self) -> str:
        return (
            f"Answer to “{self.question}”"
            if self.question
            else (f"Answer to question “{self.question_id}”")
        )


def list_flags(engine: Engine, status: str | None) -> list[FlagRow]:
    order = case({"open": 0, "triaged": 1}, value=SafeguardingFlag.status, else_=2)
    query = (
        select(SafeguardingFlag, Provider.name)
        .join(Provider, col(Provider.id) == SafeguardingFlag.provider_id, isouter=True)
        .order_by(order, col(SafeguardingFlag.created_at).desc())
    )
    if status in STATUSES:
        query = query.where(SafeguardingFlag.status == status)
    with Session(engine) as db:
        return [FlagRow(flag, name) for flag, name in db.exec(query)]


def counts(engine: Engine) -> dict[str, int]:
    query = select(SafeguardingFlag.status, func.count()).group_by(SafeguardingFlag.status)
    with Session(engine) as db:
        return {str(status): int(n) for status, n in db.exec(query)}


def find(engine: Engine, flag_id: int) -> tuple[FlagRow, list[FlaggedText]] | None:
    with Session(engine) as db:
        flag = db.get(SafeguardingFlag, flag_id)
        if flag is None:
            return None
        provider = db.get(Provider, flag.provider_id) if flag.provider_id else None
        conversation = db.get(Conversation, flag.conversation_id) if flag.conversation_id else None
        channel = conversation.channel if conversation else None
        row = FlagRow(flag, provider.name if provider else None, channel)
        return row, _with_questions(db, conversation, _texts(db, flag))


def _texts(db: Session, flag: SafeguardingFlag) -> list[FlaggedText]:
    """The flagged answer; without one, the free text of the flagged conversation."""
    if flag.answer_id is not None:
        answers = [a for a in [db.get(Answer, flag.answer_id)] if a is not None]
    elif flag.conversation_id is not None:
        query = select(Answer).where(
            Answer.conversation_id == flag.conversation_id, Answer.question_type == "free_text"
        )
        answers = list(db.exec(query.order_by(col(Answer.id))))
    else:
        answers = []
    found = [FlaggedText(a.question_id, _text(a)) for a in answers]
    # The message that raised the flag comes first: it may answer no free-text question at all.
    if flag.text and all(item.text != flag.text for item in found):
        found.insert(0, FlaggedText("message that raised the flag", flag.text))
    return found


def _with_questions(
    db: Session, conversation: Conversation | None, texts: list[FlaggedText]
) -> list[FlaggedText]:
    """Each answer headed by its question's words (from the flow the conversation ran with)."""
    if conversation is None:
        return texts
    source = flow_source(db, conversation.flow_id, conversation.flow_version)
    if source is None:
        return texts
    try:
        flow = load_text(source, f"{conversation.flow_id}@{conversation.flow_version}")
    except FlowError:  # a stored flow that no longer loads still shows its answers
        return texts
    known = {q.id: localise(q.text, flow.language, flow.language) for q in flow.questions}
    return [replace(t, question=known.get(t.question_id, "")) for t in texts]


def _text(answer: Answer) -> str:
    return answer.raw_text or ("" if answer.value is None else str(answer.value))


@dataclass(frozen=True)
class Change:
    assigned_to: str
    status: str
    note: str


def problems(flag: SafeguardingFlag, change: Change) -> dict[str, str]:
    """What is wrong with a triage form, by field, in plain words (GOV.UK error messages)."""
    errors = {}
    if change.status not in NEXT.get(flag.status, ()):
        errors["status"] = f"A flag that is {flag.status} cannot become {change.status or 'that'}"
    if len(change.assigned_to) > MAX_NAME:
        errors["assigned_to"] = f"Name must be {MAX_NAME} characters or fewer"
    elif change.status != "open" and not (change.assigned_to or flag.assigned_to):
        errors["assigned_to"] = "Enter the name of the person dealing with this concern"
    if len(change.note) > MAX_NOTE:
        errors["note"] = f"What was done must be {MAX_NOTE} characters or fewer"
    elif change.status == "closed" and flag.status != "closed" and not change.note:
        errors["note"] = "Enter what was done before closing the flag"
    elif not errors and not _actions(flag, change) and not change.note:
        errors["note"] = "Enter what was done, or change who it is assigned to or its status"
    return errors


def _actions(flag: SafeguardingFlag, change: Change) -> list[str]:
    actions = []
    if change.assigned_to and change.assigned_to != flag.assigned_to:
        actions.append(f"assigned to {change.assigned_to}")
    if change.status != flag.status:
        actions.append(f"status {flag.status} → {change.status}")
    return actions


def apply(
    engine: Engine, flag_id: int, change: Change, actor: str, at: datetime
) -> dict[str, str] | None:
    """Record the change (row locked meanwhile); the form's problems instead, if any."""
    with transaction(engine) as db:
        query = select(SafeguardingFlag).where(SafeguardingFlag.id == flag_id).with_for_update()
        flag = db.exec(query).one()
        errors = problems(flag, change)
        if errors:
            return errors
        before = {"status": flag.status, "assigned_to": flag.assigned_to}
        action = "; ".join(_actions(flag, change)) or "note"
        entry: dict[str, Any] = {"at": at.isoformat(), "by": actor, "action": action}
        entry["note"] = change.note or None
        flag.history = [*flag.history, entry]  # a new list, so the JSON column is saved
        flag.assigned_to = change.assigned_to or flag.assigned_to
        flag.status = change.status
        db.add(flag)
        after = {"status": flag.status, "assigned_to": flag.assigned_to}
        detail = {"before": before, "after": after, "note_recorded": bool(change.note)}
        audit(db, actor, "safeguarding.triage", f"flag:{flag_id}", detail, at)
    return None
