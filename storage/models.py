"""The database tables.

Identity lives apart from feedback: phone numbers and chat ids are only in ``address`` (encrypted,
looked up by keyed hash); answers, flags and messages refer to people by id or by that hash.
What people typed is encrypted too, by its column's type (``storage.sealed``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, LargeBinary, MetaData, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.sealed import SealedJSON, SealedText
from storage.types import JSONText, UTCDateTime

# Named constraints, so that Alembic migrations can alter them on SQLite and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

CATEGORIES = (
    "general_home_care",
    "specialist_home_care",
    "day_service",
    "childrens_service",
    "other",
)


def _time(nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(JSONText(), nullable=nullable))


def _sealed_json(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(SealedJSON(), nullable=nullable))


def _sealed_text() -> Any:
    return Field(default=None, sa_column=Column(SealedText(), nullable=True))


class Provider(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    category: str = Field(default="general_home_care", max_length=40)
    commissioners: list[str] | None = _json()
    created_at: datetime = _time()


class Contact(SQLModel, table=True):
    """A person we may ask, with their communication needs (Accessible Information Standard)."""

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    name_encrypted: bytes | None = Field(default=None, sa_column=Column(LargeBinary()))
    language: str = Field(default="en", max_length=20)
    easy_read: bool = False
    large_print: bool = False
    # Sealed: who answers for them ("daughter", and often a name with it) is personal data
    # about a second person.
    answers_on_behalf: str | None = _sealed_text()
    created_at: datetime = _time()
    erased_at: datetime | None = _time(nullable=True)
    # How they like to be asked: sms, telegram, web_sms (a link by text), web_email. None: the
    # configured fallback order decides.
    preferred_channel: str | None = Field(default=None, max_length=20)
    # When they started with the provider (contacts import): a per-person campaign's baseline
    # is due then, and its follow-ups so many months later.
    started_on: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))


class Address(SQLModel, table=True):
    """A phone number, chat id or e-mail: encrypted, found by its keyed hash."""

    __table_args__ = (UniqueConstraint("channel", "address_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    channel: str = Field(max_length=20)
    address_hash: str = Field(max_length=64, index=True)
    encrypted: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    created_at: datetime = _time()


class OptOut(SQLModel, table=True):
    """The suppression list: one row per address that said STOP; cleared by START.

    STOP on one address stops every address of the same contact; START clears only its own.
    ``stopped_at`` (the last STOP, kept after a START) is what the other addresses go by."""

    __table_args__ = (UniqueConstraint("channel", "address_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    address_hash: str = Field(max_length=64, index=True)
    active: bool = True
    keyword: str = Field(max_length=40)
    changed_at: datetime = _time()
    stopped_at: datetime | None = _time(nullable=True)


class ErasedAddress(SQLModel, table=True):
    """An address whose person was erased, as a keyed hash only: a contacts file imported again
    must not quietly bring them back (only an explicit ``include_erased`` does)."""

    __table_args__ = (UniqueConstraint("channel", "address_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    address_hash: str = Field(max_length=64, index=True)
    erased_at: datetime = _time()


class FlowVersion(SQLModel, table=True):
    """The exact flow text a conversation started with, so edits never break one under way."""

    __table_args__ = (UniqueConstraint("flow_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    flow_id: str = Field(max_length=80)
    version: int
    source: str
    created_at: datetime = _time()


class Conversation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    address_hash: str = Field(max_length=64, index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)
    flow_id: str = Field(max_length=80)
    flow_version: int
    # Sealed: the engine's state holds every answer given so far and the values piped into
    # messages (a name, a typed answer).
    session: dict[str, Any] = _sealed_json(nullable=False)
    status: str = Field(max_length=20, index=True)
    started_at: datetime = _time()
    last_activity_at: datetime = _time()
    expires_at: datetime = _time(index=True)
    revision: int = Field(default=0, description="Bumped on every write: optimistic check.")
    # Outcome waves: which survey round this answers ("baseline", "3 months"…), and a keyed
    # pseudonym of the contact that pairs one person's waves. Never the name, number or contact
    # id; erasure clears it, so an erased person's waves no longer pair (storage.waves).
    wave: str | None = Field(default=None, max_length=40)
    person_key: str | None = Field(default=None, max_length=64, index=True)


class Answer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)
    flow_id: str = Field(max_length=80)
    flow_version: int
    question_id: str = Field(max_length=80)
    question_type: str = Field(max_length=20)
    status: str = Field(max_length=20)
    indicator: str | None = Field(default=None, max_length=80, index=True)
    # In clear, so reports can count it in SQL; empty for a free-text answer, whose words are
    # only in the sealed ``raw_text`` (storage.sealed.free_text_answer).
    value: Any = _json()
    polarity: str | None = Field(default=None, max_length=10)
    raw_text: str | None = _sealed_text()
    purpose: str | None = Field(default=None, max_length=20)
    channel: str = Field(max_length=20)
    answered_at: datetime = _time()
    reporting_month: str = Field(max_length=7, index=True, description="YYYY-MM, Europe/London.")
    superseded: bool = Field(default=False, description="Voided by a RESTART.")
    sentiment: str | None = Field(default=None, max_length=10)
    sentiment_score: float | None = None
    themes: list[str] | None = _json()
    flags: list[str] | None = _json()

    @property
    def given(self) -> Any:
        """The answer as the person gave it, as ``value`` held it before free text was sealed:
        a free-text answer's words (none when skipped), else its value."""
        if self.question_type != "free_text":
            return self.value
        return self.raw_text if self.status == "answered" else None


