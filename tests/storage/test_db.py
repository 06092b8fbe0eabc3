"""Engines: every connection waits a bounded time for a lock, and options given in a
PostgreSQL URL are kept alongside ours."""

from __future__ import annotations

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
