"""Monthly report time at scale, beside a bare ``SELECT count(*)`` over the same answers.

    python benchmarks/reports.py [--answers 1000000] [--providers 50] [--months 24]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-postgres]

Generates the answers (four indicator questions and a comment per respondent, ~17 % negative)
with a bulk insert — executemany on SQLite, COPY on PostgreSQL (in a throw-away schema) — then
times one provider's monthly JSON report and the all-provider JSON report, best of three, on
each database. The goal is a provider-month report in under a second at 1,000,000 answers.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

# Run as a script, this file's folder is first on sys.path, and this file's name would hide the
# `reports` package; the project root takes its place.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from reports.build import all_providers_report, provider_report  # noqa: E402
from reports.queries import months_back  # noqa: E402
from reports.render import jsonfmt  # noqa: E402
from storage import sealed  # noqa: E402
from storage.crypto import Vault, generate_key  # noqa: E402
from storage.db import in_schema, make_engine, scratch_schema  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

LAST_MONTH = "2026-10"
PER_PERSON = 5
QUESTIONS = (
    ("punctuality", "single_choice", ("always", "usually", "sometimes", "rarely", "never")),
    ("continuity", "single_choice", ("always", "usually", "sometimes", "rarely", "never")),
    ("attitude", "single_choice", ("always", "usually", "sometimes", "rarely", "never")),
    ("fft", "fft", ("very_good", "good", "neither", "poor", "very_poor", "dont_know")),
)
POSITIVE = {"always", "usually", "very_good", "good"}
NEGATIVE = {"rarely", "never", "poor", "very_poor"}
COMMENTS = (
    ("Carers always arrive on time", "positive", '["punctuality"]'),
    ("Different carer every day, nobody knows my routine", "negative", '["continuity"]'),
    ("Kind and patient staff", "positive", '["staff_attitude"]'),
    ("Answer the phone quicker", "negative", '["communication"]'),
)
ANSWER_COLUMNS = (
    "id, conversation_id, provider_id, flow_id, flow_version, question_id, question_type, "
    "status, indicator, value, polarity, raw_text, purpose, channel, answered_at, "
    "reporting_month, superseded, sentiment, sentiment_score, themes, flags"
)
# Free text and sessions are stored sealed (storage.sealed), as the runner writes them.
VAULT = Vault.from_setting(generate_key())
CONVERSATION_COLUMNS = (
    "id, channel, address_hash, provider_id, flow_id, flow_version, session, status, "
    "started_at, last_activity_at, expires_at, revision"
)


def people(total_answers: int, providers: int, months: int) -> Iterator[tuple[Any, ...]]:
    """(conversation id, provider id, month, channel, answers) for each generated respondent."""
    rng = random.Random(7)
    month_list = months_back(LAST_MONTH, months)
    per_cell = max(1, total_answers // PER_PERSON // (providers * months))
    person = 0
    for provider in range(1, providers + 1):
        quality = 0.55 + 0.4 * rng.random()
        for month in month_list:
            for _ in range(per_cell):
                person += 1
                channel = rng.choice(("sms", "sms", "sms", "telegram", "web", "telephone"))
                yield person, provider, month, channel, _answers(rng, quality)


def _answers(rng: random.Random, quality: float) -> list[tuple[str, str, str | None, str]]:
    found = []
    for question, kind, options in QUESTIONS:
        roll = rng.random()
        value = (
            options[0] if roll < quality else options[1 + int(rng.random() * (len(options) - 1))]
        )
        found.append((question, kind, question, value))
    comment = COMMENTS[rng.randrange(len(COMMENTS))]
    found.append(("comments", "free_text", None, "|".join(comment)))
    return found


def rows(
    total: int, providers: int, months: int, stamp: Callable[[str], str]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    conversations: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []
    answer_id = 0
    empty_session = sealed.seal(VAULT, "{}")
    sealed_words = {words: sealed.seal(VAULT, words) for words, _, _ in COMMENTS}
    for person, provider, month, channel, items in people(total, providers, months):
        at = stamp(month)
        conversations.append(
            (
                person,
                channel,
                f"{person:064x}",
                provider,
                "homecare_monthly",
                1,
                empty_session,
                "completed",
                at,
                at,
                at,
                0,
            )
        )
        for question, kind, indicator, value in items:
            answer_id += 1
            if kind == "free_text":
                words, sentiment, themes = value.split("|")
                answers.append(
                    (
                        answer_id,
                        person,
                        provider,
                        "homecare_monthly",
                        1,
                        question,
                        kind,
                        "answered",
                        None,
                        None,
                        None,
                        sealed_words[words],
                        "nonspecific",
                        channel,
                        at,
                        month,
                        False,
                        sentiment,
                        0.9,
                        themes,
                        None,
                    )
                )
                continue
            polarity = (
                "positive" if value in POSITIVE else "negative" if value in NEGATIVE else "neutral"
            )
            answers.append(
                (
                    answer_id,
                    person,
                    provider,
                    "homecare_monthly",
                    1,
                    question,
                    kind,
                    "answered",
                    indicator,
                    f'"{value}"',
                    polarity,
                    None,
                    None,
                    channel,
                    at,
                    month,
                    False,
                    None,
                    None,
                    None,
                    None,
                )
            )
    return conversations, answers


def providers_sql(count: int) -> list[tuple[int, str]]:
    return [(number, f"Provider {number:02d}") for number in range(1, count + 1)]


def load_sqlite(engine: Engine, args: argparse.Namespace) -> None:
    conversations, answers = rows(
        args.answers, args.providers, args.months, lambda m: f"{m}-10 12:00:00.000000"
    )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(
            "INSERT INTO provider (id, name, category, created_at) "
            "VALUES (?, ?, 'general_home_care', '2024-01-01 00:00:00.000000')",
            providers_sql(args.providers),
        )
        cursor.executemany(
            f"INSERT INTO conversation ({CONVERSATION_COLUMNS}) VALUES ({', '.join('?' * 12)})",
            conversations,
        )
        cursor.executemany(
            f"INSERT INTO answer ({ANSWER_COLUMNS}) VALUES ({', '.join('?' * 21)})", answers
        )
        cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
    finally:
        raw.close()


def load_postgres(engine: Engine, args: argparse.Namespace) -> None:
    conversations, answers = rows(
        args.answers, args.providers, args.months, lambda m: f"{m}-10 12:00:00+00"
    )
    raw = engine.raw_connection()
    try:
        cursor: Any = raw.cursor()
        for table, columns, data in (
            (
                "provider",
                "id, name, category, created_at",
                [
                    (i, n, "general_home_care", "2024-01-01 00:00:00+00")
                    for i, n in providers_sql(args.providers)
                ],
            ),
            ("conversation", CONVERSATION_COLUMNS, conversations),
            ("answer", ANSWER_COLUMNS, answers),
        ):
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        for table in ("provider", "conversation", "answer"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def answer_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM answer")).scalar_one())


def best_of(work: Callable[[], object], times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def measure(engine: Engine, name: str, args: argparse.Namespace) -> list[tuple[str, str, float]]:
    def count() -> object:
        return answer_count(engine)

    provider = "Provider 01"
    results = [
        (name, "SELECT count(*) FROM answer", best_of(count)),
        (
            name,
            f"{provider}, {LAST_MONTH}, JSON",
            best_of(lambda: jsonfmt.render(provider_report(engine, provider, LAST_MONTH))),
        ),
        (
            name,
            f"all providers, {LAST_MONTH}, JSON",
            best_of(lambda: jsonfmt.render(all_providers_report(engine, LAST_MONTH))),
        ),
    ]
    return results


def run_sqlite(args: argparse.Namespace) -> list[tuple[str, str, float]]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        sealed.bind(engine, VAULT)
        upgrade(engine)
        started = time.perf_counter()
        load_sqlite(engine, args)
        print(
            f"sqlite: loaded {answer_count(engine):,} answers "
            f"in {time.perf_counter() - started:.1f} s"
        )
        try:
            return measure(engine, "SQLite", args)
        finally:
            engine.dispose()


def run_postgres(url: str, args: argparse.Namespace) -> list[tuple[str, str, float]]:
    with scratch_schema(url, "bench") as schema:
        engine = in_schema(url, schema)
        sealed.bind(engine, VAULT)
        try:
            upgrade(engine)
            started = time.perf_counter()
            load_postgres(engine, args)
            print(
                f"postgresql: loaded {answer_count(engine):,} answers "
                f"in {time.perf_counter() - started:.1f} s"
            )
            return measure(engine, "PostgreSQL", args)
        finally:
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--providers", type=int, default=50)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--postgres", default=os.environ.get("CAREVOICE_TEST_POSTGRES_URL"))
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results = run_sqlite(args)
    if args.postgres and not args.no_postgres:
        results += run_postgres(args.postgres, args)
    baseline = {db: seconds for db, what, seconds in results if what.startswith("SELECT")}
    print(
        f"\n{args.answers:,} answers, {args.providers} providers, {args.months} months (best of 3)"
    )
    print(f"{'database':<11} {'what':<36} {'seconds':>8} {'× count(*)':>11}")
    for db, what, seconds in results:
        print(f"{db:<11} {what:<36} {seconds:>8.3f} {seconds / baseline[db]:>11.1f}")


if __name__ == "__main__":
    main()
