"""A campaign's throttles: how fast its invitations may leave on each channel (``sms=300/h``).

A throttle paces invitations where they are made, in the campaign job, so the outbox never
holds more of a campaign's invitations than its pace allows and the monthly cap, quiet hours and
opt-outs are still checked at the moment each one is made. The pace is a generic cell-rate
algorithm: each channel keeps the time its next invitation is due (stored on the period's row
and locked with it, so every worker sees the same pace); at most a minute's worth goes at once,
and over time never more than the rate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

CHANNELS = ("sms", "telegram", "email")
PER = {"s": 3600.0, "min": 60.0, "m": 60.0, "h": 1.0, "d": 1 / 24}
BURST = timedelta(minutes=1)
_SPEC = re.compile(r"(?P<channel>[a-z_]+)\s*=\s*(?P<count>\d+(?:\.\d+)?)\s*/\s*(?P<per>[a-z]+)")


class ThrottleError(ValueError):
    """A throttle that cannot be read; the message shows the form that would be."""


def parse_throttles(text: str) -> dict[str, float]:
    """``"sms=300/h, email=1000/h"`` → ``{"sms": 300.0, "email": 1000.0}`` (per hour)."""
    found: dict[str, float] = {}
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        match = _SPEC.fullmatch(part)
        if match is None or match["per"] not in PER:
            raise ThrottleError(
                f"cannot read throttle {part!r}: write channel=count/period, e.g. sms=300/h "
                "(periods: s, min, h, d)"
            )
        channel = match["channel"]
        if channel not in CHANNELS:
            raise ThrottleError(
                f"unknown channel {channel!r} in the throttle: choose sms, telegram or email "
                "(a web link by text counts as sms, by e-mail as email)"
            )
        per_hour = float(match["count"]) * PER[match["per"]]
        if per_hour <= 0:
            raise ThrottleError(f"throttle {part!r} would send nothing; leave it out instead")
        found[channel] = per_hour
    return found


def describe(throttles: Mapping[str, float] | None) -> str:
    if not throttles:
        return "none (each channel's own rate)"
    return ", ".join(f"{channel}={rate:g}/h" for channel, rate in throttles.items())


@dataclass
class Pace:
    """One batch's view of a campaign's throttles: ``take`` says whether one more invitation
    may go on a channel now; ``due`` is what to store for the next batch."""

    throttles: Mapping[str, float]
    due: dict[str, str] = field(default_factory=dict)  # channel → next slot, ISO 8601

    def take(self, channel: str, now: datetime) -> bool:
        rate = self.throttles.get(channel)
        if rate is None:
            return True
        slot = self._slot(channel, now)
        if slot is None:
            return False
        self.due[channel] = (slot + timedelta(hours=1) / rate).isoformat()
        return True

    def exhausted(self, now: datetime) -> set[str]:
        """Channels on which nothing more may go in this batch."""
        return {channel for channel in self.throttles if self._slot(channel, now) is None}

    def _slot(self, channel: str, now: datetime) -> datetime | None:
        """When the next invitation on ``channel`` is due, if that is within the burst."""
        interval = timedelta(hours=1) / self.throttles[channel]
        stored = self.due.get(channel)
        slot = max(datetime.fromisoformat(stored), now) if stored else now
        # Up to a minute's worth at once (at least one), never ahead of the rate over time.
        return slot if slot <= now + max(BURST, interval) - interval else None
