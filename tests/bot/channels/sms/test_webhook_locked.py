"""A database lock held longer than the lock timeout, on a live service: /healthz still
answers, the webhook answers 503 with Retry-After (never 500), and Twilio's retry of the same
MessageSid is applied once after the lock is released."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import Connection, Engine, func, text
from sqlmodel import Session, select

from bot.app import create_app
from bot.config.settings import Settings
from storage.crypto import generate_key
from storage.db import in_schema, make_engine
from storage.models import Conversation, InboundMessage
from tests.bot.channels.sms.harness import OUR_NUMBER, PUBLIC_URL, SmsWorld, messages
from tests.fakes.live_service import LiveService
from tests.fakes.twilio_api import FakeTwilioServer

LOCK_TIMEOUT = 3.0  # seconds; the lock below is held until the webhook has given up
PHONE = "+447700900555"


def short_lock_engine(engine: Engine) -> Engine:
    """The same database, waiting at most LOCK_TIMEOUT for a lock."""
    if engine.dialect.name == "sqlite":
        return make_engine(str(engine.url), lock_timeout=LOCK_TIMEOUT)
    with engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    url = engine.url.render_as_string(hide_password=False)
    return in_schema(url, schema, lock_timeout=LOCK_TIMEOUT)


@pytest.fixture
def world(db_engine: Engine) -> Iterator[SmsWorld]:
    engine = short_lock_engine(db_engine)
    fake = FakeTwilioServer().start()
    settings = Settings(
        database_url=str(engine.url), secret_key=generate_key(), public_url=PUBLIC_URL,
        twilio_account_sid=fake.fake.account_sid, twilio_auth_token=fake.fake.auth_token,
        twilio_from_number=OUR_NUMBER, twilio_api_url=fake.url, quiet_hours="",
        database_lock_timeout=LOCK_TIMEOUT,
    )  # fmt: skip
    service = LiveService(create_app(settings, engine)).start()
    try:
        yield SmsWorld(settings, engine, service, fake.fake)
    finally:
        service.stop()
        fake.stop()
        engine.dispose()


def hold_write_lock(engine: Engine) -> Connection:
    """SQLite: BEGIN IMMEDIATE (our engines begin that way) takes the one write lock.
    PostgreSQL: an exclusive lock on the table the runner reads first."""
    holder = engine.connect()
    holder.begin()
    if engine.dialect.name == "postgresql":
        table = InboundMessage.__tablename__
        holder.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
    else:
        holder.execute(text("UPDATE alembic_version SET version_num = version_num"))
    return holder


def wait_until_runner_is_waiting(request: Future[httpx.Response]) -> None:
    """Until a thread of the live service is inside ``Runner.receive`` (blocked on the lock)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert not request.done(), request.result()
        for frame in sys._current_frames().values():
            while frame is not None:
                code = frame.f_code
                if code.co_name == "receive" and code.co_filename.endswith("surveys/runner.py"):
                    return
                frame = frame.f_back  # type: ignore[assignment]
        time.sleep(0.01)
    pytest.fail("the webhook never reached the runner")


def test_a_locked_database_gives_503_and_the_retry_is_applied_once(world: SmsWorld) -> None:
    holder = hold_write_lock(world.engine)
    try:
        with ThreadPoolExecutor(1) as pool:
            request = pool.submit(world.text, PHONE, "FEEDBACK", "SMlocked")
            wait_until_runner_is_waiting(request)
            health = httpx.get(world.service.url + "/healthz", timeout=LOCK_TIMEOUT)
            # Answered while the webhook's request was still waiting on the lock.
            assert not request.done()
            assert health.json() == {"status": "ok"}
            busy = request.result(timeout=30)
    finally:
        holder.rollback()
        holder.close()
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "3"
    assert busy.json() == {"error": "the service is busy; try again shortly"}

    replies = [world.text(PHONE, "FEEDBACK", "SMlocked") for _ in range(2)]
    assert [r.status_code for r in replies] == [200, 200]
    assert messages(replies[0].text) == messages(replies[1].text)
    assert messages(replies[0].text)[1].startswith("Do your care workers arrive on time?")
    with Session(world.engine) as db:
        received = db.exec(select(func.count()).select_from(InboundMessage)).one()
        started = db.exec(select(func.count()).select_from(Conversation)).one()
    assert (received, started) == (1, 1)


def test_an_unreachable_database_gives_503_not_500() -> None:
    # Nothing listens on port 1: the connection is refused at once.
    settings = Settings(
        database_url="postgresql+psycopg://postgres@127.0.0.1:1/test",
        secret_key=generate_key(), public_url=PUBLIC_URL, twilio_auth_token="token",
    )  # fmt: skip
    service = LiveService(create_app(settings)).start()
    world = SmsWorld(settings, make_engine(settings.database_url), service, None)  # type: ignore[arg-type]
    try:
        response = world.text(PHONE, "FEEDBACK")
    finally:
        service.stop()
    assert response.status_code == 503
    assert "Retry-After" in response.headers
