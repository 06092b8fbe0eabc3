"""Per-person campaigns: each person is asked when *they* reach a wave, not on a calendar.

Outcomes compare a person at the start of a service with the same person months later, so the
baseline is due on the day they started with the provider (``Contact.started_on``, from the
contacts import) and each follow-up so many calendar months after it. Each wave is open for a
window of days from its due date; a person is invited once per wave (the run's period is the
wave's name, so the campaign run's unique key is campaign, contact and wave) and reminded once
within the window. Dates are UK calendar days: a wave due on 1 July opens at midnight UK time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from bot.surveys.schedules import UK
from storage.crypto import Vault
from storage.models import Campaign, Conversation
from storage.waves import BASELINE, mark_wave

MAX_NAME = 20  # a wave's name is the run's period, a 20-character column
SCHEDULE = "per person"  # what a per-person campaign shows where others show their schedule
EXAMPLE = '"baseline:0,3 months:3,6 months:6"'


class WaveSpecError(ValueError):
    """Waves nobody can read; the message says what would be understood."""


@dataclass(frozen=True)
class Wave:
    name: str
    months: int  # after the person started with the provider


@dataclass(frozen=True)
class DueWave:
    wave: Wave
    opens: date  # the due date
    closes_at: datetime  # UTC: the end of the window, when an unanswered survey closes


def parse_waves(text: str) -> tuple[Wave, ...]:
    """``"baseline:0,3 months:3"``: each wave's name and months after the start, in order."""
    waves: list[Wave] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, colon, months = part.rpartition(":")
        name = " ".join(name.split())
        if not colon or not name or not months.strip().isdigit():
            raise WaveSpecError(f"wave {part!r} is not NAME:MONTHS, as in {EXAMPLE}")
        if len(name) > MAX_NAME:
            raise WaveSpecError(f"wave name {name!r} is longer than {MAX_NAME} characters")
        waves.append(Wave(name, int(months)))
    if not waves or waves[0] != Wave(BASELINE, 0):
        raise WaveSpecError(f"the first wave must be baseline:0 (reports pair it), as in {EXAMPLE}")
    for earlier, later in pairwise(waves):
        if later.months <= earlier.months:
            raise WaveSpecError(f"wave {later.name!r} must come months after {earlier.name!r}")
    if len({w.name for w in waves}) < len(waves):
        raise WaveSpecError("two waves have the same name")
    return tuple(waves)


def stored(waves: tuple[Wave, ...]) -> list[dict[str, Any]]:
    return [{"name": w.name, "months": w.months} for w in waves]


def waves_of(campaign: Campaign) -> tuple[Wave, ...]:
    return tuple(Wave(str(w["name"]), int(w["months"])) for w in campaign.waves or [])


def describe(waves: tuple[Wave, ...]) -> str:
    return ", ".join(f"{w.name} (month {w.months})" for w in waves)


def open_waves(campaign: Campaign, started_on: date | None, at: datetime) -> list[DueWave]:
    """The waves whose window holds ``at`` for someone who started on ``started_on``, earliest
    first (windows longer than the gap between two waves overlap)."""
    if started_on is None:
        return []
    today = at.astimezone(UK).date()
    windows = (window_of(campaign, started_on, wave) for wave in waves_of(campaign))
    return [w for w in windows if w.opens <= today and at < w.closes_at]


def window_of(campaign: Campaign, started_on: date, wave: Wave) -> DueWave:
    opens = started_on + relativedelta(months=wave.months)
    closes = opens + timedelta(days=campaign.window_days or 14)
    return DueWave(wave, opens, datetime.combine(closes, time(0), tzinfo=UK).astimezone(UTC))


def mark_run_wave(db: Session, vault: Vault, conversation_id: int | None, wave: str) -> None:
    """The conversation a wave's invitation started records which wave it answers."""
    if conversation_id is None:
        return  # a web link: its conversation begins, and is marked, when the link is opened
    conversation = db.get(Conversation, conversation_id)
    if conversation is not None:
        mark_wave(db, vault, conversation, wave)
