"""``kill -9`` of ``carevoice serve`` in the middle of a load loses no acknowledged answer.

Several people text at once over real HTTP, signed as Twilio signs. Part-way through, the whole
service is killed with SIGKILL (no shutdown, no flush) and started again on the same port. Each
sender does what Twilio does with a request that got no 200: deliver it again, same MessageSid.
Afterwards every message is recorded once, every answer once, and every survey has finished:
a 200 is only sent once the message's transaction has committed, and a delivery repeated after
the restart returns what the first one decided instead of applying it again.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from twilio.request_validator import RequestValidator

from storage import sealed
from storage.crypto import Vault, generate_key
from storage.db import in_schema, make_engine, scratch_schema
from storage.migrate import upgrade
from storage.models import Answer, Conversation, InboundMessage
from tests.bot.channels.sms.harness import OUR_NUMBER, PUBLIC_URL
from tests.conftest import postgres_url

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "kill-test-token"
SCRIPT = ["FEEDBACK", "1", "2", "3", "4", "Friendly", "Be on time"]
ANSWERS = {
    "punctuality": "always", "continuity": "usually", "attitude": "sometimes",
    "fft": "poor", "fft_why": "Friendly", "improve": "Be on time",
}  # fmt: skip
PEOPLE = [f"+4477009003{n:02d}" for n in range(5)]
KILL_AFTER = 12  # acknowledged messages (of 35) before the kill: mid-load, people mid-survey
START_WITHIN_S = 40.0
LOAD_WITHIN_S = 50.0


@dataclass
class Service:
    """``carevoice serve`` in its own process group, so SIGKILL takes every process of it."""

    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    killed: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + START_WITHIN_S
        while not _healthy(self.base):
            assert self.process.poll() is None, "carevoice serve exited"
            assert time.monotonic() < deadline, f"serve did not start within {START_WITHIN_S} s"
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.killed.set()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(params=["sqlite", "postgresql"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Service, Engine]]:
    key = generate_key()
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "CAREVOICE_SECRET_KEY": key,
        "CAREVOICE_PUBLIC_URL": PUBLIC_URL, "TWILIO_AUTH_TOKEN": TOKEN,
        "CAREVOICE_QUIET_HOURS": "", "CAREVOICE_VAR_DIR": str(tmp_path / "var"),
    }  # fmt: skip
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'carevoice.db'}"
        yield from _serving(make_engine(url), {**env, "CAREVOICE_DATABASE_URL": url}, key)
        return
    base_url = postgres_url()
    if not base_url:
        pytest.skip("set CAREVOICE_TEST_POSTGRES_URL to run on PostgreSQL")
    with scratch_schema(base_url) as schema:
        url = f"{base_url}?options=-csearch_path%3D{schema}"
        yield from _serving(
            in_schema(base_url, schema), {**env, "CAREVOICE_DATABASE_URL": url}, key
        )


def _serving(engine: Engine, env: dict[str, str], key: str) -> Iterator[tuple[Service, Engine]]:
    upgrade(engine)
    sealed.bind(engine, Vault.from_setting(key))  # to read back what the service stored
    service = Service(_free_port(), env)
    try:
        service.start()
        yield service, engine
    finally:
        service.stop()
        engine.dispose()


def deliver(service: Service, phone: str, body: str, sid: str, deadline: float) -> int:
    """Until a 200 comes back, as Twilio would: the same message, the same MessageSid.
    Returns how many deliveries went unacknowledged first."""
    form = {
        "MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": phone, "To": OUR_NUMBER,
        "Body": body, "NumMedia": "0",
    }  # fmt: skip
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL + "/sms/twilio", form)
    headers = {"X-Twilio-Signature": signature}
    failed = 0
    while True:
        assert time.monotonic() < deadline, f"{sid} was never acknowledged"
        try:
            reply = httpx.post(service.base + "/sms/twilio", data=form, headers=headers, timeout=10)
        except httpx.HTTPError:
            reply = None  # killed under us, or not listening yet
        if reply is not None and reply.status_code == 200:
            return failed
        assert reply is None or reply.status_code == 503, reply.text  # busy: try again
        failed += 1
        time.sleep(0.1)


def test_kill_9_mid_load_loses_no_acknowledged_answer(service: tuple[Service, Engine]) -> None:
    server, engine = service
    deadline = time.monotonic() + LOAD_WITHIN_S
    acknowledged: list[str] = []
    unacknowledged = Counter[str]()
    lock = threading.Lock()
    enough = threading.Event()

    def person(phone: str) -> None:
        for step, body in enumerate(SCRIPT):
            sid = f"SM{phone[-3:]}{step:029d}"
            failed = deliver(server, phone, body, sid, deadline)
            with lock:
                acknowledged.append(sid)
                unacknowledged[sid] = failed
                if len(acknowledged) >= KILL_AFTER:
                    enough.set()

    with ThreadPoolExecutor(max_workers=len(PEOPLE)) as pool:
        senders = [pool.submit(person, phone) for phone in PEOPLE]
        assert enough.wait(LOAD_WITHIN_S), "the load never got going"
        server.kill()
        with lock:
            before_kill = len(acknowledged)
        server.start()
        for sender in senders:
            sender.result(timeout=LOAD_WITHIN_S)

    assert before_kill < len(PEOPLE) * len(SCRIPT)  # the kill did land mid-load
    assert sum(unacknowledged.values()) > 0  # and some deliveries had to be made again
    with Session(engine) as db:
        conversations = list(db.exec(select(Conversation)))
        answers = list(db.exec(select(Answer)))
        inbound = list(db.exec(select(InboundMessage)))
    assert sorted(m.external_id for m in inbound) == sorted(acknowledged)  # each one, once
    assert len(conversations) == len(PEOPLE)
    assert {c.status for c in conversations} == {"completed"}
    assert set(Counter((a.conversation_id, a.question_id) for a in answers).values()) == {1}
    for conversation in conversations:
        mine = {a.question_id: a.given for a in answers if a.conversation_id == conversation.id}
        assert mine == ANSWERS
