"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives and can refuse a
recipient with any reply code, and a small world around the e-mail channel: a database, the
service on a real port, and the outbox worker with the e-mail lane."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine

from bot.app import create_app
from bot.channels.registry import build_registry
from bot.config.settings import Settings, vault_for
from bot.jobs.outbox import OutboxWorker
from storage import repository as repo
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.models import Contact, Provider
from tests.fakes.live_service import LiveService

PUBLIC_URL = "http://carevoice.example.org"  # over http the session cookie is not Secure
MORNING = datetime(2026, 12, 1, 10, tzinfo=UTC)  # outside quiet hours


@dataclass
class MailServer:
    received: list[EmailMessage] = field(default_factory=list)
    refuse_recipient: str | None = None  # e.g. "450 4.2.1 mailbox busy"
    port: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.refuse_recipient is not None:
            return self.refuse_recipient
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def mail_settings(engine: Engine, port: int, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": str(engine.url), "secret_key": generate_key(),
        "public_url": PUBLIC_URL, "smtp_host": "127.0.0.1",
        "smtp_port": port, "smtp_from": "surveys@northshire.example",
        "web_organisation": "Northshire Council", "email_per_second": 1000.0,
    } | extra  # fmt: skip
    return Settings(**values)


@dataclass
class MailWorld:
    settings: Settings
    engine: Engine
    vault: Vault
    service: LiveService

    def worker(self) -> OutboxWorker:
        channels = build_registry(self.settings)
        return OutboxWorker(self.engine, self.vault, [channels.get("email"), channels.get("sms")])

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.service.url, follow_redirects=False, timeout=30)

    def person(self, addresses: dict[str, str], provider: str = "Sunrise Care") -> int:
        with transaction(self.engine) as db:
            found = repo.provider_by_name(db, provider)
            if found is None:
                found = Provider(name=provider, created_at=MORNING, commissioners=["Northshire"])
                db.add(found)
                db.flush()
            contact = Contact(provider_id=found.id or 0, created_at=MORNING, language="en")
            db.add(contact)
            db.flush()
            for channel, address in addresses.items():
                repo.ensure_address(db, self.vault, channel, address, MORNING, contact.id)
            assert contact.id is not None
            return contact.id


@pytest.fixture
def mail_world(db_engine: Engine, mail_server: MailServer) -> Iterator[MailWorld]:
    settings = mail_settings(db_engine, mail_server.port)
    service = LiveService(create_app(settings, db_engine)).start()
    try:
        yield MailWorld(settings, db_engine, vault_for(settings), service)
    finally:
        service.stop()
