"""The outbox worker: sends queued texts at a steady rate, outside quiet hours, with retries.

Safe to stop and restart at any moment: each text is claimed (``sending``) just before it is
handed to the carrier and marked ``sent`` with the carrier's id just after.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.channels.sms.format import render, split_long
from bot.channels.sms.sender import Sender, SendFailure
from flows.events import Message
from storage import outbox
from storage.crypto import Vault
from storage.models import Address

UK = ZoneInfo("Europe/London")


@dataclass
class Summary:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    suppressed: int = 0
    invalid: list[str] = field(default_factory=list)  # outbox ids, not numbers: no identities


def parse_quiet_hours(spec: str) -> tuple[clock_time, clock_time] | None:
    """``"21:00-09:00"`` → (21:00, 09:00); an empty string means no quiet hours."""
    if not spec.strip():
        return None
    start, _, end = spec.partition("-")
    return clock_time.fromisoformat(start.strip()), clock_time.fromisoformat(end.strip())


def in_quiet_hours(now: datetime, quiet: tuple[clock_time, clock_time] | None) -> bool:
    if quiet is None:
        return False
    local = now.astimezone(UK).time()
    start, end = quiet
    return start <= local or local < end if start > end else start <= local < end


class OutboxWorker:
    def __init__(
        self,
        engine: Engine,
        vault: Vault,
        sender: Sender,
        *,
        per_second: float = 1.0,
        quiet_hours: str = "21:00-09:00",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine, self.vault, self.sender = engine, vault, sender
        self.interval = 1.0 / per_second
        self.quiet = parse_quiet_hours(quiet_hours)
        self.sleep = sleep

    def drain(
        self, now: Callable[[], datetime], progress: Callable[[Summary], None] | None = None
    ) -> Summary:
        """Send every due text, one at a time at the configured rate; stop in quiet hours."""
        summary = Summary()
        while not in_quiet_hours(now(), self.quiet):
            claimed = outbox.claim_due(self.engine, "sms", now(), limit=1)
            if not claimed:
                break
            self._send_one(claimed[0], now(), summary)
            if progress is not None:
                progress(summary)
            self.sleep(self.interval)
        return summary

    def _send_one(self, item: outbox.Claimed, at: datetime, summary: Summary) -> None:
        address = outbox.address_of(self.engine, item.address_id)
        if address is None or outbox.is_suppressed(self.engine, address):
            outbox.finish(self.engine, item.id, "suppressed", at, last_error="recipient opted out")
            summary.suppressed += 1
            return
        text = render(Message.model_validate(item.body))
        try:
            ids = [
                self.sender.send(self.vault.decrypt(address.encrypted), part)
                for part in split_long(text)
            ]
        except SendFailure as failure:
            self._failed(item, address, failure, at, summary)
            return
        outbox.finish(self.engine, item.id, "sent", at, external_id=ids[0], last_error=None)
        summary.sent += 1

    def _failed(
        self,
        item: outbox.Claimed,
        address: Address,
        failure: SendFailure,
        at: datetime,
        summary: Summary,
    ) -> None:
        if failure.opted_out:
            outbox.finish(self.engine, item.id, "suppressed", at, last_error=str(failure))
            outbox.opt_out_address(self.engine, address, "carrier 21610", at)
            summary.suppressed += 1
        elif failure.invalid_number:
            outbox.finish(self.engine, item.id, "invalid", at, last_error=str(failure))
            summary.invalid.append(str(item.id))
        elif failure.retryable and outbox.retry_later(
            self.engine, item.id, item.attempts, str(failure), at
        ):
            summary.retried += 1
        else:
            outbox.finish(self.engine, item.id, "failed", at, last_error=str(failure))
            summary.failed += 1
