"""A small fake of Twilio's REST API on loopback, for the real ``twilio`` client to talk to.

It answers ``POST /2010-04-01/Accounts/{sid}/Messages.json`` the way Twilio does (201 with a
message resource, or an error document) and records every request so tests can assert on the
wire format. Numbers can be set up to fail: opted out (21610), invalid (21211), refused with
another code, or rate-limited (429) a given number of times.
"""

from __future__ import annotations

import base64
import itertools
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from tests.fakes.loopback import JsonHandler, LoopbackServer


@dataclass
class Sent:
    to: str
    from_: str
    body: str
    status_callback: str
    account: str
    auth_user: str


@dataclass
class FakeTwilio:
    account_sid: str = "AC" + "0" * 32
    auth_token: str = "fake-auth-token"
    sent: list[Sent] = field(default_factory=list)
    opted_out: set[str] = field(default_factory=set)
    invalid: set[str] = field(default_factory=set)
    busy: dict[str, int] = field(default_factory=dict)  # number → how many 429s before success
    refused: dict[str, int] = field(default_factory=dict)  # number → another error code (400)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(
        self, account: str, auth_user: str, form: dict[str, str]
    ) -> tuple[int, dict[str, object]]:
        to = form.get("To", "")
        with self._lock:
            if self.busy.get(to, 0) > 0:
                self.busy[to] -= 1
                return 429, _error(20429, "Too Many Requests", 429)
            if to in self.opted_out:
                return 400, _error(21610, "Attempt to send to unsubscribed recipient", 400)
            if to in self.refused:
                return 400, _error(self.refused[to], "Message cannot be sent", 400)
            if to in self.invalid:
                return 400, _error(21211, f"The 'To' number {to} is not a valid phone number.", 400)
            sid = f"SM{next(self._ids):032d}"
            self.sent.append(
                Sent(
                    to,
                    form.get("From", ""),
                    form.get("Body", ""),
                    form.get("StatusCallback", ""),
                    account,
                    auth_user,
                )
            )
        return 201, {
            "sid": sid, "account_sid": account, "to": to, "from": form.get("From"),
            "body": form.get("Body"), "status": "queued", "num_segments": "1",
            "direction": "outbound-api", "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        }  # fmt: skip

    def texts_to(self, number: str) -> list[str]:
        return [s.body for s in self.sent if s.to == number]


def _error(code: int, message: str, status: int) -> dict[str, object]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class _Handler(JsonHandler[FakeTwilio]):
    def do_POST(self) -> None:
        parts = self.path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "2010-04-01" or parts[3] != "Messages.json":
            self.reply(404, {"code": 20404, "message": "not found", "status": 404})
            return
        user = _basic_user(self.headers.get("Authorization", ""), self.fake)
        if user is None:
            self.reply(401, _error(20003, "Authenticate", 401))
            return
        form = {k: v[0] for k, v in parse_qs(self.body()).items()}
        status, body = self.fake.answer(parts[2], user, form)
        self.reply(status, body)


def _basic_user(header: str, fake: FakeTwilio) -> str | None:
    if not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user if password == fake.auth_token else None


class FakeTwilioServer(LoopbackServer[FakeTwilio]):
    """Runs a ``FakeTwilio`` on 127.0.0.1 on a free port until ``stop()``."""

    def __init__(self, fake: FakeTwilio | None = None) -> None:
        super().__init__(fake or FakeTwilio(), _Handler)
