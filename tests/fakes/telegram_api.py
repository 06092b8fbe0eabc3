"""A small fake of Telegram's Bot API on loopback, for the real python-telegram-bot to talk to.

It answers ``POST /bot{token}/{method}`` for getMe, setWebhook, deleteWebhook, getUpdates (long
polling, bounded) and sendMessage the way Telegram does (``{"ok": true, "result": …}`` or an error
document with ``error_code``, ``description`` and ``parameters.retry_after``), and records every
call so tests assert on the wire format. Chats can be set up to fail: blocked (403), deactivated
(403), unknown (400 chat not found) or flooded (429 with retry_after) a given number of times.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.loopback import JsonHandler, LoopbackServer

TOKEN = "123456:TEST-token_for-the-fake"
BOT = {"id": 123456, "is_bot": True, "first_name": "Care Voice", "username": "carevoice_test_bot"}
LONG_POLL_LIMIT = 5.0  # seconds: a long poll never holds a test longer than this


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeTelegram:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    deactivated: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)
    flooded: dict[str, tuple[int, int]] = field(default_factory=dict)  # chat → (times, retry_after)
    pending: list[dict[str, Any]] = field(default_factory=list)  # updates for getUpdates
    webhook: dict[str, Any] = field(default_factory=dict)
    slow_first_send: dict[str, float] = field(default_factory=dict)  # chat → seconds, once
    send_arrived: threading.Event = field(default_factory=threading.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._changed:
            self.calls.append(Call(method, params))
        if method == "getMe":
            return 200, {"ok": True, "result": BOT}
        if method == "setWebhook":
            self.webhook = params
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        if method == "deleteWebhook":
            self.webhook = {}
            return 200, {"ok": True, "result": True, "description": "Webhook was deleted"}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._updates(params)}
        if method == "sendMessage":
            return self._send(params)
        return 404, _error(404, "Not Found")

    def _send(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat = str(params.get("chat_id", ""))
        self.send_arrived.set()
        with self._changed:
            delay = self.slow_first_send.pop(chat, 0.0)
        time.sleep(delay)  # a slow answer from Telegram, outside the lock: others go on
        with self._changed:
            times, wait = self.flooded.get(chat, (0, 0))
            if times > 0:
                self.flooded[chat] = (times - 1, wait)
                return 429, _error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        if chat in self.blocked:
            return 403, _error(403, "Forbidden: bot was blocked by the user")
        if chat in self.deactivated:
            return 403, _error(403, "Forbidden: user is deactivated")
        if chat in self.unknown or not chat:
            return 400, _error(400, "Bad Request: chat not found")
        if not params.get("text"):
            return 400, _error(400, "Bad Request: message text is empty")
        result = {
            "message_id": next(self._ids), "date": int(time.time()), "text": params["text"],
            "chat": {"id": int(chat), "type": "private", "first_name": "Pat"}, "from": BOT,
        }  # fmt: skip
        return 200, {"ok": True, "result": result}

    def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        wait = min(float(params.get("timeout", 0) or 0), LONG_POLL_LIMIT)
        with self._changed:
            # Confirming: updates below the offset are forgotten, as Telegram does.
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
            if not self.pending and wait > 0:
                self._changed.wait(wait)
            return list(self.pending)

    def push(self, update: dict[str, Any]) -> None:
        with self._changed:
            self.pending.append(update)
            self._changed.notify_all()

    def sent(self, chat: str | None = None) -> list[dict[str, Any]]:
        """What sendMessage was asked to deliver (delivered or not), decoded as Telegram would."""
        return [
            {**c.params, **_decoded(c.params)}
            for c in self.calls
            if c.method == "sendMessage" and (chat is None or str(c.params["chat_id"]) == chat)
        ]

    def texts(self, chat: str) -> list[str]:
        return [str(p["text"]) for p in self.sent(chat)]


def _decoded(params: dict[str, Any]) -> dict[str, Any]:
    markup = params.get("reply_markup")
    return {"reply_markup": json.loads(markup)} if isinstance(markup, str) else {}


def _error(code: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


class _Handler(JsonHandler[FakeTelegram]):
    def do_POST(self) -> None:
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != f"bot{self.fake.token}":
            self.reply(401, _error(401, "Unauthorized"))
            return
        raw = self.body()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            params = json.loads(raw or "{}")
        else:
            params = {k: v[0] for k, v in parse_qs(raw).items()}
        status, body = self.fake.answer(parts[1], params)
        self.reply(status, body)


class FakeTelegramServer(LoopbackServer[FakeTelegram]):
    """Runs a ``FakeTelegram`` on 127.0.0.1 on a free port until ``stop()``."""

    def __init__(self, fake: FakeTelegram | None = None) -> None:
        super().__init__(fake or FakeTelegram(), _Handler)
