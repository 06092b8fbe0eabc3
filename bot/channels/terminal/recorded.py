"""Staff entering a survey done by phone or on paper: the console conversation, through the runner,
stored with channel ``telephone`` (the FFT counts responses by mode)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from sqlalchemy import Engine

from bot.channels.text import plain_text
from bot.surveys.catalog import FlowCatalog
from bot.surveys.inbound import Inbound
from bot.surveys.runner import Outcome, Runner
from storage import repository as repo
from storage.crypto import Vault
from storage.db import transaction
from storage.providers import provider_names, unknown_provider

CHANNEL = "telephone"


class RecordingError(ValueError):
    """Something the person at the keyboard must fix (unknown provider, bad number)."""


@dataclass(frozen=True)
class Recorded:
    conversation_id: int | None
    status: str


def record_chat(
    engine: Engine,
    vault: Vault,
    catalog: FlowCatalog,
    flow: str,
    provider: str,
    person: str | None,
    lines: Iterable[str],
    out: TextIO,
    clock: Callable[[], datetime],
) -> Recorded:
    """Run one conversation through the runner, printing replies as the caller would hear them."""
    entry = catalog.resolve(flow)
    with transaction(engine) as db:
        found = repo.provider_by_name(db, provider)
        if found is None:
            fix = "add it with carevoice providers add"
            raise RecordingError(unknown_provider(provider, provider_names(db), fix))
        provider_id = found.id
    # Without a number, each paper survey is its own anonymous respondent.
    address = person or f"paper-{uuid.uuid4().hex}"
    runner = Runner(engine, vault, catalog)
    outcome = runner.start_for(
        CHANNEL,
        address,
        entry.flow.id,
        clock(),
        provider_id=provider_id,
        values={"provider": found.name},
        inline=True,  # read out or shown on screen: nothing for the outbox to send
    )
    _show(outcome, out)
    conversation_id = outcome.conversation_id
    for line in lines:
        outcome = runner.receive(inbound_of(address, line, clock()))
        _show(outcome, out)
        if outcome.conversation_id != conversation_id or _ended(outcome):
            break
    with transaction(engine) as db:
        status = repo.conversation_status(db, conversation_id)
    return Recorded(conversation_id, status)


def inbound_of(address: str, line: str, at: datetime) -> Inbound:
    """One line typed at the keyboard: read like a text message (so staff can type STOP or
    SKIP for the person), with an id of its own as there is no carrier to give one."""
    return Inbound(CHANNEL, address, uuid.uuid4().hex, at, text=line.rstrip("\r\n"))


def _ended(outcome: Outcome) -> bool:
    return any(m.role in {"thanks", "opted_out", "expired"} for m in outcome.replies)


def _show(outcome: Outcome, out: TextIO) -> None:
    for message in outcome.replies:
        text = plain_text(message)
        out.write("\n".join(f"bot> {line}" for line in text.splitlines()) + "\n")
    out.flush()
