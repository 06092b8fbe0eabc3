"""Golden transcripts: scripted conversations and the exact events the engine must emit.

A transcript file gives a flow, a language, context values and steps. Each step is ``start``,
``send: TEXT`` (optionally ``after: 5m`` and ``concerns: [...]``) or ``timeout: 2d``; its
``expect`` lists the events in a compact, reviewable form. ``answers`` and ``status`` at the end
hold the final answers and session status. ``pytest --update-goldens`` rewrites ``expect``,
``answers`` and ``status`` from the current engine (review the diff before committing).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from flows.definition import _parse_duration
from flows.engine import resume, start
from flows.events import (
    AnswerRecorded,
    Ended,
    Event,
    Expired,
    Flagged,
    Message,
    OptedOut,
    QuestionReasked,
    Restarted,
)
from flows.loader import load
from flows.resumes import MessageInput, StartContext, TimeoutInput
from flows.session import Session

STARTED_AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
DEFAULT_GAP = timedelta(minutes=1)
FOLDER = Path(__file__).parent / "transcripts"


def yaml() -> YAML:
    loader = YAML(typ="rt")
    loader.width = 100
    loader.indent(mapping=2, sequence=4, offset=2)
    return loader


def describe(event: Event) -> str:
    """One line per event, stable and readable in a diff."""
    match event:
        case Message():
            where = f"[{event.question_id}]" if event.question_id else ""
            text = f"{event.notice} // {event.text}" if event.notice else event.text
            options = "".join(f" | {o.number} {o.label}" for o in event.options)
            return f"say {event.role}{where}: {' '.join(text.split())}{options}"
        case AnswerRecorded():
            extra = f" ({event.indicator}: {event.polarity})" if event.indicator else ""
            purpose = f" (purpose: {event.purpose})" if event.purpose else ""
            return f"{event.status} {event.question_id} = {event.value!r}{extra}{purpose}"
        case QuestionReasked():
            return f"reask {event.question_id}: {event.reason}, attempt {event.attempt}"
        case Flagged():
            return f"flagged {event.source} {','.join(event.reasons)} at {event.question_id}"
        case OptedOut():
            return f"opted out by {event.keyword!r}"
        case Restarted():
            return "restarted"
        case Expired():
            return "expired"
        case Ended():
            return f"ended: {event.reason}"
    raise AssertionError(f"unknown event {event!r}")


def play(spec: dict[str, Any]) -> tuple[list[list[str]], Session]:
    """Run a transcript's steps; return each step's described events and the final session."""
    steps, session = replay(spec)
    return [[describe(event) for event in events] for events in steps], session


def replay(spec: dict[str, Any]) -> tuple[list[list[Event]], Session]:
    """Run a transcript's steps; return each step's events and the final session."""
    flow = load(spec["flow"])
    clock = STARTED_AT
    outputs: list[list[Event]] = []
    session: Session | None = None
    for step in spec["steps"]:
        if "start" in step:
            context = StartContext(
                at=clock, language=spec.get("language"), values=dict(spec.get("context", {}))
            )
            session, events = start(flow, context)
        else:
            assert session is not None, "a transcript must start before it sends"
            if "timeout" in step:
                clock += _parse_duration(str(step["timeout"]))
                session, events = resume(flow, session, TimeoutInput(at=clock))
            else:
                clock += _parse_duration(str(step["after"])) if "after" in step else DEFAULT_GAP
                message = MessageInput(
                    text=str(step["send"]), at=clock, concerns=tuple(step.get("concerns", ()))
                )
                session, events = resume(flow, session, message)
        outputs.append(list(events))
    assert session is not None
    return outputs, session


def read(path: Path) -> CommentedMap:
    data: CommentedMap = yaml().load(path.read_text(encoding="utf-8"))
    return data


def write(path: Path, data: CommentedMap) -> None:
    with path.open("w", encoding="utf-8") as handle:
        yaml().dump(data, handle)
