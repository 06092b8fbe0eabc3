"""Inbound messages per second through the runner, beside a bare-insert baseline from the same run.

    python benchmarks/runner.py [--people 40] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each person completes the home-care survey (7 messages). The baseline inserts the same number of
rows into a one-column table in one transaction each, on the same database: the ratio says what
the runner's work (engine, encryption, answers, outbox, idempotency log) costs per message.
Statements per message are counted by a SQLAlchemy ``before_cursor_execute`` listener (which
the hot path's driver-level statements fire too, storage/prepared.py), plus BEGIN and COMMIT
(which do not pass through a cursor).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, event, text

from bot.surveys.catalog import FlowCatalog
from bot.surveys.runner import Runner
from storage.crypto import Vault, generate_key
from storage.db import in_schema, make_engine, scratch_schema
from storage.migrate import upgrade

SCRIPT = ["FEEDBACK", "1", "2", "3", "4", "Lovely carers", "Ring when late"]
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def through_runner(runner: Runner, people: int, first: int = 0) -> int:
    count = 0
    for person in range(first, first + people):
        phone = f"+4477009{person:05d}"
        for step, message in enumerate(SCRIPT):
            at = T0 + timedelta(minutes=person * 10 + step)
            runner.handle("sms", phone, message, f"bench-{person}-{step}", at)
            count += 1
    return count


def bare_inserts(engine: Engine, count: int) -> int:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bench_baseline (body TEXT)"))
    for number in range(count):
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bench_baseline (body) VALUES (:b)"), {"b": str(number)}
            )
    return count


def rate(work: Callable[[], int]) -> float:
    started = time.perf_counter()
    done = work()
    return done / (time.perf_counter() - started)


class Statements:
    """Counts what the engine sends to the database: cursor executions, BEGINs and COMMITs."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        # BEGIN is sent by the driver (PostgreSQL) or by our engine on the driver (SQLite's
        # BEGIN IMMEDIATE, storage.db): neither passes through a cursor event.
        event.listen(engine, "begin", self._statement)
        event.listen(engine, "commit", self._statement)

    def _statement(self, *_args: object, **_kwargs: object) -> None:
        self.count += 1


def measure(name: str, engine: Engine, people: int) -> tuple[str, float, float, float]:
    upgrade(engine)
    # Built once, as the service does at start: loading the flow catalog is not per message.
    runner = Runner(engine, Vault.from_setting(generate_key()), FlowCatalog.load())
    through_runner(runner, 1, first=99_999)  # warm-up: loads lexicons and flows once, not timed
    statements = Statements(engine)
    runner_rate = rate(lambda: through_runner(runner, people))
    per_message = statements.count / (people * len(SCRIPT))
    baseline_rate = rate(lambda: bare_inserts(engine, people * len(SCRIPT)))
    return name, runner_rate, baseline_rate, per_message


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        results.append(measure("SQLite", sqlite, args.people))
        sqlite.dispose()
    if args.postgres:
        with scratch_schema(args.postgres, "bench") as schema:
            engine = in_schema(args.postgres, schema)
            try:
                results.append(measure("PostgreSQL", engine, args.people))
            finally:
                engine.dispose()
    print(f"{'database':<12}{'runner msg/s':>14}{'bare insert/s':>15}{'ratio':>8}{'stmts/msg':>11}")
    for name, runner_rate, baseline_rate, per_message in results:
        ratio = runner_rate / baseline_rate
        print(
            f"{name:<12}{runner_rate:>14.0f}{baseline_rate:>15.0f}{ratio:>8.2f}{per_message:>11.1f}"
        )


if __name__ == "__main__":
    main()
