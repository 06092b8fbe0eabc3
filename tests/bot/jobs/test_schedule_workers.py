"""Several workers on PostgreSQL share a campaign run; one is killed with SIGKILL mid-run.
Every person must end up invited exactly once: counted in the rows, not taken on trust."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from storage.crypto import Vault, generate_key
from storage.models import CampaignRun, Contact, Conversation, Invitation, Outbox
from tests.fakes.people import add_campaign, add_people
from tests.fakes.workers import WAIT, workers

PEOPLE = 600


def _count(engine: Engine, query: object) -> int:
    with Session(engine) as db:
        return int(db.exec(query).one())  # type: ignore[call-overload]


def _invited(engine: Engine) -> int:
    return _count(
        engine, select(func.count()).select_from(CampaignRun).where(CampaignRun.status == "invited")
    )


@pytest.mark.slow
def test_two_workers_and_a_kill_invite_everyone_exactly_once(
    postgres: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = postgres
    key = generate_key()
    add_people(engine, Vault.from_setting(key), providers=40, people=PEOPLE)
    add_campaign(engine, "Monthly")
    with workers(url, key, tmp_path, now="2026-12-01T10:00") as (_, start):
        victim, survivor = start(), start()
        deadline = time.monotonic() + WAIT
        while _invited(engine) < 30 and time.monotonic() < deadline and victim.poll() is None:
            time.sleep(0.05)
        left = PEOPLE - _invited(engine)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(WAIT)
        assert victim.returncode == -signal.SIGKILL
        assert left > 0, "the run had finished before the kill: nothing was tested"
        _, errors = survivor.communicate(timeout=WAIT)
        assert survivor.returncode == 0, errors.decode()
        # Whatever the killed worker held was rolled back; the next pass takes it.
        third = start()
        _, errors = third.communicate(timeout=WAIT)
        assert third.returncode == 0, errors.decode()

    with Session(engine) as db:
        contacts = db.exec(select(func.count()).select_from(Contact)).one()
        runs = list(db.exec(select(CampaignRun.contact_id, CampaignRun.status)))
        invitations = list(db.exec(select(Invitation.contact_id)))
        conversations = list(db.exec(select(Conversation.contact_id)))
        first_texts = db.exec(
            select(func.count(func.distinct(Outbox.conversation_id))).where(
                Outbox.kind == "invitation"
            )
        ).one()
    assert contacts == PEOPLE
    assert len(runs) == PEOPLE
    assert {status for _, status in runs} == {"invited"}
    assert sorted(invitations) == sorted({c for c, _ in runs})
    assert len(conversations) == PEOPLE == len(set(conversations))
    assert first_texts == PEOPLE
