"""PostgreSQL goes away while the service runs, then comes back.

Meanwhile the webhook answers 503 with Retry-After (never 500) and ``/healthz`` still answers;
once the database is back, the carrier's retry of the same MessageSid is applied exactly once
and the survey goes on. The outage is a cuttable link between the service and the real server
(tests/fakes/tcp_proxy.py), so no other test loses its database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, func
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from bot.app import create_app
from bot.config.settings import Settings
from storage.crypto import generate_key
from storage.db import in_schema, scratch_schema
from storage.migrate import upgrade
from storage.models import Answer, InboundMessage
from tests.bot.channels.sms.harness import OUR_NUMBER, PUBLIC_URL, SmsWorld, messages
from tests.conftest import postgres_url
from tests.fakes.live_service import LiveService
from tests.fakes.tcp_proxy import CuttableLink
from tests.fakes.twilio_api import FakeTwilioServer

PHONE = "+447700900777"
RECOVERY = 20.0  # seconds the retries may take once the database is back


@pytest.fixture
def link_and_world() -> Iterator[tuple[CuttableLink, SmsWorld]]:
    url = postgres_url()
    if not url:
        pytest.skip("set CAREVOICE_TEST_POSTGRES_URL to run on PostgreSQL")
    direct = make_url(url)
    with scratch_schema(url, "outage") as schema:
        link = CuttableLink((direct.host or "127.0.0.1", direct.port or 5432)).start()
        through = direct.set(host="127.0.0.1", port=link.port)
        engine = in_schema(through.render_as_string(hide_password=False), schema, lock_timeout=3)
        upgrade(engine)
        fake = FakeTwilioServer().start()
        settings = Settings(
            database_url=str(engine.url), secret_key=generate_key(), public_url=PUBLIC_URL,
            twilio_account_sid=fake.fake.account_sid, twilio_auth_token=fake.fake.auth_token,
            twilio_from_number=OUR_NUMBER, twilio_api_url=fake.url, quiet_hours="",
            database_lock_timeout=3,
        )  # fmt: skip
        service = LiveService(create_app(settings, engine)).start()
        try:
            yield link, SmsWorld(settings, engine, service, fake.fake)
        finally:
            service.stop()
            fake.stop()
            link.stop()
            engine.dispose()


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as db:
        return db.exec(select(func.count()).select_from(model)).one()


def test_a_database_outage_gives_503_then_the_retry_is_applied_once(
    link_and_world: tuple[CuttableLink, SmsWorld],
) -> None:
    link, world = link_and_world
    first = world.text(PHONE, "FEEDBACK", sid="SM" + "1" * 32)
    assert first.status_code == 200
    question = messages(first.text)[-1]

    link.cut()
    answer = "SM" + "2" * 32
    down = world.text(PHONE, "1", sid=answer)
    assert down.status_code == 503
    assert down.headers["Retry-After"].isdigit()
    assert "error" in down.json()
    assert httpx.get(world.service.url + "/healthz", timeout=5).status_code == 200
    assert httpx.get(world.service.url + "/readyz", timeout=10).status_code == 503

    link.restore()
    deadline = time.monotonic() + RECOVERY
    retried = world.text(PHONE, "1", sid=answer)
    while retried.status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.5)  # as a carrier retries: the same message, later
        retried = world.text(PHONE, "1", sid=answer)
    assert retried.status_code == 200
    next_question = messages(retried.text)[-1]
    assert next_question != question  # the answer moved the survey on

    again = world.text(PHONE, "1", sid=answer)  # a second retry changes nothing
    assert again.status_code == 200
    assert messages(again.text) == messages(retried.text)
    assert _count(world.engine, Answer) == 1
    assert _count(world.engine, InboundMessage) == 2
    assert httpx.get(world.service.url + "/readyz", timeout=10).status_code == 200
