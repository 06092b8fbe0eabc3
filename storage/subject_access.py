"""Subject access: everything held about one person, as one JSON-ready dictionary.

Safeguarding flags are included with their history. Before the export is released, the data
protection officer decides whether any part is exempt (e.g. where disclosure could cause serious
harm: Data Protection Act 2018, Schedule 3); this module only gathers, it never withholds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage import people
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


def export_person(
    session: Session, vault: Vault, person: people.Person, at: datetime, actor: str = "cli"
) -> dict[str, Any]:
    """The person's data, decrypted; writes an audit-log entry (no address in it)."""
    talk_ids = people.ids(people.conversations(session, person))
    answers = people.answers(session, talk_ids)
    data: dict[str, Any] = {"exported_at": _when(at)}
    # Every table in the one list of tables that hold a person (storage.people.HOLDINGS).
    for holding in people.HOLDINGS:
        if holding.export_as is not None:
            rows = holding.rows(session, person, talk_ids)
            data[holding.export_as] = [_export(session, vault, row, answers) for row in rows]
    repo.audit(session, actor, "subject_access_export", person.subject, _counts(data), at)
    return data


def _export(session: Session, vault: Vault, row: Any, answers: list[Answer]) -> dict[str, Any]:
    if isinstance(row, Contact):
        return _contact(session, vault, row)
    if isinstance(row, Address):
        return _address(vault, row)
    if isinstance(row, Conversation):
        return _conversation(row, answers)
    exporter = _EXPORTERS.get(type(row))
    return exporter(row) if exporter is not None else _columns(row)


def _columns(row: Any) -> dict[str, Any]:
    """A table without its own export: every column but encrypted values and keyed hashes."""
    data = row.model_dump()
    return {
        name: _when(value) if isinstance(value, datetime) else value
        for name, value in data.items()
        if not isinstance(value, bytes) and not name.endswith("_hash")
    }


def _address(vault: Vault, row: Address) -> dict[str, Any]:
    return {
        "channel": row.channel,
        "address": vault.decrypt(row.encrypted),
        "created_at": _when(row.created_at),
    }


def _opt_out(row: OptOut) -> dict[str, Any]:
    return {
        "channel": row.channel,
        "opted_out": row.active,
        "keyword": row.keyword,
        "changed_at": _when(row.changed_at),
    }


def _flag(row: SafeguardingFlag) -> dict[str, Any]:
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "answer_id": row.answer_id,
        "categories": row.categories,
        "layer": row.layer,
        "model_score": row.model_score,
        "band": row.band,
        "status": row.status,
        "created_at": _when(row.created_at),
        "history": row.history,
        "text": row.text,
    }


def _received(row: InboundMessage) -> dict[str, Any]:
    # We keep what we replied (for idempotency), not the text the person sent.
    return {"channel": row.channel, "received_at": _when(row.received_at), "outcome": row.outcome}


def _sent(row: Outbox) -> dict[str, Any]:
    return {
        "channel": row.channel,
        "kind": row.kind,
        "status": row.status,
        "body": row.body,
        "created_at": _when(row.created_at),
        "sent_at": _when(row.sent_at),
    }


def _invitation(row: Invitation) -> dict[str, Any]:
    return {
        "flow_id": row.flow_id,
        "channel": row.channel,
        "month": row.month,
        "created_at": _when(row.created_at),
    }


_EXPORTERS: dict[type[Any], Callable[[Any], dict[str, Any]]] = {
    OptOut: _opt_out,
    SafeguardingFlag: _flag,
    InboundMessage: _received,
    Outbox: _sent,
    Invitation: _invitation,
}


def _contact(session: Session, vault: Vault, contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "provider": repo.provider_name(session, contact.provider_id),
        "name": vault.decrypt(contact.name_encrypted) if contact.name_encrypted else None,
        "language": contact.language,
        "easy_read": contact.easy_read,
        "large_print": contact.large_print,
        "answers_on_behalf": contact.answers_on_behalf,
        "preferred_channel": contact.preferred_channel,
        "started_on": contact.started_on.isoformat() if contact.started_on else None,
        "created_at": _when(contact.created_at),
        "erased_at": _when(contact.erased_at),
    }


def _conversation(conversation: Conversation, answers: list[Answer]) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "channel": conversation.channel,
        "flow_id": conversation.flow_id,
        "flow_version": conversation.flow_version,
        "status": conversation.status,
        "started_at": _when(conversation.started_at),
        "last_activity_at": _when(conversation.last_activity_at),
        "expires_at": _when(conversation.expires_at),
        "wave": conversation.wave,  # the pseudonym itself tells the person nothing
        "answers": [_answer(a) for a in answers if a.conversation_id == conversation.id],
    }


def _answer(answer: Answer) -> dict[str, Any]:
    return {
        "question_id": answer.question_id,
        "question_type": answer.question_type,
        "indicator": answer.indicator,
        # The person's own words are their free-text answer (only raw_text keeps them).
        "value": answer.raw_text if answer.question_type == "free_text" else answer.value,
        "raw_text": answer.raw_text,
        "channel": answer.channel,
        "answered_at": _when(answer.answered_at),
        "reporting_month": answer.reporting_month,
        "superseded": answer.superseded,
        "sentiment": answer.sentiment,
        "themes": answer.themes,
        "flags": answer.flags,
    }


def _counts(data: dict[str, Any]) -> dict[str, Any]:
    return {key: len(value) for key, value in data.items() if isinstance(value, list)}


def _when(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()
