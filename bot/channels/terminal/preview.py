"""Every message a flow can send, for authors to read before anyone receives it."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.asking import Speaker, reask_hint
from flows.compiled import compiled
from flows.definition import Flow
from flows.events import Message
from flows.session import Session

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def preview_messages(flow: Flow, language: str) -> list[tuple[str, Message]]:
    """(title, message) for the intro, each question, a sample re-ask, and the closing texts."""
    session = Session(
        flow_id=flow.id,
        flow_version=flow.version,
        language=language,
        context=dict(flow.context),
        started_at=_EPOCH,
        last_activity_at=_EPOCH,
    )
    speaker = Speaker(compiled(flow), session)
    shown = [("intro", speaker.say("intro", speaker.text(flow.messages.intro)))]
    for question in flow.questions:
        shown.append((f"{question.id} ({question.type})", speaker.ask(question)))
        if question.type != "info":
            shown.append(
                (
                    f"{question.id}: re-ask",
                    speaker.ask(question, "reask", reask_hint(speaker, question)),
                )
            )
    shown.append(("thanks", speaker.say("thanks", speaker.text(flow.messages.thanks))))
    safeguarding = speaker.text(flow.messages.safeguarding)
    shown.append(("safeguarding signposting", speaker.say("safeguarding", safeguarding)))
    return shown
