"""Sending one text through Twilio's REST API with the real ``twilio`` client.

A refusal comes out as ``SendFailure`` carrying the neutral ``Failure`` kind (``twilio.py`` knows
what each of Twilio's codes means)."""

from __future__ import annotations

from typing import Protocol

from requests.exceptions import RequestException
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot.channels.base import Failure, SendFailure
from bot.channels.sms.twilio import failure_for
from bot.config.settings import Settings


class Sender(Protocol):
    def send(self, to: str, body: str) -> str:
        """Hand one text to the carrier; returns its message id or raises ``SendFailure``."""
        ...


class TwilioSender:
    def __init__(self, settings: Settings) -> None:
        if not (settings.twilio_account_sid and settings.twilio_auth_token):
            raise ValueError("set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to send texts")
        if not settings.twilio_from_number:
            raise ValueError("set TWILIO_FROM_NUMBER to the number texts come from")
        self.client = Client(settings.twilio_account_sid, settings.twilio_auth_token)
        # The REST base URL is a setting so tests can point the real client at a local fake.
        self.client.api.base_url = settings.twilio_api_url.rstrip("/")
        self.from_number = settings.twilio_from_number
        self.status_callback = settings.public_url.rstrip("/") + "/sms/twilio/status"

    def send(self, to: str, body: str) -> str:
        try:
            message = self.client.messages.create(
                to=to, from_=self.from_number, body=body, status_callback=self.status_callback
            )
        except TwilioRestException as error:
            code = str(error.code) if error.code is not None else None
            kind = failure_for(code, error.status)
            raise SendFailure(f"Twilio {error.status} {code}: {error.msg}", kind) from None
        except RequestException as error:
            reason = f"cannot reach Twilio: {type(error).__name__}"
            raise SendFailure(reason, Failure.RETRY_LATER) from None
        return str(message.sid)
