"""The Bot API caller: Telegram's refusals (real PTB errors) in neutral words."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError, TimedOut

from bot.channels.base import Failure
from bot.channels.telegram.sender import refusal


@pytest.mark.parametrize(
    ("error", "kind", "retry_after"),
    [
        (RetryAfter(7), Failure.RETRY_LATER, 7.0),
        (Forbidden("Forbidden: bot was blocked by the user"), Failure.RECIPIENT_GONE, None),
        (Forbidden("Forbidden: user is deactivated"), Failure.RECIPIENT_GONE, None),
        (BadRequest("Bad Request: chat not found"), Failure.INVALID_ADDRESS, None),
        (BadRequest("Bad Request: message is too long"), Failure.REJECTED, None),
        (TimedOut(), Failure.RETRY_LATER, None),
        (InvalidToken("The token `1:x` was rejected"), Failure.RETRY_LATER, None),
    ],
)
def test_telegram_refusals_in_neutral_words(
    error: TelegramError, kind: Failure, retry_after: float | None
) -> None:
    refused = refusal(error)
    assert (refused.kind, refused.retry_after) == (kind, retry_after)
    assert "1:x" not in refused.reason
