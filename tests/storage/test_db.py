"""Engines: every connection waits a bounded time for a lock, options given in a PostgreSQL URL
are kept alongside ours, and the SQLite files are private to the service's user."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import make_engine, scratch_schema
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
