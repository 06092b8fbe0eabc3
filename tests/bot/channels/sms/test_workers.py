"""``carevoice serve --workers 2`` on PostgreSQL keeps every guarantee: people texting at once
and Twilio delivering each message twice at once, spread over two worker processes, give each
message applied exactly once, in order, with the same reply to both deliveries."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from twilio.request_validator import RequestValidator

from storage import sealed
from storage.crypto import Vault, generate_key
from storage.models import Answer, Conversation, InboundMessage
from tests.bot.channels.sms.harness import OUR_NUMBER, PUBLIC_URL, messages

ROOT = Path(__file__).resolve().parents[4]
TOKEN = "workers-test-token"
SCRIPT = ["FEEDBACK", "1", "2", "3", "4", "Friendly", "Be on time"]
PEOPLE = [f"+4477009002{n:02d}" for n in range(6)]


def children(pid: int) -> list[int]:
    """The worker processes under uvicorn's supervisor (not multiprocessing's helpers)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found += [int(c) for c in (task / "children").read_text().split()]
    return [c for c in found if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]


@pytest.fixture
def two_workers(postgres: tuple[str, Engine]) -> Iterator[tuple[str, Engine, int]]:
    url, engine = postgres
    key = generate_key()
    sealed.bind(engine, Vault.from_setting(key))  # to read back what the workers stored
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "CAREVOICE_DATABASE_URL": url,
        "CAREVOICE_SECRET_KEY": key, "CAREVOICE_PUBLIC_URL": PUBLIC_URL,
        "TWILIO_AUTH_TOKEN": TOKEN, "CAREVOICE_QUIET_HOURS": "",
    }  # fmt: skip
    command = [sys.executable, "-m", "bot.cli", "serve", "--workers", "2", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while len(children(server.pid)) < 2 or not _healthy(base):
            assert server.poll() is None, "carevoice serve --workers 2 exited"
            assert time.monotonic() < deadline, "two workers did not start within 120 s"
            time.sleep(0.2)
        yield base, engine, server.pid
    finally:
        server.terminate()
        server.wait(30)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def text(base: str, phone: str, body: str, sid: str) -> httpx.Response:
    form = {
        "MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": phone, "To": OUR_NUMBER,
        "Body": body, "NumMedia": "0",
    }  # fmt: skip
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL + "/sms/twilio", form)
    # A new connection each time, so the kernel spreads requests over both workers.
    return httpx.post(
        base + "/sms/twilio", data=form, headers={"X-Twilio-Signature": signature}, timeout=30
    )


def test_two_workers_apply_every_message_once_in_order(
    two_workers: tuple[str, Engine, int],
) -> None:
    base, engine, supervisor = two_workers
    workers = children(supervisor)
    replies: dict[str, list[str]] = {}

    def person(phone: str) -> None:
        # Each message is delivered twice at once, as a carrier retrying would.
        with ThreadPoolExecutor(max_workers=2) as twice:
            for step, body in enumerate(SCRIPT):
                sid = f"SM{phone[-3:]}{step:029d}"
                both = list(twice.map(text, [base] * 2, [phone] * 2, [body] * 2, [sid] * 2))
                assert [r.status_code for r in both] == [200, 200]
                assert messages(both[0].text) == messages(both[1].text)
                replies[f"{phone}-{step}"] = messages(both[0].text)

    with ThreadPoolExecutor(max_workers=len(PEOPLE)) as pool:
        list(pool.map(person, PEOPLE))

    with Session(engine) as db:
        conversations = list(db.exec(select(Conversation)))
        answers = list(db.exec(select(Answer)))
        inbound = list(db.exec(select(InboundMessage)))
    assert len(conversations) == len(PEOPLE)
    assert {c.status for c in conversations} == {"completed"}
    assert len(inbound) == len(PEOPLE) * len(SCRIPT)
    assert set(Counter((a.conversation_id, a.question_id) for a in answers).values()) == {1}
    for conversation in conversations:
        mine = {a.question_id: a.given for a in answers if a.conversation_id == conversation.id}
        assert mine == {
            "punctuality": "always", "continuity": "usually", "attitude": "sometimes",
            "fft": "poor", "fft_why": "Friendly", "improve": "Be on time",
        }  # fmt: skip
    assert all(
        replies[f"{phone}-1"][0].startswith("Do you see the same care workers") for phone in PEOPLE
    )
    # Two worker processes were serving throughout. (Which of them accepts each connection is
    # the kernel's choice: on a busy machine one may take them all, so that is not asserted.)
    assert len(workers) == 2
    assert all(Path(f"/proc/{pid}").exists() for pid in workers)
