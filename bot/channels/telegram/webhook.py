"""``POST /telegram/webhook``: Telegram's updates, checked by the secret token we registered.

Replies go out through the Bot API (``sendMessage``) from this request, right after the runner
has committed, rather than as the webhook response: Telegram takes only one method in a webhook
response and tells us nothing about it, while an answer usually needs two messages (thanks, next
question) and a blocked bot must be noticed to honour the opt-out. A wrong or missing secret gets
403 and changes nothing; a malformed update gets 400; a repeated ``update_id`` is applied once.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

if TYPE_CHECKING:
    from bot.channels.telegram.channel import TelegramChannel
    from bot.channels.telegram.updates import Intake
    from bot.config.wiring import Services

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def secret_ok(expected: str, given: str | None) -> bool:
    """Constant-time comparison; no secret configured means every update is refused."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def _problem(reason: str, status: int) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


def is_update(data: Any) -> bool:
    update_id = data.get("update_id") if isinstance(data, dict) else None
    return isinstance(update_id, int) and not isinstance(update_id, bool) and update_id >= 0


def telegram_router(services: Services, channel: TelegramChannel) -> APIRouter:
    settings = services.settings
    intakes: list[Intake] = []  # made on the first update: the service starts without a token

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        yield
        if intakes:  # the Bot's HTTP client and loop thread end with the service
            await run_in_threadpool(intakes[0].sender.close)

    router = APIRouter(lifespan=lifespan)

    def intake() -> Intake:
        if not intakes:
            intakes.append(channel.intake(services))
        return intakes[0]

    @router.post(WEBHOOK_PATH, responses={400: {}, 403: {}, 503: {}})
    async def webhook(request: Request) -> JSONResponse:
        """One update from Telegram."""
        if not secret_ok(settings.telegram_secret, request.headers.get(SECRET_HEADER)):
            return _problem("wrong or missing secret token", 403)
        try:
            data = await request.json()
        except ValueError:
            return _problem("the body is not JSON", 400)
        if not is_update(data):
            return _problem("not a Telegram update: no update_id", 400)
        try:
            handler = intake()
        except ValueError as error:  # TELEGRAM_BOT_TOKEN not set: Telegram will try again
            return _problem(str(error), 503)
        update = handler.parse(data)
        if update is None:
            return _problem("not a Telegram update", 400)
        applied = await run_in_threadpool(handler.apply, update)
        return JSONResponse({"applied": applied.kind})

    return router