class InboundMessage(SQLModel, table=True):
    """Every message received, for idempotency: a repeated external id changes nothing."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=120)
    address_hash: str = Field(max_length=64, index=True)
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id")
    received_at: datetime = _time()
    # Sealed: the replies sent, which may quote what the person typed (``{answer.x}``).
    outcome: dict[str, Any] = _sealed_json(nullable=False)


class HandledId(SQLModel, table=True):
    """A keyed hash of every external message id handled, kept after purge or erasure removes
    the message itself, so that a captured request replayed later is never applied again."""

    __table_args__ = (UniqueConstraint("channel", "id_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    id_hash: str = Field(max_length=64)
    handled_at: datetime = _time(index=True)


class Outbox(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    address_id: int = Field(foreign_key="address.id", index=True)
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id")
    kind: str = Field(max_length=20, description="reply, invitation, reminder, alert")
    # Sealed for the same reason as an inbound outcome: a reply may quote the person's words.
    body: dict[str, Any] = _sealed_json(nullable=False)
    status: str = Field(default="queued", max_length=20, index=True)
    attempts: int = 0
    send_after: datetime = _time(index=True)
    created_at: datetime = _time()
    sent_at: datetime | None = _time(nullable=True)
    external_id: str | None = Field(default=None, max_length=120, index=True)
    last_error: str | None = None


class SafeguardingFlag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", index=True)
    answer_id: int | None = Field(default=None, foreign_key="answer.id")
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)
    categories: list[str] = _json(nullable=False)
    source: str = Field(max_length=20)
    status: str = Field(default="open", max_length=20, index=True)
    created_at: datetime = _time()
    assigned_to: str | None = Field(default=None, max_length=200)
    # Sealed: triage notes are free text about a disclosure, written by staff.
    history: list[dict[str, Any]] = _sealed_json(nullable=False)
    # The words that raised the flag, for the named person who triages it. A disclosure may come
    # in reply to a multiple-choice question or outside any survey, where no answer keeps it.
    text: str | None = _sealed_text()
    address_hash: str | None = Field(default=None, max_length=64, index=True)
    # Which layer of the detector raised it ("rules", "model", "both"), the contextual model's
    # score, and the band ("likely" above "possible"); empty for flags raised before 0004.
    layer: str | None = Field(default=None, max_length=10)
    model_score: float | None = None
    band: str | None = Field(default=None, max_length=10)


class Invitation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    provider_id: int = Field(foreign_key="provider.id")
    flow_id: str = Field(max_length=80)
    channel: str = Field(max_length=20)
    month: str = Field(max_length=7, index=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = _time()
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id")
    # A personal link (web /s/{token}, a Telegram deep link) works until it expires or is used.
    expires_at: datetime | None = _time(nullable=True)
    used_at: datetime | None = _time(nullable=True)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=200)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20, description="commissioner, provider, organiser or admin")
    provider_id: int | None = Field(default=None, foreign_key="provider.id")
    active: bool = True
    created_at: datetime = _time()
    flow_ids: list[str] | None = _json()  # an organiser's own surveys


class SignInAttempt(SQLModel, table=True):
    """A dashboard sign-in attempt, counted before its password is checked (bot/web/ratelimit).
    Email and address are keyed hashes."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _time(index=True)
    email_key: str = Field(max_length=64, index=True)
    client_key: str = Field(max_length=64, index=True)


