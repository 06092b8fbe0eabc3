"""Alembic environment: runs against the connection ``storage.migrate`` hands it."""

from __future__ import annotations

from alembic import context

import storage.models  # noqa: F401  (registers every table on the metadata)
from storage.models import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
