"""A campaign run at council scale, beside a bare insert of the same rows from the same run.

    python benchmarks/campaigns.py [--people 2500] [--providers 40] [--batch 250]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-postgres]

Makes the people in bulk (and a suppression list a fifth as long), then times the worker's two
steps for one period: planning (every person's channel, the cap and the suppression list, and
one ``campaignrun`` row each) and queueing (each person's conversation started, invitation
recorded and first texts queued, in the same transactions that mark their run done). The
baseline deletes exactly the rows the run wrote and inserts them again with a bare executemany,
in the same database: what the rows cost without any of the logic. The goal is planning and
queueing in under 5 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config.settings import Settings
from bot.config.wiring import Services
from bot.jobs.schedule import campaign_jobs
from bot.surveys.campaigns import occurrence_at
from bot.surveys.schedules import parse_instant
from storage import campaigns as store
from storage.crypto import Vault, generate_key
from storage.db import in_schema, make_engine, scratch_schema
from storage.migrate import upgrade
from storage.models import (
    CampaignPeriod,
    CampaignRun,
    Conversation,
    FlowVersion,
    Invitation,
    OptOut,
    Outbox,
)
from tests.fakes.people import add_campaign, add_people

NOW = "2026-12-01T10:00"
# Children before parents when deleting, parents first when inserting.
WRITTEN = (FlowVersion, Conversation, Invitation, Outbox, CampaignPeriod, CampaignRun)


def run(engine: Engine, people: int, providers: int, batch: int) -> dict[str, float]:
    key = generate_key()
    upgrade(engine)
    add_people(engine, Vault.from_setting(key), providers, people)
    _add_suppression_list(engine, people // 5)
    add_campaign(engine, "Monthly")
    settings = Settings(secret_key=key, quiet_hours="", campaign_batch=batch)
    jobs = campaign_jobs(Services.build(settings, engine), lambda _: None)
    with Session(engine) as db:
        campaign = store.by_name(db, "Monthly")
    now = parse_instant(NOW)
    occurrence = occurrence_at(campaign, now)
    assert occurrence is not None
    started = time.perf_counter()
    jobs.plan_period(campaign, occurrence, now)
    planned = time.perf_counter()
    done = jobs.run_period(campaign, occurrence, now)
    queued = time.perf_counter()
    assert done["invited"] == people, done
    bare = _bare_insert(engine)
    return {"plan": planned - started, "queue": queued - planned, "bare": bare}


def _add_suppression_list(engine: Engine, count: int) -> None:
    """A council's suppression list: people once contacted who said STOP (some START since),
    none of them among those invited, so planning reads and applies it for everyone."""
    at = parse_instant("2026-11-01")
    with engine.begin() as db:
        db.execute(
            insert(OptOut),
            [{"channel": "sms", "address_hash": f"{n:064x}", "active": n % 3 != 0,
              "keyword": "STOP", "changed_at": at, "stopped_at": at} for n in range(count)],
        )  # fmt: skip


def _bare_insert(engine: Engine) -> float:
    """Delete what the run wrote, then time inserting the very same rows back."""
    with engine.begin() as db:
        rows = {table: [dict(r._mapping) for r in db.execute(select(table))] for table in WRITTEN}
        for table in reversed(WRITTEN):
            db.execute(delete(table))
    started = time.perf_counter()
    with engine.begin() as db:
        for table in WRITTEN:
            if rows[table]:
                db.execute(insert(table), rows[table])
    return time.perf_counter() - started


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_engine(url: str) -> Iterator[Engine]:
    with scratch_schema(url, prefix="bench") as schema:
        engine = in_schema(url, schema)
        try:
            yield engine
        finally:
            engine.dispose()


def report(name: str, times: dict[str, float], people: int) -> None:
    total = times["plan"] + times["queue"]
    print(
        f"{name:10} plan {times['plan']:6.2f} s  queue {times['queue']:6.2f} s  "
        f"total {total:6.2f} s ({people / total:,.0f} people/s)  bare insert of the same rows "
        f"{times['bare']:5.2f} s  ratio {total / times['bare']:5.1f}x  "
        f"{'ok' if total < 5 else 'over the 5 s goal'}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2500)
    parser.add_argument("--providers", type=int, default=40)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    with sqlite_engine() as engine:
        report("SQLite", run(engine, args.people, args.providers, args.batch), args.people)
    if not args.no_postgres:
        with postgres_engine(args.postgres) as engine:
            report("PostgreSQL", run(engine, args.people, args.providers, args.batch), args.people)


if __name__ == "__main__":
    main()
