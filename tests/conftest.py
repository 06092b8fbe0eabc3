"""Shared pytest options."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite the expected parts of golden transcript files from the current engine.",
    )


# --- databases ---------------------------------------------------------------------------------
# Every storage test runs on SQLite and on PostgreSQL. PostgreSQL runs when
# CAREVOICE_TEST_POSTGRES_URL is set; in CI a missing or unreachable PostgreSQL is a failure,
# never a silent skip. Each test gets its own schema, dropped afterwards.
import os  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

from sqlalchemy import Engine  # noqa: E402

from storage import sealed  # noqa: E402
from storage.crypto import Vault, generate_key  # noqa: E402
from storage.db import in_schema, make_engine, scratch_schema  # noqa: E402
from storage.migrate import upgrade  # noqa: E402


def postgres_url() -> str | None:
    url = os.environ.get("CAREVOICE_TEST_POSTGRES_URL")
    if not url and os.environ.get("CI"):
        pytest.fail("CI must set CAREVOICE_TEST_POSTGRES_URL so PostgreSQL tests never skip")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database with no tables yet."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'carevoice.db'}")
        yield engine
        engine.dispose()
        return
    url = postgres_url()
    if not url:
        pytest.skip("set CAREVOICE_TEST_POSTGRES_URL to run on PostgreSQL")
    with scratch_schema(url) as schema:
        engine = in_schema(url, schema)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture
def db_engine(empty_engine: Engine) -> Engine:
    """A database migrated to the latest schema, with a key ring for its free text (a runner or
    service made in the test binds its own in its place)."""
    upgrade(empty_engine)
    sealed.bind(empty_engine, Vault.from_setting(generate_key()))
    return empty_engine
