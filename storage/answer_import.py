"""Importing answers collected elsewhere (paper surveys, an earlier system) from a CSV file.

Good rows are imported, bad rows reported with their line numbers, in one transaction. Each row
is recorded in ``inboundmessage`` (channel ``import``) under its content hash, so importing the
same file again — or a corrected copy of it — changes nothing for rows already in. Imported free
text goes through the same safeguarding check, sentiment and themes as a text message: a
disclosure on a paper form is flagged for triage like any other.

A provider is never created by accident: a row naming a provider that does not exist is a bad
row (with the nearest known name suggested, since "Sunrise Care Ltd" is usually "Sunrise Care"),
unless the caller passes ``create_providers=True``. ``dry_run=True`` does all the work, reports
what would happen, and keeps nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, TextIO

from sqlalchemy import func
from sqlmodel import Session, col, select

from flows.asking import value_polarity
from flows.definition import Flow, FreeText
from storage import repository as repo
from storage.answer_rows import AnswerRow, read_rows
from storage.csv_rows import RowProblem
from storage.models import Answer, Conversation, InboundMessage, Provider, SafeguardingFlag
from storage.providers import nearest_provider
from storage.sealed import free_text_answer

IMPORT_CHANNEL = "import"
ANSWERED_AT = time(12, 0)  # a day without a time counts at UK midday: its month is certain


class Annotation(Protocol):
    @property
    def sentiment(self) -> str | None: ...
    @property
    def sentiment_score(self) -> float | None: ...
    @property
    def themes(self) -> tuple[str, ...]: ...


class TextAnalysis(Protocol):
    def concerns(self, text: str) -> tuple[str, ...]: ...
    def annotate(self, text: str, purpose: str | None) -> Annotation: ...


@dataclass
class ImportResult:
    imported: int = 0
    already: int = 0
    providers_created: list[str] = field(default_factory=list)
    flagged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    # Names in the file that are not providers (not created), each with the nearest known name.
    unknown_providers: dict[str, str | None] = field(default_factory=dict)
    dry_run: bool = False  # nothing above was kept


def import_answers(
    session: Session,
    handle: TextIO,
    flows: Mapping[str, Flow],
    analysis: TextAnalysis,
    at: datetime,
    actor: str = "cli",
    *,
    create_providers: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Import every good row; raises ``CsvHeaderError`` when the header is unusable."""
    result = ImportResult(dry_run=dry_run)
    work = _Work(session, analysis, at, actor, result, create_providers)
    savepoint = session.begin_nested()  # a dry run is the same work, rolled back
    today = at.astimezone(repo.REPORTING_ZONE).date()
    for row in read_rows(handle, flows, today):
        if isinstance(row, RowProblem):
            result.problems.append(row)
        elif _known(session, row):
            result.already += 1
        elif (problem := _import_row(work, row)) is not None:
            result.problems.append(problem)
    detail = {"imported": result.imported, "already": result.already, "bad": len(result.problems)}
    repo.audit(session, actor, "answers_import", None, detail, at)
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return result


@dataclass(frozen=True)
class _Work:
    session: Session
    analysis: TextAnalysis
    at: datetime
    actor: str
    result: ImportResult
    create_providers: bool


def _known(session: Session, row: AnswerRow) -> bool:
    query = select(InboundMessage.id).where(
        InboundMessage.channel == IMPORT_CHANNEL, InboundMessage.external_id == row.key
    )
    return session.exec(query).first() is not None


def _import_row(work: _Work, row: AnswerRow) -> RowProblem | None:
    session, analysis, at, result = work.session, work.analysis, work.at, work.result
    provider = _provider(work, row.provider)
    if provider is None:
        return _unknown_provider(work, row)
    conversation = _conversation(session, row, provider)
    assert conversation.id is not None
    if _answered(session, conversation.id, row.question.id):
        return RowProblem(row.line, f"this respondent already answered {row.question.id!r}")
    answer = _answer(row, conversation, provider)
    concerns = analysis.concerns(row.text) if row.text else ()
    if concerns:
        answer.flags = list(concerns)
        result.flagged += 1
    if isinstance(row.question, FreeText) and isinstance(row.value, str):
        note = analysis.annotate(row.value, row.question.purpose)
        answer.sentiment, answer.sentiment_score = note.sentiment, note.sentiment_score
        answer.themes = list(note.themes) or None
    session.add(answer)
    session.flush()
    if concerns:
        _flag(session, conversation, answer, concerns, at)
    session.add(
        InboundMessage(
            channel=IMPORT_CHANNEL,
            external_id=row.key,
            address_hash=row.person,
            conversation_id=conversation.id,
            received_at=at,
            outcome={"answer_id": answer.id, "line": row.line},
        )
    )
    result.imported += 1
    return None


