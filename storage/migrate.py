"""Schema migrations (Alembic), driven from code so no alembic.ini is needed anywhere.

Alembic itself (about 10 MB with Mako) is imported only to migrate. Asking whether the schema
is current, which every start of ``serve`` and every ``/readyz`` does, reads the version table
and compares it with ``HEAD``; a test checks that ``HEAD`` is Alembic's own head.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision: a new migration changes this line (tests/storage say so).
HEAD = "0016_on_behalf_sealed"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    return HEAD


def scripts_head() -> str:
    """The head as Alembic finds it in ``migrations/versions`` (what ``HEAD`` must say)."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None, "no migrations found"
    return revision


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
        found = list(versions)
    if len(found) > 1:  # as Alembic refuses it: this project's history never branches
        raise RuntimeError(f"the database is at several revisions at once: {', '.join(found)}")
    return found[0] if found else None


def needs_upgrade(engine: Engine) -> bool:
    return current(engine) != head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def autogenerate(engine: Engine, message: str) -> None:
    """For developers: write a new migration from the difference between models and database."""
    from alembic import command

    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
