"""A conversation in the terminal: the engine with standard input and output as its channel."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TextIO

from bot.channels.text import plain_text
from flows.definition import Flow, Info
from flows.engine import resume, start
from flows.events import AnswerRecorded, Event, Message, Restarted
from flows.resumes import MessageInput, StartContext
from flows.session import AnswerValue, Session

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class TerminalChat:
    """Runs one conversation, printing bot messages to ``out`` and collecting answers."""

    def __init__(self, flow: Flow, out: TextIO, clock: Clock = utc_now) -> None:
        self.flow = flow
        self.out = out
        self.clock = clock
        self.answers: dict[str, AnswerValue] = {
            q.id: None for q in flow.questions if not isinstance(q, Info)
        }

    def run(self, lines: Iterable[str], language: str | None, values: dict[str, str]) -> Session:
        context = StartContext(at=self.clock(), language=language, values=values)
        session, events = start(self.flow, context)
        self._show(events)
        for line in lines:
            if not session.active:
                break
            message = MessageInput(text=line.rstrip("\r\n"), at=self.clock())
            session, events = resume(self.flow, session, message)
            self._show(events)
        return session

    def _show(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, Message):
                text = plain_text(event)
                self.out.write("\n".join(f"bot> {line}" for line in text.splitlines()) + "\n")
            elif isinstance(event, AnswerRecorded):
                self.answers[event.question_id] = event.value
            elif isinstance(event, Restarted):
                self.answers = dict.fromkeys(self.answers)
        self.out.flush()

    def answers_json(self) -> str:
        return json.dumps(self.answers, ensure_ascii=False)
