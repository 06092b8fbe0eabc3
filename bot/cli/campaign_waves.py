"""``carevoice campaigns`` for per-person campaigns (outcomes): adding one with its waves, the
preview's count per wave and the status of each wave; beside ``bot.cli.campaigns``, which calls
these, to keep each module small."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import typer
from sqlmodel import Session

from bot.cli.support import fail
from bot.config.wiring import Services
from bot.jobs.schedule import Preview
from bot.surveys.person_waves import SCHEDULE, WaveSpecError, describe, parse_waves, stored
from bot.surveys.schedules import ScheduleError, parse_instant
from storage import campaigns as store
from storage import repository as repo
from storage.db import transaction
from storage.models import Campaign


def add_per_person(
    services: Services, name: str, flow: str, providers: str, waves: str, window: int,
    remind_after: int | None, starts: str | None, ends: str | None,
) -> None:  # fmt: skip
    try:
        parsed = parse_waves(waves)
    except WaveSpecError as error:
        raise fail(str(error)) from None
    if window < 1 or (remind_after is not None and remind_after >= window):
        raise fail(f"--window {window} must be at least 1 day and longer than --remind-after")
    now = datetime.now(UTC)
    with transaction(services.engine) as db:
        campaign = Campaign(
            name=" ".join(name.split()), flow_id=flow, provider_ids=provider_ids(db, providers),
            schedule=SCHEDULE, remind_after_days=remind_after, expire_after_days=window,
            starts_at=_instant(starts) or now, ends_at=_instant(ends), created_at=now,
            waves=stored(parsed), window_days=window,
        )  # fmt: skip
        save(db, campaign)
    typer.echo(
        f"added per-person campaign {campaign.name!r}: waves {describe(parsed)}, "
        f"each open {window} days; people without a started_on are not asked"
    )


def save(db: Session, campaign: Campaign) -> None:
    try:
        store.add(db, campaign)
    except store.CampaignError as error:
        raise fail(str(error)) from None


def provider_ids(db: Session, text: str) -> list[int] | None:
    if text.strip().lower() == "all":
        return None
    ids = []
    for name in (part.strip() for part in text.split(",") if part.strip()):
        found = repo.provider_by_name(db, name)
        if found is None or found.id is None:
            raise fail(f"no provider called {name!r}: add it with carevoice providers add")
        ids.append(found.id)
    if not ids:
        raise fail('name at least one provider, or "all"')
    return ids


def by_wave(found: Preview, waves: dict[int, str]) -> dict[str, dict[str, int]]:
    """Per wave: how many are due now, and of those how many would be invited."""
    table: dict[str, Counter[str]] = {}
    for planned in found.planned:
        counts = table.setdefault(waves[planned.person.contact_id], Counter())
        counts["due"] += 1
        counts["to_invite"] += planned.invited
    return {wave: {"due": c["due"], "to_invite": c["to_invite"]} for wave, c in table.items()}


def _instant(text: str | None) -> datetime | None:
    try:
        return parse_instant(text) if text else None
    except ScheduleError as error:
        raise fail(str(error)) from None
