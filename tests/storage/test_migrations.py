"""Migrations build the schema from nothing, and the models match the latest migration."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from storage.migrate import current, head, needs_upgrade, scripts_head, upgrade
from storage.models import metadata


def test_upgrade_from_empty(empty_engine: Engine) -> None:
    assert needs_upgrade(empty_engine)
    assert current(empty_engine) is None
    upgrade(empty_engine)
    assert current(empty_engine) == head()
    assert not needs_upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert {"answer", "conversation", "address", "optout", "outbox", "auditlog"} <= tables


def test_models_match_latest_migration(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_upgrade_twice_is_harmless(db_engine: Engine) -> None:
    upgrade(db_engine)
    assert current(db_engine) == head()


def test_head_names_the_newest_migration() -> None:
    # A new migration must change storage.migrate.HEAD too: readiness compares against it.
    assert head() == scripts_head(), f"set HEAD = {scripts_head()!r} in storage/migrate.py"


def test_current_reads_the_version_as_alembic_does(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0003_flag_text")
    with empty_engine.connect() as connection:
        alembic_says = MigrationContext.configure(connection).get_current_revision()
    assert current(empty_engine) == alembic_says == "0003_flag_text"
    assert needs_upgrade(empty_engine)
