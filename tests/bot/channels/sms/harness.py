"""A running service wired to a fake Twilio, and a phone that signs its texts like Twilio does."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import Engine
from twilio.request_validator import RequestValidator

from bot.app import create_app
from bot.config.settings import Settings
from storage.crypto import generate_key
from tests.fakes.live_service import LiveService
from tests.fakes.twilio_api import FakeTwilio, FakeTwilioServer

PUBLIC_URL = "https://carevoice.example.org"  # what Twilio is configured with, behind a proxy
OUR_NUMBER = "+447700900999"
_sids = itertools.count(1)


@dataclass
class SmsWorld:
    settings: Settings
    engine: Engine
    service: LiveService
    twilio: FakeTwilio

    def post(
        self,
        path: str,
        form: dict[str, str],
        signature: str | None = "sign",
        url: str | None = None,
    ) -> httpx.Response:
        headers = {}
        if signature == "sign":
            validator = RequestValidator(self.settings.twilio_auth_token)
            headers["X-Twilio-Signature"] = validator.compute_signature(
                url or PUBLIC_URL + path, form
            )
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        return httpx.post(self.service.url + path, data=form, headers=headers, timeout=30)

    def text(self, sender: str, body: str, sid: str | None = None, **extra: str) -> httpx.Response:
        form = {
            "MessageSid": sid or f"SM{next(_sids):032x}", "AccountSid": "AC" + "0" * 32,
            "From": sender, "To": OUR_NUMBER, "Body": body, "NumMedia": "0", **extra,
        }  # fmt: skip
        return self.post("/sms/twilio", form)


@pytest.fixture
def sms_world(db_engine: Engine) -> Iterator[SmsWorld]:
    fake = FakeTwilioServer().start()
    settings = Settings(
        database_url=str(db_engine.url), secret_key=generate_key(), public_url=PUBLIC_URL,
        twilio_account_sid=fake.fake.account_sid, twilio_auth_token=fake.fake.auth_token,
        twilio_from_number=OUR_NUMBER, twilio_api_url=fake.url, quiet_hours="",
        sms_per_second=200,
    )  # fmt: skip
    service = LiveService(create_app(settings, db_engine)).start()
    try:
        yield SmsWorld(settings, db_engine, service, fake.fake)
    finally:
        service.stop()
        fake.stop()


def messages(twiml: str) -> list[str]:
    """The texts inside a TwiML response, in order."""
    import xml.etree.ElementTree as ElementTree

    return [m.text or "" for m in ElementTree.fromstring(twiml).iter("Message")]