class UserSession(SQLModel, table=True):
    """A signed-in dashboard session. The cookie holds a random token; only its SHA-256 is here,
    so a copy of the database cannot be turned into a working cookie."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    # A digest of the password hash at sign-in: a password changed by any route ends the session.
    password_check: str = Field(max_length=64)
    created_at: datetime = _time()
    last_seen_at: datetime = _time()
    expires_at: datetime = _time(index=True)


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _time(index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=80)
    subject: str | None = Field(default=None, max_length=200)
    # In clear: counts and statuses only, never what anyone typed (a triage note is recorded
    # as ``note_recorded``, its words stay in the flag's sealed history).
    detail: dict[str, Any] | None = _json()


class Campaign(SQLModel, table=True):
    """A survey sent by itself on a schedule to every service user of some providers."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)
    flow_id: str = Field(max_length=80)
    provider_ids: list[int] | None = _json()  # None: every provider, including ones added later
    schedule: str = Field(max_length=200, description="Friendly form or a cron expression.")
    remind_after_days: int | None = None
    expire_after_days: int | None = None
    starts_at: datetime | None = _time(nullable=True)
    ends_at: datetime | None = _time(nullable=True)
    status: str = Field(default="active", max_length=20, description="active, paused, removed")
    created_at: datetime = _time()
    # A per-person campaign (outcomes): waves as [{"name": "baseline", "months": 0}, …] counted
    # from each contact's started_on, each open for window_days; None for a scheduled campaign.
    waves: list[dict[str, Any]] | None = _json()
    window_days: int | None = None
    throttles: dict[str, float] | None = _json()  # channel → invitations an hour at most


class CampaignPeriod(SQLModel, table=True):
    """One occurrence of a campaign's schedule, planned once: its row and its people's rows are
    written in one transaction, so a period is either wholly planned or not at all."""

    __table_args__ = (UniqueConstraint("campaign_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    period: str = Field(max_length=20, description="The occurrence, local time: 2026-12-01T10:00")
    due_at: datetime = _time()
    planned_at: datetime = _time()
    paced: dict[str, str] | None = _json()  # throttled channel → when its next invitation is due


class CampaignRun(SQLModel, table=True):
    """One person's part in one period: the named, idempotent job behind their invitation."""

    __table_args__ = (UniqueConstraint("campaign_id", "contact_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    provider_id: int = Field(foreign_key="provider.id")
    period: str = Field(max_length=20)
    route: str | None = Field(default=None, max_length=20)
    # planned → invited | skipped | unavailable | failed; invited → reminded/expired via times
    status: str = Field(default="planned", max_length=20, index=True)
    reason: str | None = Field(default=None, max_length=80)
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id")
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id")
    planned_at: datetime = _time()
    invited_at: datetime | None = _time(nullable=True)
    reminded_at: datetime | None = _time(nullable=True)
    closed_at: datetime | None = _time(nullable=True)
    # A personal link (web_sms, web_email), encrypted, so that its one reminder re-sends the link
    # already sent; only its hash is on the invitation. Cleared once reminded, closed or erased.
    link_encrypted: bytes | None = Field(default=None, sa_column=Column(LargeBinary()))
    # A per-person wave's run: the keyed pseudonym waves pair by (storage.waves), so outcomes
    # can tell who was asked a follow-up without the contact's id. Cleared on erasure.
    person_key: str | None = Field(default=None, max_length=64, index=True)
