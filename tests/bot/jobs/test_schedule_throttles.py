"""A campaign's throttle holds across workers: two workers (threads with their own jobs, as two
processes would be) run the same throttled period at once on SQLite and PostgreSQL, and between
them invite no more than the pace allows; the rest wait, planned, for later passes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, update
from sqlmodel import Session, select

from bot.config.settings import Settings
from bot.config.wiring import Services
from bot.jobs.schedule import campaign_jobs
from storage.crypto import Vault, generate_key
from storage.models import Campaign, CampaignRun, Outbox
from tests.fakes.people import add_campaign, add_people

AT = datetime(2026, 12, 1, 10, tzinfo=UTC)  # the first Tuesday, 10:00 UK time


def _statuses(engine: Engine) -> dict[str, int]:
    with Session(engine) as db:
        query = select(CampaignRun.status, func.count()).group_by(CampaignRun.status)
        return {status: int(n) for status, n in db.exec(query)}


def _queued_invitations(engine: Engine) -> int:
    with Session(engine) as db:
        query = select(func.count()).select_from(Outbox).where(Outbox.kind == "invitation")
        return int(db.exec(query).one())


def test_two_workers_together_keep_one_throttle(db_engine: Engine) -> None:
    key = generate_key()
    add_people(db_engine, Vault.from_setting(key), providers=4, people=40)
    add_campaign(db_engine, "Paced")
    with db_engine.begin() as db:
        db.execute(update(Campaign).values(throttles={"sms": 300.0}))  # one every 12 s
    settings = Settings(database_url=str(db_engine.url), secret_key=key, quiet_hours="",
                        campaign_batch=3)  # fmt: skip
    logs: list[dict[str, Any]] = []
    workers = [campaign_jobs(Services.build(settings, db_engine), logs.append) for _ in range(2)]

    def both_at(at: datetime) -> None:
        threads = [threading.Thread(target=jobs.run_due, args=(at,)) for jobs in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    both_at(AT)
    assert _statuses(db_engine) == {"invited": 5, "planned": 35}  # a minute's worth at once
    both_at(AT + timedelta(seconds=6))
    assert _statuses(db_engine)["invited"] == 5
    both_at(AT + timedelta(seconds=12))
    assert _statuses(db_engine)["invited"] == 6
    both_at(AT + timedelta(minutes=2))  # a minute's worth again; the idle minute saved nothing
    assert _statuses(db_engine)["invited"] == 11
    assert _queued_invitations(db_engine) == 11 * 2  # each: the intro and the first question
    for step in range(1, 31):  # the worker's rounds, every 10 s: one every 12 s gets through
        both_at(AT + timedelta(minutes=2, seconds=10 * step))
    assert _statuses(db_engine) == {"invited": 11 + 25, "planned": 4}
    both_at(AT + timedelta(hours=1))
    assert _statuses(db_engine) == {"invited": 40}
    assert sum(1 for entry in logs if entry["event"] == "campaign.planned") == 1
