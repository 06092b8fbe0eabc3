"""Two workers on PostgreSQL share a per-person campaign's wave: everyone due is invited exactly
once, and every conversation they start records its wave and pseudonym. Counted in the rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, update
from sqlmodel import Session, col, select

from bot.surveys.person_waves import SCHEDULE
from storage.crypto import Vault, generate_key
from storage.models import Campaign, CampaignRun, Contact, Conversation
from tests.fakes.people import T0, add_people
from tests.fakes.workers import WAIT, workers

PEOPLE = 200


def _campaign(engine: Engine) -> None:
    with engine.begin() as db:
        db.execute(
            insert(Campaign).values(
                name="Outcomes", flow_id="day_service_outcomes", provider_ids=None,
                schedule=SCHEDULE, remind_after_days=7, expire_after_days=14, starts_at=T0,
                status="active", created_at=T0, window_days=14,
                waves=[{"name": "baseline", "months": 0}, {"name": "3 months", "months": 3}],
            )
        )  # fmt: skip
        # Three in four started on 1 December; the rest in March, so they are not due yet.
        db.execute(update(Contact).values(started_on=date(2026, 12, 1)))
        db.execute(
            update(Contact).where(col(Contact.id) % 4 == 0).values(started_on=date(2027, 3, 1))
        )


@pytest.mark.slow
def test_two_workers_invite_each_person_once_per_wave(
    postgres: tuple[str, Engine],
    tmp_path: Path,
) -> None:
    url, engine = postgres
    key = generate_key()
    add_people(engine, Vault.from_setting(key), providers=5, people=PEOPLE)
    _campaign(engine)
    with workers(url, key, tmp_path, now="2026-12-01T10:00") as (twilio, start):
        for worker in [start(), start()]:
            _, errors = worker.communicate(timeout=WAIT)
            assert worker.returncode == 0, errors.decode()

    due = PEOPLE - PEOPLE // 4
    with Session(engine) as db:
        runs = list(db.exec(select(CampaignRun.contact_id, CampaignRun.period, CampaignRun.status)))
        talks = list(db.exec(select(Conversation.contact_id, Conversation.wave,
                                    Conversation.person_key)))  # fmt: skip
    assert len(runs) == due == len({c for c, _, _ in runs})
    assert {(period, status) for _, period, status in runs} == {("baseline", "invited")}
    assert len(talks) == due == len({c for c, _, _ in talks})
    assert all(wave == "baseline" and person_key for _, wave, person_key in talks)
    assert len(twilio.fake.sent) >= due
