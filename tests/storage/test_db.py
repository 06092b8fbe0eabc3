"""Engines: every connection waits a bounded time for a lock, options given in a PostgreSQL URL
are kept alongside ours, and the SQLite files are private to the service's user."""

from __future__ import annotations

import stat
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from storage.db import make_engine, reading, scratch_schema, transaction
from tests.conftest import postgres_url


def test_postgres_keeps_the_urls_options_and_bounds_lock_waits() -> None:
    url = postgres_url()
    if not url:
        pytest.skip("set CAREVOICE_TEST_POSTGRES_URL to run on PostgreSQL")
    with scratch_schema(url) as schema:
        engine = make_engine(f"{url}?options=-csearch_path%3D{schema}", lock_timeout=2.5)
        try:
            with engine.connect() as connection:
                assert connection.execute(text("SHOW search_path")).scalar_one() == schema
                assert connection.execute(text("SHOW lock_timeout")).scalar_one() == "2500ms"
        finally:
            engine.dispose()


def test_sqlite_bounds_lock_waits(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", lock_timeout=2.5)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == 2500
    engine.dispose()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_folder_is_0700_and_its_files_0600(tmp_path: Path) -> None:
    database = tmp_path / "var" / "carevoice.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x TEXT)"))
        connection.execute(text("INSERT INTO t VALUES ('private')"))
        assert mode(database.parent) == 0o700
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            assert mode(path) == 0o600, path
    engine.dispose()


def test_an_existing_readable_database_is_made_private(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    make_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600


def _waiting_in(thread: threading.Thread, function: str) -> bool:
    frame = sys._current_frames().get(thread.ident or 0)
    while frame is not None:
        if frame.f_code.co_name == function:
            return True
        frame = frame.f_back
    return False


def test_sqlite_writers_queue_in_the_process_while_reads_go_on(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'one.db'}", lock_timeout=0.5)
    with transaction(engine) as db:
        db.execute(text("CREATE TABLE t (n INTEGER)"))
    entered = threading.Event()
    second = threading.Thread(target=lambda: _write(engine, 2, entered))
    with transaction(engine) as first:
        first.execute(text("INSERT INTO t VALUES (1)"))
        second.start()
        deadline = time.monotonic() + 10
        # The second writer waits for the process's lock, not in SQLite's busy handler.
        while not _waiting_in(second, "_one_writer"):
            assert time.monotonic() < deadline, "the second writer never queued"
            time.sleep(0.01)
        assert not entered.is_set()
        with reading(engine) as connection:  # reads take no lock at all
            assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
    second.join(10)
    assert entered.is_set()
    with reading(engine) as connection:
        assert sorted(connection.execute(text("SELECT n FROM t")).scalars()) == [1, 2]
    engine.dispose()


def test_a_writer_queued_longer_than_the_lock_timeout_gets_the_busy_error(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'one.db'}", lock_timeout=0.2)
    failures: list[BaseException] = []

    def late() -> None:
        try:
            with transaction(engine):
                pass
        except OperationalError as error:  # what the service answers 503 for
            failures.append(error)

    with transaction(engine):
        waiting = threading.Thread(target=late)
        waiting.start()
        waiting.join(10)
    assert len(failures) == 1
    engine.dispose()


def _write(engine: Engine, value: int, entered: threading.Event) -> None:
    with transaction(engine) as db:
        entered.set()
        db.execute(text("INSERT INTO t VALUES (:n)"), {"n": value})
