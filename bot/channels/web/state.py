"""Where one respondent is: their conversation, the flow it runs and what the pages show of it.

The web form keeps no state of its own. The respondent token in the address is the conversation's
"address" for the runner, so the page to show is read back from the stored conversation on every
request: the same address resumes on any device, and a closed tab loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from flows.asking import Speaker
from flows.compiled import compiled
from flows.definition import Flow, Question
from flows.events import Message
from flows.session import Session as EngineSession
from storage import repository as repo
from storage.models import Conversation, SafeguardingFlag

if TYPE_CHECKING:
    from bot.config.wiring import Services

CHANNEL = "web"


@dataclass(frozen=True)
class Respondent:
    token: str
    conversation: Conversation
    flow: Flow
    session: EngineSession
    flagged: bool  # a concern was found in something they wrote: the last page signposts help

    @property
    def status(self) -> str:
        return self.conversation.status

    @property
    def revision(self) -> int:
        return self.conversation.revision

    def speaker(self, language: str | None) -> Speaker:
        """Texts in ``language`` if the flow has it (the language switch), else the session's."""
        chosen = language if language in self.flow.all_languages else self.session.language
        return Speaker(compiled(self.flow), self.session.model_copy(update={"language": chosen}))

    def question(self, question_id: str) -> Question | None:
        try:
            return self.flow.question(question_id)
        except KeyError:
            return None

    def ask(self, question_id: str, language: str | None) -> Message | None:
        question = self.question(question_id)
        return None if question is None else self.speaker(language).ask(question)

    def answered(self) -> list[str]:
        """The questions answered, in the flow's order (stored JSON does not keep the order
        they were answered in; a flow's branches lead forward)."""
        order = {question.id: index for index, question in enumerate(self.flow.questions)}
        known = [qid for qid in self.session.answers if qid in order]
        return sorted(known, key=order.__getitem__)

    def previous(self, question_id: str) -> str | None:
        """The answered question before ``question_id`` on the person's way: the back link."""
        answered = self.answered()
        order = [question.id for question in self.flow.questions]
        if question_id in order:
            answered = [q for q in answered if order.index(q) < order.index(question_id)]
        return answered[-1] if answered else None


def load(services: Services, flow_id: str, token: str) -> Respondent | None:
    """The respondent behind ``token`` on ``flow_id``'s form, or ``None``."""
    if not token or len(token) > 64:
        return None
    hashes = services.vault.lookup_hashes(CHANNEL, token)
    with Session(services.engine) as db:
        conversation = repo.latest_conversation(db, CHANNEL, hashes)
        if conversation is None or conversation.flow_id != flow_id:
            return None
        source = repo.flow_source(db, conversation.flow_id, conversation.flow_version)
        flagged = db.exec(
            select(SafeguardingFlag.id).where(
                SafeguardingFlag.conversation_id == conversation.id,
                col(SafeguardingFlag.source) == "text",
            )
        ).first()
    if source is None:
        return None
    flow = services.catalog.from_source(
        source, f"{conversation.flow_id}@{conversation.flow_version}"
    )
    session = EngineSession.model_validate(conversation.session)
    return Respondent(token, conversation, flow, session, flagged is not None)


def exists(services: Services, token: str) -> bool:
    """Whether ``token`` has begun any survey (a repeated start goes back to it)."""
    hashes = services.vault.lookup_hashes(CHANNEL, token)
    with Session(services.engine) as db:
        return repo.latest_conversation(db, CHANNEL, hashes) is not None
