"""Turning the engine's events into rows: answers, flags, opt-outs and the conversation itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.surveys.text_analysis import TextAnalysis
from flows.definition import Flow
from flows.events import (
    AnswerRecorded,
    Event,
    Flagged,
    Message,
    OptedOut,
    Restarted,
    Revised,
)
from flows.session import Session as EngineSession
from storage import hot_path
from storage import repository as repo
from storage.models import Conversation, SafeguardingFlag
from storage.sealed import free_text_answer


@dataclass
class Applied:
    replies: list[Message] = field(default_factory=list)
    opted_out: bool = False


def apply_events(
    db: Session,
    conversation: Conversation,
    flow: Flow,
    session: EngineSession,
    events: list[Event],
    analysis: TextAnalysis,
) -> Applied:
    """Store what the engine decided; return the messages to send."""
    applied = Applied()
    assert conversation.id is not None
    concerns: list[str] = []
    answers: list[dict[str, Any]] = []  # written together, after any RESTART has voided the old
    at = session.last_activity_at
    for event in events:
        if isinstance(event, Message):
            applied.replies.append(event)
        elif isinstance(event, AnswerRecorded):
            answers.append(_answer(conversation, event, analysis, tuple(concerns), at))
        elif isinstance(event, Flagged):
            concerns.extend(event.reasons)
            _flag(db, conversation, event, at, analysis)
        elif isinstance(event, OptedOut):
            applied.opted_out = True
        elif isinstance(event, Restarted):
            hot_path.add_rows(db, hot_path.INSERT_ANSWER, answers)
            answers = []
            repo.supersede_answers(db, conversation.id)
        elif isinstance(event, Revised):
            hot_path.add_rows(db, hot_path.INSERT_ANSWER, answers)
            answers = []
            repo.supersede_answers(db, conversation.id, event.question_ids)
    hot_path.add_rows(db, hot_path.INSERT_ANSWER, answers)
    state = {
        "session": session.model_dump(mode="json"),
        "status": session.status.value,
        "last_activity_at": session.last_activity_at,
        "expires_at": session.last_activity_at + flow.expiry,
    }
    hot_path.save_conversation(db, conversation, state)
    return applied


def _answer(
    conversation: Conversation,
    event: AnswerRecorded,
    analysis: TextAnalysis,
    concerns: tuple[str, ...],
    at: datetime,
) -> dict[str, Any]:
    """The answer's row (for a Core insert: every column named)."""
    assert conversation.id is not None
    row: dict[str, Any] = {
        "conversation_id": conversation.id,
        "provider_id": conversation.provider_id,
        "flow_id": conversation.flow_id,
        "flow_version": conversation.flow_version,
        "question_id": event.question_id,
        "question_type": event.question_type,
        "status": event.status,
        "indicator": event.indicator,
        "value": event.value,
        "polarity": event.polarity,
        "raw_text": None,
        "purpose": event.purpose,
        "channel": conversation.channel,
        "answered_at": at,
        "reporting_month": repo.reporting_month(at),
        "superseded": False,
        "flags": list(concerns) or None,
        "sentiment": None,
        "sentiment_score": None,
        "themes": None,
    }
    if event.question_type == "free_text":
        if isinstance(event.value, str):
            # Themes and sentiment come from the words now: once stored they are sealed.
            note = analysis.annotate(event.value, event.purpose)
            row["sentiment"], row["sentiment_score"] = note.sentiment, note.sentiment_score
            row["themes"] = list(note.themes) or None
        row["value"], row["raw_text"] = free_text_answer(event.value, event.raw_text)
    return row


def _flag(
    db: Session, conversation: Conversation, event: Flagged, at: datetime, analysis: TextAnalysis
) -> None:
    when = at.isoformat()
    detail = analysis.detail(event.raw_text) if event.source == "text" and event.raw_text else None
    db.add(
        SafeguardingFlag(
            conversation_id=conversation.id,
            provider_id=conversation.provider_id,
            categories=list(event.reasons),
            source=event.source,
            status="open",
            created_at=at,
            history=[{"at": when, "by": "system", "action": "raised", "note": event.question_id}],
            text=event.raw_text,
            address_hash=conversation.address_hash,
            layer=detail.layer if detail else None,
            model_score=detail.model_score if detail else None,
            band=detail.band if detail else None,
        )
    )
