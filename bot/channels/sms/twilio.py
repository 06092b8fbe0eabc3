"""Twilio's words, and what they mean to the rest of carevoice.

The only place that knows Twilio's error codes and message status names: the sender and the
status callback translate through here into the neutral ``Failure`` kinds and outbox statuses,
so the outbox, the worker and storage never learn a carrier's vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.base import Failure
from storage.outbox import DELIVERED, FAILED, SENT, UNDELIVERED

RETRYABLE_HTTP = frozenset({429, 500, 502, 503, 504})
OPTED_OUT_CODE = "21610"  # "Attempt to send to unsubscribed recipient" (STOP sent to Twilio)
INVALID_NUMBER_CODES = frozenset(
    {"21211", "21212", "21214", "21217", "21407", "21408", "21612", "21614"}
)
# Twilio's message statuses, as the outbox records them. Those still on their way count as
# sent: the message has left us, and only a later callback can say more.
STATUSES = {
    "accepted": SENT, "scheduled": SENT, "queued": SENT, "sending": SENT, "sent": SENT,
    "delivered": DELIVERED, "read": DELIVERED,
    "undelivered": UNDELIVERED, "failed": FAILED, "canceled": FAILED,
}  # fmt: skip


def failure_for(code: str | None, http_status: int | None) -> Failure:
    """A refusal by Twilio's REST API in the outbox's words."""
    if code == OPTED_OUT_CODE:
        return Failure.RECIPIENT_GONE
    if code in INVALID_NUMBER_CODES:
        return Failure.INVALID_ADDRESS
    if http_status is None or http_status in RETRYABLE_HTTP:
        return Failure.RETRY_LATER  # no answer at all, or Twilio says try again
    return Failure.REJECTED


@dataclass(frozen=True)
class DeliveryReport:
    """One status callback, translated: ``status`` None when the outbox need not change."""

    status: str | None
    error: str | None
    recipient_gone: bool


def delivery_report(message_status: str, error_code: str | None) -> DeliveryReport:
    code = (error_code or "").strip() or None
    return DeliveryReport(
        status=STATUSES.get(message_status.strip().lower()),
        error=f"Twilio error {code}" if code else None,
        recipient_gone=code == OPTED_OUT_CODE,
    )