def _provider(work: _Work, name: str) -> Provider | None:
    session = work.session
    query = select(Provider).where(func.lower(Provider.name) == name.lower())
    found = session.exec(query).first()
    if found is not None or not work.create_providers:
        return found
    created = Provider(name=name, created_at=work.at)
    session.add(created)
    session.flush()
    subject = f"provider:{created.id}"
    repo.audit(session, work.actor, "provider_add", subject, {"name": name}, work.at)
    work.result.providers_created.append(name)
    return created


def _unknown_provider(work: _Work, row: AnswerRow) -> RowProblem:
    unknown = work.result.unknown_providers
    if row.provider not in unknown:
        unknown[row.provider] = nearest_provider(work.session, row.provider)
    nearest = unknown[row.provider]
    hint = f": did you mean {nearest!r}?" if nearest else ""
    return RowProblem(
        row.line,
        f"no provider called {row.provider!r}{hint} (add it first, or allow new providers)",
    )


def _conversation(session: Session, row: AnswerRow, provider: Provider) -> Conversation:
    """The imported respondent's conversation, made on their first row."""
    query = select(Conversation).where(
        Conversation.address_hash == row.person, Conversation.flow_id == row.flow.id
    )
    found = session.exec(query).first()
    if found is not None:
        return found
    answered_at = answered_time(row.day)
    created = Conversation(
        channel=row.channel,
        address_hash=row.person,
        provider_id=provider.id,
        flow_id=row.flow.id,
        flow_version=row.flow.version,
        session={"imported": True},
        status="completed",
        started_at=answered_at,
        last_activity_at=answered_at,
        expires_at=answered_at + timedelta(seconds=1),
    )
    session.add(created)
    session.flush()
    return created


def _answered(session: Session, conversation_id: int, question_id: str) -> bool:
    query = select(Answer.id).where(
        Answer.conversation_id == conversation_id,
        Answer.question_id == question_id,
        col(Answer.superseded).is_(False),
    )
    return session.exec(query).first() is not None


def _answer(row: AnswerRow, conversation: Conversation, provider: Provider) -> Answer:
    assert conversation.id is not None
    indicator = getattr(row.question, "indicator", None)
    answered_at = answered_time(row.day)
    value, text = row.value, row.text
    if isinstance(row.question, FreeText):
        value, text = free_text_answer(row.value, row.text)
    return Answer(
        conversation_id=conversation.id,
        provider_id=provider.id,
        flow_id=row.flow.id,
        flow_version=row.flow.version,
        question_id=row.question.id,
        question_type=row.question.type,
        status="answered",
        indicator=indicator.name if indicator else None,
        value=value,
        polarity=value_polarity(row.question, row.value),
        raw_text=text,
        purpose=row.question.purpose if isinstance(row.question, FreeText) else None,
        channel=row.channel,
        answered_at=answered_at,
        reporting_month=repo.reporting_month(answered_at),
    )


def _flag(
    session: Session,
    conversation: Conversation,
    answer: Answer,
    concerns: tuple[str, ...],
    at: datetime,
) -> None:
    note = f"imported answer to {answer.question_id}"
    history = [{"at": at.isoformat(), "by": "system", "action": "raised", "note": note}]
    session.add(
        SafeguardingFlag(
            conversation_id=conversation.id,
            answer_id=answer.id,
            provider_id=conversation.provider_id,
            categories=list(concerns),
            source="import",
            status="open",
            created_at=at,
            history=history,
        )
    )


def answered_time(day: date) -> datetime:
    return datetime.combine(day, ANSWERED_AT, tzinfo=repo.REPORTING_ZONE).astimezone(UTC)
