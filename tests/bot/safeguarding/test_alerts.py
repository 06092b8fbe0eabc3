"""Safeguarding alerts by e-mail, delivered to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config.settings import Settings
from bot.safeguarding.alerts import AlertFailed, send_alerts
from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage.crypto import Vault, generate_key
from storage.models import SafeguardingFlag

T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)


class Inbox(MessageHandler):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[object] = []

    def handle_message(self, message: object) -> None:
        self.received.append(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def disclose(engine: Engine) -> None:
    runner = Runner(engine, Vault.from_setting(generate_key()), FlowCatalog.load())
    phone = "+447700900123"
    for step, text in enumerate(
        ["FEEDBACK", "5", "5", "5", "5", "my carer hits me and takes my money"]
    ):
        runner.handle("sms", phone, text, f"m{step}", T0 + timedelta(minutes=step))


def settings(port: int) -> Settings:
    return Settings(
        safeguarding_email="safeguarding@council.example", smtp_host="127.0.0.1", smtp_port=port,
        public_url="https://carevoice.example.org",
    )  # fmt: skip


def test_each_flag_is_alerted_once_without_the_words(
    db_engine: Engine, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    disclose(db_engine)
    assert send_alerts(db_engine, settings(port), T0) == 1
    assert send_alerts(db_engine, settings(port), T0) == 0
    (mail,) = handler.received
    body = mail.get_payload()  # type: ignore[attr-defined]
    assert mail["To"] == "safeguarding@council.example"  # type: ignore[index]
    assert "physical" in body
    assert "financial" in body
    assert "hits me" not in body
    assert "7700900123" not in body
    assert "https://carevoice.example.org/flags/1" in body
    with Session(db_engine) as db:
        flag = db.exec(select(SafeguardingFlag)).one()
    assert [entry["action"] for entry in flag.history] == ["raised", "alerted"]


def test_mail_server_down_keeps_the_alert_for_later(db_engine: Engine) -> None:
    disclose(db_engine)
    with pytest.raises(AlertFailed, match="cannot send safeguarding alert"):
        send_alerts(db_engine, settings(free_port()), T0)
    with Session(db_engine) as db:
        flag = db.exec(select(SafeguardingFlag)).one()
    assert [entry["action"] for entry in flag.history] == ["raised"]


def test_no_address_configured_sends_nothing(db_engine: Engine) -> None:
    disclose(db_engine)
    assert send_alerts(db_engine, Settings(safeguarding_email=""), T0) == 0
