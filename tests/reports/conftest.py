"""One known data set for every report test, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from reports.build import all_providers_report, provider_report
from reports.model import Report
from tests.reports.data import MONTH, load_fixture

NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def loaded(db_engine: Engine) -> Engine:
    load_fixture(db_engine)
    return db_engine


@pytest.fixture
def report(loaded: Engine, monkeypatch: pytest.MonkeyPatch) -> Report:
    # Quotes as the model flags at "likely": at the recall default it holds back one ordinary
    # complaint of this data set as a possible concern ("Mrs Jones was late again and did not
    # ring"), the safe side, while the tests here are about redaction and layout.
    monkeypatch.setenv("CAREVOICE_SAFEGUARDING_MODEL", "likely")
    return provider_report(loaded, "sunrise care", MONTH, now=NOW)


@pytest.fixture
def overview(loaded: Engine) -> Report:
    return all_providers_report(loaded, MONTH, now=NOW)
