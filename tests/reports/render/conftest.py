"""Renderers only read the report model, so one database (SQLite) is enough here; the queries
behind the model run on SQLite and PostgreSQL in tests/reports/test_build.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage import sealed
from storage.crypto import Vault, generate_key
from storage.db import make_engine
from storage.migrate import upgrade
from tests.reports.data import load_fixture


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'carevoice.db'}")
    upgrade(engine)
    sealed.bind(engine, Vault.from_setting(generate_key()))
    load_fixture(engine)
    yield engine
    engine.dispose()
