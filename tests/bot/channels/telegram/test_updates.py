"""Table tests: a Telegram update, read by the real PTB → the ``Inbound`` the runner is handed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.updates import LINK_REFUSED, NOT_TEXT, Intake
from bot.config.settings import vault_for
from bot.surveys.catalog import FlowCatalog
from bot.surveys.inbound import Inbound, StartRequest
from bot.surveys.runner import Runner
from tests.bot.channels.telegram.harness import telegram_settings, update

CHAT = 6001
AT = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def intake(db_engine: Engine) -> Iterator[Intake]:
    settings = telegram_settings(db_engine, "http://127.0.0.1:9")  # never called here
    vault, catalog = vault_for(settings), FlowCatalog.load()
    sender = TelegramSender(settings)
    yield Intake(Runner(db_engine, vault, catalog), vault, catalog, sender)
    sender.close()


def inbound(**fields: Any) -> Inbound:
    return Inbound("telegram", str(CHAT), "tg-1", AT, **fields)


CASES = [
    ("text", update(CHAT, "Always"), inbound(text="Always")),
    ("a start keyword is text, as on SMS", update(CHAT, "FEEDBACK"), inbound(text="FEEDBACK")),
    ("/stop", update(CHAT, "/stop"), inbound(text="stop")),
    ("/help addressed to the bot", update(CHAT, "/HELP@carevoice_bot"), inbound(text="help")),
    ("/skip", update(CHAT, "/skip"), inbound(text="skip")),
    ("/start alone (opts back in)", update(CHAT, "/start"), inbound(text="start")),
    ("/start <flow id>", update(CHAT, "/start homecare_monthly"),
     inbound(start=StartRequest("homecare_monthly"))),
    ("/start <unknown token>", update(CHAT, "/start nOtAtOkEn"),
     inbound(notice=LINK_REFUSED["unknown"])),
    ("an unknown command is text", update(CHAT, "/weather"), inbound(text="/weather")),
    ("a photo", update(CHAT, photo=[{"file_id": "a", "file_unique_id": "b", "width": 1,
                                     "height": 1}]), inbound(notice=NOT_TEXT)),
    ("a location", update(CHAT, location={"latitude": 1.0, "longitude": 2.0}),
     inbound(notice=NOT_TEXT)),
    ("blank text", update(CHAT, "   "), inbound(notice=NOT_TEXT)),
]  # fmt: skip


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_update_to_runner_input(intake: Intake, data: dict[str, Any], expected: Inbound) -> None:
    parsed = intake.parse(data)
    assert parsed is not None
    assert parsed.message is not None
    assert intake.inbound_for(str(CHAT), "tg-1", AT, parsed.message) == expected


def test_what_is_not_an_update_is_refused_not_raised(intake: Intake) -> None:
    assert intake.parse({"update_id": 1, "message": "x"}) is None
    assert intake.parse({"update_id": 1, "message": {"chat": 3}}) is None
