"""``carevoice worker`` processes sharing one PostgreSQL database, against fake Twilio.

Real processes, not threads: what is tested is that separate workers never invite a person
twice, which only row locks in the database can promise.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.db import in_schema, scratch_schema
from storage.migrate import upgrade
from tests.conftest import postgres_url
from tests.fakes.twilio_api import FakeTwilioServer

# The command beside this interpreter: the one the checkout under test installed.
CAREVOICE = Path(sys.executable).with_name("carevoice")
WAIT = 120  # seconds: the bound on every wait in these tests


@pytest.fixture
def postgres() -> Iterator[tuple[str, Engine]]:
    """A migrated scratch schema: the URL a worker process is given, and an engine on it."""
    url = postgres_url()
    if not url:
        pytest.skip("set CAREVOICE_TEST_POSTGRES_URL to run on PostgreSQL")
    with scratch_schema(url) as schema:
        engine = in_schema(url, schema)
        upgrade(engine)
        try:
            yield f"{url}?options=-csearch_path%3D{schema}", engine
        finally:
            engine.dispose()


@contextmanager
def workers(
    url: str, key: str, cwd: Path, *, now: str
) -> Iterator[tuple[FakeTwilioServer, Callable[[], subprocess.Popen[bytes]]]]:
    """A fake Twilio, and ``start()`` for one more ``worker --once --now NOW`` on ``url``.

    Any worker still running at the end is killed, by its own handle.
    """
    twilio = FakeTwilioServer().start()
    env = {
        **os.environ,
        # Small batches, so that the workers take turns within one run.
        "CAREVOICE_DATABASE_URL": url, "CAREVOICE_SECRET_KEY": key,
        "CAREVOICE_CAMPAIGN_BATCH": "3", "CAREVOICE_QUIET_HOURS": "",
        "CAREVOICE_SMS_PER_SECOND": "10000", "CAREVOICE_TWILIO_API_URL": twilio.url,
        "TWILIO_ACCOUNT_SID": twilio.fake.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.fake.auth_token, "TWILIO_FROM_NUMBER": "+447700900999",
    }  # fmt: skip
    command = [str(CAREVOICE), "worker", "--once", "--now", now]
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        started.append(
            subprocess.Popen(
                command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
        )
        return started[-1]

    try:
        yield twilio, start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait(WAIT)
        twilio.stop()
