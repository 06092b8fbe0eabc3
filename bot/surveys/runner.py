"""The runner: one inbound message in, stored answers and queued replies out, in one transaction.

Order of work for a message (all inside one transaction, under a per-person lock):
record it (a repeated external id returns the first outcome and changes nothing; one seen before
the message log was purged returns nothing, storage/handled.py) → honour
STOP / START at once, on every channel → resume the person's conversation or start one from a
start keyword → apply the engine's events (answers, flags, opt-out, end) → queue the replies.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.channels.base import with_opt_out_line
from bot.config.settings import Settings
from bot.surveys.apply import apply_events
from bot.surveys.catalog import FlowCatalog
from bot.surveys.inbound import Inbound, StartRequest, StructuredAnswer
from bot.surveys.text_analysis import DefaultTextAnalysis, TextAnalysis
from flows import builtins
from flows.definition import Flow
from flows.engine import names_an_option, prompt_again, resume, start
from flows.events import Event, Message
from flows.parsing import normalise
from flows.resumes import AnswerInput, MessageInput, StartContext, TimeoutInput
from flows.session import Session as EngineSession
from flows.session import Status
from storage import handled, sealed
from storage import repository as repo
from storage.crypto import Vault
from storage.db import transaction
from storage.models import Conversation, Invitation, SafeguardingFlag

if TYPE_CHECKING:
    # Given by the composition root (bot.config.wiring); importing it here would make every
    # channel that uses the runner depend on all the others.
    from bot.channels.registry import ChannelRegistry

STOP_WORDS = frozenset(
    word for words in builtins.DEFAULT_COMMANDS["stop"].values() for word in words
)
# Twilio's opt-in words. YES only counts from someone who has opted out: otherwise it is an answer.
START_WORDS = frozenset({"start", "unstop", "yes"})
OPTED_IN_TEXT = "You will get messages from us again. Reply STOP at any time to opt out."
NO_SURVEY_TEXT = "Thank you for your message. There is no survey open for you at the moment."


@dataclass(frozen=True)
class Outcome:
    """What the channel should do: send ``replies`` (unless the carrier already confirmed)."""

    replies: list[Message] = field(default_factory=list)
    conversation_id: int | None = None
    opted_out: bool = False
    opted_in: bool = False
    duplicate: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "replies": [m.model_dump(mode="json") for m in self.replies],
            "conversation_id": self.conversation_id,
            "opted_out": self.opted_out,
            "opted_in": self.opted_in,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        replies = [Message.model_validate(m) for m in data["replies"]]
        # Outcomes stored before the flow language lost ``unicode`` still carry it: not read.
        return cls(replies, data["conversation_id"], data["opted_out"], data["opted_in"], True)


class Runner:
    def __init__(
        self,
        engine: Engine,
        vault: Vault,
        catalog: FlowCatalog,
        analysis: TextAnalysis | None = None,
        signpost: str | None = None,
        channels: ChannelRegistry | None = None,
    ) -> None:
        self.engine = engine
        # What the runner stores of people's words is sealed with this key ring (storage.sealed).
        sealed.bind(engine, vault)
        # For each channel's own opt-out line; without them (tests, the terminal) none is added.
        self.channels = channels
        self.vault = vault
        self.catalog = catalog
        self.analysis = analysis or DefaultTextAnalysis()
        # Outside a survey there is no flow's own signposting text to use.
        self.signpost = signpost or Settings.model_fields["safeguarding_signpost"].default

    def handle(
        self, channel: str, address: str, text: str, external_id: str, received_at: datetime,
        *, inline: bool = True, notice: str | None = None,
    ) -> Outcome:  # fmt: skip
        """A typed message (or, with ``notice``, one that could not be read as text)."""
        inbound = (
            Inbound(channel, address, external_id, received_at, notice=notice)
            if notice is not None
            else Inbound(channel, address, external_id, received_at, text=text)
        )
        return self.receive(inbound, inline=inline)

    def receive(self, inbound: Inbound, *, inline: bool = True) -> Outcome:
        """Apply one inbound value exactly once; returns the replies to send.

        ``inline``: the caller delivers the replies itself (in a webhook response, a web page),
        so they are stored as already sent and the outbox worker leaves them alone.
        """
        try:
            return self._receive_once(inbound, inline)
        except IntegrityError:
            # Two deliveries of one message raced past the duplicate check in two processes and
            # the loser's unique key refused it; or the message was handled before handled ids
            # were kept, so only its inbound record knows it. Its transaction is gone: the
            # careful path looks for the earlier record first and returns that.
            return self._receive_once(inbound, inline, careful=True)

    def _receive_once(self, inbound: Inbound, inline: bool, careful: bool = False) -> Outcome:
        channel, at = inbound.channel, inbound.received_at
        hashes = self.vault.lookup_hashes(channel, inbound.address)
        with transaction(self.engine) as db:
            repo.lock_person(db, channel, hashes[0])
            earlier = repo.earlier_outcome(db, channel, inbound.external_id) if careful else None
            if earlier is not None:
                return Outcome.from_json(earlier)
            # A new message costs one statement here: claiming its id says it is new.
            if not handled.claim(db, self.vault, channel, inbound.external_id, at):
                earlier = repo.earlier_outcome(db, channel, inbound.external_id)
                # Handled, then purged or erased: not again.
                return Outcome(duplicate=True) if earlier is None else Outcome.from_json(earlier)
            person = repo.ensure_address(db, self.vault, channel, inbound.address, at)
            if inbound.notice is not None:
                outcome = self._prompt_again(db, channel, hashes, inbound.notice)
            elif inbound.answer is not None:
                outcome = self._answer(db, channel, hashes, inbound.answer, at)
            elif inbound.start is not None:
                outcome = self._start_requested(db, channel, hashes, inbound.start, at)
            else:
                outcome = self._respond(db, channel, hashes, inbound.text or "", at)
            repo.record_inbound(
                db, channel, inbound.external_id, person.address_hash,
                outcome.conversation_id, at, outcome.to_json(),
            )  # fmt: skip
            status = "sent_inline" if inline else "queued"
            repo.queue_replies(
                db, person, outcome.conversation_id, outcome.replies, at, status=status
            )
            return outcome

    def _answer(
        self, db: Session, channel: str, hashes: list[str], answer: StructuredAnswer, at: datetime
    ) -> Outcome:
        """A structured answer goes to the engine as values: never read as a command."""
        if repo.is_opted_out(db, channel, hashes):
            return Outcome()
        conversation = repo.active_conversation(db, channel, hashes)
        if answer.revise:
            latest = repo.latest_conversation(db, channel, hashes)
            conversation = latest if latest and latest.status == Status.COMPLETED else conversation
        given = AnswerInput(
            question_id=answer.question_id, values=answer.values, at=at, revise=answer.revise
        )
        if conversation is None:
            self._flag_outside_survey(db, hashes[0], given.text, at)
            return Outcome([Message(role="no_survey", text=NO_SURVEY_TEXT)])
        flow = self._flow_of(db, conversation)
        session = EngineSession.model_validate(conversation.session)
        chosen = names_an_option(flow, session, given.text)
        concerns = self.analysis.concerns(given.text, answer=chosen)
        given = given.model_copy(update={"concerns": concerns})
        new_session, events = resume(flow, session, given)
        return self._apply(db, conversation, flow, new_session, events)

    def _start_requested(
        self, db: Session, channel: str, hashes: list[str], request: StartRequest, at: datetime
    ) -> Outcome:
        """A link or deep link that names a flow: begin it, closing any survey under way."""
        if repo.is_opted_out(db, channel, hashes):
            return Outcome()
        try:
            entry = self.catalog.get(request.flow_id)
        except LookupError:
            return Outcome([Message(role="no_survey", text=NO_SURVEY_TEXT)])
        active = repo.active_conversation(db, channel, hashes)
        if active is not None:
            repo.close_conversation(db, active, at)
        contact_id, provider_id = request.contact_id, request.provider_id
        language = request.language
        if contact_id is None:
            person = repo.find_address(db, channel, hashes)
            contact = repo.contact(db, person.contact_id) if person and person.contact_id else None
            if contact is not None:
                contact_id, provider_id = contact.id, provider_id or contact.provider_id
                language = language or repo.contact_language(contact)
        return self._start(
            db, channel, hashes[0], entry.flow, entry.source, at,
            contact_id=contact_id, provider_id=provider_id, language=language,
            values=request.values,
        )  # fmt: skip

    def _prompt_again(self, db: Session, channel: str, hashes: list[str], notice: str) -> Outcome:
        if repo.is_opted_out(db, channel, hashes):
            return Outcome()
        conversation = repo.active_conversation(db, channel, hashes)
        if conversation is None:
            return Outcome([Message(role="reask", text=notice)])
        flow = self._flow_of(db, conversation)
        session = EngineSession.model_validate(conversation.session)
        replies = [e for e in prompt_again(flow, session, notice) if isinstance(e, Message)]
        return Outcome(replies, conversation.id)

    def _respond(
        self, db: Session, channel: str, hashes: list[str], text: str, at: datetime
    ) -> Outcome:
        word = normalise(text)
        opted_out = repo.is_opted_out(db, channel, hashes)
        conversation = None if opted_out else repo.active_conversation(db, channel, hashes)
        signpost = (
            self._flag_outside_survey(db, hashes[0], text, at) if conversation is None else []
        )
        if opted_out:
            if word in START_WORDS:
                repo.set_opt_out(db, channel, hashes, False, word, at)
                return Outcome([Message(role="opted_in", text=OPTED_IN_TEXT)], opted_in=True)
            if word in STOP_WORDS:
                # Said again (perhaps on a channel stopped by another's STOP): it stops every
                # channel of theirs again, including any they have since re-started.
                repo.set_opt_out(db, channel, hashes, True, word, at)
            # Never message someone who opted out, whatever they send; a disclosure is still
            # flagged above for a person to triage.
            return Outcome()
        if word in STOP_WORDS and conversation is None:
            # Before any signposting: a STOP is honoured at once, whatever else is said of it
            # (a flag raised above still goes to triage).
            repo.set_opt_out(db, channel, hashes, True, word, at)
            reply = builtins.SYSTEM_MESSAGES["opted_out"]["en"]
            return Outcome([Message(role="opted_out", text=reply)], opted_out=True)
        if signpost:
            return Outcome(signpost)
        if conversation is not None:
            outcome = self._resume(db, conversation, text, at)
            if outcome.opted_out:
                repo.set_opt_out(db, channel, hashes, True, word, at)
            if conversation.status != Status.EXPIRED or self.catalog.by_keyword(text) is None:
                return outcome
        entry = self.catalog.by_keyword(text)
        if entry is None:
            return Outcome([Message(role="no_survey", text=NO_SURVEY_TEXT)])
        person = repo.find_address(db, channel, hashes)
        contact = repo.contact(db, person.contact_id) if person and person.contact_id else None
        return self._start(
            db, channel, hashes[0], entry.flow, entry.source, at,
            contact_id=contact.id if contact else None,
            provider_id=contact.provider_id if contact else None,
            language=repo.contact_language(contact),
        )  # fmt: skip

    def _flag_outside_survey(
        self, db: Session, address_hash: str, text: str, at: datetime
    ) -> list[Message]:
        """A possible disclosure with no survey under way: flag it, and signpost the person."""
        concerns = self.analysis.concerns(text)
        if not concerns:
            return []
        detail = self.analysis.detail(text)
        repo.flag(
            db,
            SafeguardingFlag(
                categories=list(concerns), source="text", status="open", created_at=at,
                history=[{"at": at.isoformat(), "by": "system", "action": "raised", "note": None}],
                text=text, address_hash=address_hash, layer=detail.layer,
                model_score=detail.model_score, band=detail.band,
            ),
        )  # fmt: skip
        return [Message(role="safeguarding", text=self.signpost)]

    def _resume(self, db: Session, conversation: Conversation, text: str, at: datetime) -> Outcome:
        flow = self._flow_of(db, conversation)
        session = EngineSession.model_validate(conversation.session)
        concerns = self.analysis.concerns(text, answer=names_an_option(flow, session, text))
        message = MessageInput(text=text, at=at, concerns=concerns)
        new_session, events = resume(flow, session, message)
        return self._apply(db, conversation, flow, new_session, events)

    def _flow_of(self, db: Session, conversation: Conversation) -> Flow:
        source = repo.flow_source(db, conversation.flow_id, conversation.flow_version)
        if source is None:  # pragma: no cover - every conversation stores its flow when it starts
            raise LookupError(
                f"flow {conversation.flow_id} v{conversation.flow_version} is missing"
            )
        return self.catalog.from_source(
            source, f"{conversation.flow_id}@{conversation.flow_version}"
        )

    def _start(
        self, db: Session, channel: str, address_hash: str, flow: Flow, source: str, at: datetime,
        *, contact_id: int | None, provider_id: int | None, language: str | None,
        values: dict[str, str] | None = None,
    ) -> Outcome:  # fmt: skip
        repo.remember_flow(db, flow.id, flow.version, source, at)
        context_values = dict(values or {})
        if provider_id is not None:
            context_values = {**repo.provider_context(db, provider_id), **context_values}
        session, events = start(flow, StartContext(at=at, language=language, values=context_values))
        conversation = Conversation(
            channel=channel, address_hash=address_hash, contact_id=contact_id,
            provider_id=provider_id, flow_id=flow.id, flow_version=flow.version,
            session={}, status=Status.ACTIVE.value, started_at=at, last_activity_at=at,
            expires_at=at + flow.expiry,
        )  # fmt: skip
        db.add(conversation)
        db.flush()
        outcome = self._apply(db, conversation, flow, session, events)
        if not outcome.replies or self.channels is None or channel not in self.channels:
            return outcome
        line = self.channels.get(channel).opt_out_line(session.language)
        first, *rest = outcome.replies
        return replace(outcome, replies=[with_opt_out_line(first, line), *rest])

    def _apply(
        self, db: Session, conversation: Conversation, flow: Flow,
        session: EngineSession, events: list[Event],
    ) -> Outcome:  # fmt: skip
        result = apply_events(db, conversation, flow, session, events, self.analysis)
        return Outcome(result.replies, conversation.id, opted_out=result.opted_out)

    def start_for(
        self, channel: str, address: str, flow_id: str, at: datetime, *,
        contact_id: int | None = None, provider_id: int | None = None,
        language: str | None = None, values: dict[str, str] | None = None,
        inline: bool = False, invitation_month: str | None = None, kind: str = "invitation",
    ) -> Outcome:  # fmt: skip
        """Begin a survey we initiate (an invitation, or staff entering a phone survey).

        The first messages are queued for the outbox worker unless ``inline``; as messages we
        start (``kind``), they wait for the end of quiet hours."""
        entry = self.catalog.get(flow_id)
        hashes = self.vault.lookup_hashes(channel, address)
        with transaction(self.engine) as db:
            repo.lock_person(db, channel, hashes[0])
            if repo.is_opted_out(db, channel, hashes):
                return Outcome()
            person = repo.ensure_address(db, self.vault, channel, address, at, contact_id)
            active = repo.active_conversation(db, channel, hashes)
            if active is not None:
                repo.close_conversation(db, active, at)
            outcome = self._start(
                db, channel, person.address_hash, entry.flow, entry.source, at,
                contact_id=contact_id, provider_id=provider_id, language=language, values=values,
            )  # fmt: skip
            status = "sent_inline" if inline else "queued"
            repo.queue_replies(
                db, person, outcome.conversation_id, outcome.replies, at, kind, status
            )
            if invitation_month is not None and contact_id is not None and provider_id is not None:
                db.add(
                    Invitation(
                        contact_id=contact_id, provider_id=provider_id, flow_id=flow_id,
                        channel=channel, month=invitation_month, created_at=at,
                        conversation_id=outcome.conversation_id,
                    )
                )  # fmt: skip
            return outcome

    def remind_in(self, db: Session, conversation: Conversation, at: datetime) -> bool:
        """Re-ask the current question now, as a campaign's one reminder, whatever the flow's
        own ``reminder_after``; False when the engine has nothing to re-ask (or it expired)."""
        stored = self._flow_of(db, conversation)
        # A copy that reminds at once; model_construct gives it its own compiled cache.
        flow = Flow.model_construct(**{**dict(stored), "reminder_after": timedelta(0)})
        session = EngineSession.model_validate(conversation.session)
        session = session.model_copy(update={"reminded": False})
        new_session, events = resume(flow, session, TimeoutInput(at=at))
        if not events:
            return False
        outcome = self._apply(db, conversation, stored, new_session, events)
        person = repo.address_by_hash(db, conversation.channel, conversation.address_hash)
        if person is not None and outcome.replies:
            repo.queue_replies(db, person, conversation.id, outcome.replies, at, kind="reminder")
        return conversation.status == Status.ACTIVE.value

    def tick(self, at: datetime) -> int:
        """Send due reminders and expire silent conversations; returns how many changed."""
        changed = 0
        for conversation_id in repo.due_conversation_ids(self.engine, at):
            with transaction(self.engine) as db:
                conversation = repo.conversation_for_update(db, conversation_id)
                if conversation is None or conversation.status != Status.ACTIVE.value:
                    continue
                flow = self._flow_of(db, conversation)
                session = EngineSession.model_validate(conversation.session)
                new_session, events = resume(flow, session, TimeoutInput(at=at))
                if not events:
                    continue
                outcome = self._apply(db, conversation, flow, new_session, events)
                person = repo.address_by_hash(db, conversation.channel, conversation.address_hash)
                if person is not None and outcome.replies:
                    repo.queue_replies(
                        db, person, conversation.id, outcome.replies, at, kind="reminder"
                    )
                changed += 1
        return changed
