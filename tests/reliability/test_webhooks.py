"""Forged, replayed and duplicated Twilio webhooks against the running service."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import Session, select
from twilio.request_validator import RequestValidator

from bot.config.settings import vault_for
from storage.db import transaction
from storage.models import Answer, InboundMessage
from storage.retention import purge
from tests.bot.channels.sms.harness import OUR_NUMBER, PUBLIC_URL, SmsWorld

PHONE = "+447700900321"


def count(world: SmsWorld, model: type) -> int:
    with Session(world.engine) as db:
        return len(list(db.exec(select(model))))


def form(sid: str, body: str, sender: str = PHONE) -> dict[str, str]:
    return {"MessageSid": sid, "From": sender, "To": OUR_NUMBER, "Body": body, "NumMedia": "0"}


def forgeries(world: SmsWorld) -> list[tuple[dict[str, str], str]]:
    """Requests an attacker could make: each a form and the signature sent with it."""
    real = RequestValidator(world.settings.twilio_auth_token)
    wrong_key = RequestValidator("not the auth token")
    url = PUBLIC_URL + "/sms/twilio"
    made: list[tuple[dict[str, str], str]] = []
    for n in range(10):
        good = form(f"SM{n:032x}", "FEEDBACK")
        signature = real.compute_signature(url, good)
        made += [
            (good, wrong_key.compute_signature(url, good)),
            ({**good, "Body": "STOP"}, signature),
            ({**good, "From": "+447700900999"}, signature),
            ({**good, "MessageSid": f"SM{n + 100:032x}"}, signature),
            ({**good, "Extra": "1"}, signature),
            (good, real.compute_signature(url + "?x=1", good)),
            (good, real.compute_signature("http://127.0.0.1/sms/twilio", good)),
            (good, ""),
            (good, signature[:-2] + "AA"),
            (good, signature.lower()),
        ]
    return made


def test_no_forged_or_altered_webhook_is_accepted(sms_world: SmsWorld) -> None:
    attempts = forgeries(sms_world)
    statuses = Counter(
        sms_world.post("/sms/twilio", data, signature=signature).status_code
        for data, signature in attempts
    )
    assert statuses == Counter({403: len(attempts)})
    assert count(sms_world, InboundMessage) == 0


def test_a_replayed_webhook_is_applied_once(sms_world: SmsWorld) -> None:
    first = sms_world.text(PHONE, "FEEDBACK", sid="SM" + "a" * 32)
    replies = {sms_world.text(PHONE, "FEEDBACK", sid="SM" + "a" * 32).text for _ in range(5)}
    assert replies == {first.text}
    assert count(sms_world, InboundMessage) == 1


def test_a_replay_after_purge_is_not_applied(sms_world: SmsWorld) -> None:
    for n, text in enumerate(["FEEDBACK", "1", "1"]):
        assert sms_world.text(PHONE, text, sid=f"SM{n:032x}").status_code == 200
    answers = count(sms_world, Answer)
    later = datetime.now(UTC) + timedelta(days=1)
    with transaction(sms_world.engine) as db:
        purge(db, later, later, vault=vault_for(sms_world.settings))
    assert count(sms_world, InboundMessage) == 0
    for n, text in enumerate(["FEEDBACK", "1", "1"]):
        response = sms_world.text(PHONE, text, sid=f"SM{n:032x}")
        assert response.status_code == 200
        assert "<Message>" not in response.text
    assert count(sms_world, InboundMessage) == 0
    assert count(sms_world, Answer) == answers


def test_duplicate_deliveries_at_once_are_stored_once(sms_world: SmsWorld) -> None:
    groups, copies = 12, 6
    validator = RequestValidator(sms_world.settings.twilio_auth_token)
    requests = []
    for group in range(groups):
        data = form(f"SM{group:032x}", "FEEDBACK", sender=f"+4477009{group:05d}")
        signature = validator.compute_signature(PUBLIC_URL + "/sms/twilio", data)
        requests += [(data, signature)] * copies
    start = threading.Barrier(len(requests), timeout=30)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def deliver(data: dict[str, str], signature: str) -> None:
        start.wait()
        response = httpx.post(
            sms_world.service.url + "/sms/twilio",
            data=data,
            headers={"X-Twilio-Signature": signature},
            timeout=60,
        )
        with lock:
            statuses[response.status_code] += 1

    threads = [threading.Thread(target=deliver, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == Counter({200: groups * copies})
    with Session(sms_world.engine) as db:
        sids = [m.external_id for m in db.exec(select(InboundMessage))]
    assert sorted(sids) == sorted(f"SM{group:032x}" for group in range(groups))
