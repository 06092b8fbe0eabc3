"""The outbox worker: one lane per registered channel, each at its channel's own rate, with
retries; in quiet hours only replies go out, never what we start (invitations, reminders).

It knows channels only through the ``Channel`` protocol: each message is stored as the engine's
``Message`` and rendered by its channel at send time, and what the carrier said comes back as a
neutral ``SendResult``. Safe to stop and restart at any moment: each message is claimed
(``sending``) just before it is handed to the carrier and marked ``sent`` with the carrier's id
just after.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import Engine

from bot.channels.base import Channel, Failure, SendResult
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


@dataclass
class Lane:
    """One channel's queue: its rate, and how long its carrier asked us to hold off."""

    channel: Channel
    interval: float
    paused_until: datetime | None = None

    def paused(self, at: datetime) -> bool:
        return self.paused_until is not None and at < self.paused_until


class OutboxWorker:
    def __init__(
        self,
        engine: Engine,
        vault: Vault,
        channels: Iterable[Channel],
        *,
        quiet_hours: str = "21:00-09:00",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine, self.vault = engine, vault
        self.lanes = [
            Lane(channel, 1.0 / channel.capabilities.per_second)
            for channel in channels
            if channel.capabilities.sends
        ]
        self.quiet = parse_quiet_hours(quiet_hours)
        self.sleep, self.clock = sleep, clock

    def drain(
        self, now: Callable[[], datetime], progress: Callable[[Summary], None] | None = None
    ) -> Summary:
        """Send every due message, taking turns between lanes so each keeps its own rate."""
        summary = Summary()
        due = {id(lane): self.clock() for lane in self.lanes}
        active = list(self.lanes)
        while active:
            lane = min(active, key=lambda candidate: due[id(candidate)])
            wait = due[id(lane)] - self.clock()
            if wait > 0:
                self.sleep(wait)
            at = now()
            claimed = [] if lane.paused(at) else self._claim(lane, at)
            if not claimed:
                active.remove(lane)
                continue
            self._send_one(lane, claimed[0], at, summary)
            if progress is not None:
                progress(summary)
            due[id(lane)] = self.clock() + lane.interval
        return summary

    def _claim(self, lane: Lane, at: datetime) -> list[outbox.Claimed]:
        quiet = in_quiet_hours(at, self.quiet)
        return outbox.claim_due(self.engine, lane.channel.name, at, limit=1, replies_only=quiet)

    def _send_one(self, lane: Lane, item: outbox.Claimed, at: datetime, summary: Summary) -> None:
        address = outbox.address_of(self.engine, item.address_id)
        if address is None or outbox.is_suppressed(self.engine, address):
            outbox.finish(
                self.engine, item.id, outbox.SUPPRESSED, at, last_error="recipient opted out"
            )
            summary.suppressed += 1
            return
        try:
            message = Message.model_validate(item.body)
        except ValidationError:
            outbox.finish(self.engine, item.id, outbox.FAILED, at, last_error="unreadable message")
            summary.failed += 1
            return
        result = lane.channel.send(self.vault.decrypt(address.encrypted), message)
        if result.ok:
            external_id = result.external_ids[0] if result.external_ids else None
            outbox.finish(
                self.engine, item.id, outbox.SENT, at, external_id=external_id, last_error=None
            )
            summary.sent += 1
        else:
            self._failed(lane, item, address, result, at, summary)

    def _failed(
        self,
        lane: Lane,
        item: outbox.Claimed,
        address: Address,
        result: SendResult,
        at: datetime,
        summary: Summary,
    ) -> None:
        engine, reason = self.engine, result.reason
        if result.failure == Failure.RECIPIENT_GONE:
            outbox.finish(engine, item.id, outbox.SUPPRESSED, at, last_error=reason)
            outbox.opt_out_address(engine, address, "carrier", at)
            summary.suppressed += 1
        elif result.failure == Failure.INVALID_ADDRESS:
            outbox.finish(engine, item.id, outbox.INVALID, at, last_error=reason)
            summary.invalid.append(str(item.id))
        elif result.failure == Failure.RETRY_LATER and outbox.retry_later(
            engine, item.id, item.attempts, reason, at, after=result.retry_after
        ):
            if result.retry_after is not None:
                # The carrier's rate limit is for the whole channel, not this one message.
                lane.paused_until = at + timedelta(seconds=result.retry_after)
            summary.retried += 1
        else:
            outbox.finish(engine, item.id, outbox.FAILED, at, last_error=reason)
            summary.failed += 1
