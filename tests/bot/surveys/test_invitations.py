"""Who is invited, on a real database: one person with an SMS number, a Telegram chat and an
e-mail address. STOP on any channel stops them all; START re-enables only its own channel."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bot.surveys.catalog import FlowCatalog
from bot.surveys.invitations import plan, send_invitations
from bot.surveys.runner import Runner
from storage.contact_import import import_contacts
from storage.contact_rows import ContactCsv
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.models import Provider
from storage.repository import reporting_month

T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
MONTH = reporting_month(T0)
ANN = {"sms": "+447700900123", "telegram": "123456789", "email": "ann@example.org"}
CSV = "name,language,phone,telegram,email\nAnn Smith,en,07700 900123,123456789,ann@example.org\n"


class Ann:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.vault = Vault.from_setting(generate_key())
        self.runner = Runner(engine, self.vault, FlowCatalog.load())
        self.sent = 0
        with transaction(engine) as db:
            provider = Provider(name="Sunrise Care", created_at=T0)
            db.add(provider)
            db.flush()
            report = import_contacts(db, self.vault, provider, ContactCsv(io.StringIO(CSV)), T0)
        assert report.imported == 1

    def says(self, channel: str, text: str) -> list[str]:
        self.sent += 1
        at = T0 + timedelta(minutes=self.sent)
        outcome = self.runner.handle(channel, ANN[channel], text, f"{channel}-{self.sent}", at)
        return [m.text for m in outcome.replies]

    def reachable(self) -> set[str]:
        """The channels an invitation would go out on now."""
        found = set()
        for channel in ANN:
            _, who = plan(self.engine, "Sunrise Care", channel, MONTH, cap=5)
            assert len(who.eligible) + who.opted_out == 1
            if who.eligible:
                found.add(channel)
        return found


@pytest.fixture
def ann(db_engine: Engine) -> Ann:
    return Ann(db_engine)


def test_stop_on_any_channel_stops_every_channel(ann: Ann) -> None:
    assert ann.reachable() == {"sms", "telegram", "email"}
    assert ann.says("telegram", "STOP")  # confirmed on Telegram
    assert ann.reachable() == set()
    assert ann.says("sms", "FEEDBACK") == []  # never messaged, whatever she sends
    provider_id, who = plan(ann.engine, "Sunrise Care", "sms", MONTH, cap=5)
    assert send_invitations(ann.runner, ann.vault, "homecare_monthly", provider_id, [], T0) == 0
    assert who.opted_out == 1


def test_start_re_enables_only_the_channel_it_came_from(ann: Ann) -> None:
    ann.says("sms", "STOP")
    assert ann.says("sms", "START") == [
        "You will get messages from us again. Reply STOP at any time to opt out."
    ]
    assert ann.reachable() == {"sms"}
    ann.says("telegram", "START")
    assert ann.reachable() == {"sms", "telegram"}
    ann.says("email", "STOP")  # the latest word wins: stopped everywhere again
    assert ann.reachable() == set()


def test_start_on_another_channel_leaves_the_first_stopped(ann: Ann) -> None:
    ann.says("sms", "STOP")
    ann.says("telegram", "START")
    assert ann.reachable() == {"telegram"}
    assert ann.says("sms", "FEEDBACK") == []
    assert ann.says("telegram", "FEEDBACK")[1] == "Do your care workers arrive on time?"
