"""Turning the engine's events into rows: answers, flags, opt-outs and the conversation itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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
from storage import repository as repo
from storage.models import Answer, Conversation, SafeguardingFlag


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
    at = session.last_activity_at
    for event in events:
        if isinstance(event, Message):
            applied.replies.append(event)
        elif isinstance(event, AnswerRecorded):
            _answer(db, conversation, event, analysis, tuple(concerns), at)
        elif isinstance(event, Flagged):
            concerns.extend(event.reasons)
            _flag(db, conversation, event, at, analysis)
        elif isinstance(event, OptedOut):
            applied.opted_out = True
        elif isinstance(event, Restarted):
            repo.supersede_answers(db, conversation.id)
        elif isinstance(event, Revised):
            repo.supersede_answers(db, conversation.id, event.question_ids)
    conversation.session = session.model_dump(mode="json")
    conversation.status = session.status.value
    conversation.last_activity_at = session.last_activity_at
    conversation.expires_at = session.last_activity_at + flow.expiry
    conversation.revision += 1
    db.add(conversation)
    return applied


def _answer(
    db: Session,
    conversation: Conversation,
    event: AnswerRecorded,
    analysis: TextAnalysis,
    concerns: tuple[str, ...],
    at: datetime,
) -> None:
    assert conversation.id is not None
    row = Answer(
        conversation_id=conversation.id,
        provider_id=conversation.provider_id,
        flow_id=conversation.flow_id,
        flow_version=conversation.flow_version,
        question_id=event.question_id,
        question_type=event.question_type,
        status=event.status,
        indicator=event.indicator,
        value=event.value,
        polarity=event.polarity,
        raw_text=event.raw_text if event.question_type == "free_text" else None,
        purpose=event.purpose,
        channel=conversation.channel,
        answered_at=at,
        reporting_month=repo.reporting_month(at),
        flags=list(concerns) or None,
    )
    if event.question_type == "free_text" and isinstance(event.value, str):
        note = analysis.annotate(event.value, event.purpose)
        row.sentiment, row.sentiment_score = note.sentiment, note.sentiment_score
        row.themes = list(note.themes) or None
    db.add(row)


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
