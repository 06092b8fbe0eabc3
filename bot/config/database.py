"""Opening the configured database, ready for use or with a clear reason why not.

Shared by every command and by the service: the zero-set-up SQLite default brings its own schema
up to date; PostgreSQL, which several workers share, is only migrated on purpose, by
``carevoice db upgrade``.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.config.settings import Settings, vault_for
from storage import migrate, sealed
from storage.db import is_sqlite, make_engine


class DatabaseNotReady(RuntimeError):
    """The database cannot be used yet; the message says what to do."""


def shown(url: str) -> str:
    """The URL for messages, password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def unavailable(error: BaseException) -> bool:
    """The database is down, locked or out of connections: "try again shortly" (503), not a
    fault in the request or in our code (500). SQLite's "database is locked" and PostgreSQL's
    lock_timeout and statement_timeout all arrive as ``OperationalError``."""
    if isinstance(error, OperationalError | DisconnectionError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def seal_with_key(engine: Engine, settings: Settings) -> None:
    """Give the engine the key ring for people's words (storage.sealed), when one is configured
    or (the zero-set-up SQLite default) made locally. Without one, commands that never touch
    free text (users, providers) still work; one that does says the key is missing."""
    if settings.secret_key or is_sqlite(settings.database_url):
        sealed.bind(engine, vault_for(settings))


def open_database(settings: Settings) -> Engine:
    """An engine on a reachable database whose schema is current; raises ``DatabaseNotReady``."""
    engine = make_engine(settings.database_url, lock_timeout=settings.database_lock_timeout)
    seal_with_key(engine, settings)
    try:
        stale = migrate.needs_upgrade(engine)
        if stale and is_sqlite(settings.database_url):
            migrate.upgrade(engine)
            stale = False
    except DBAPIError as error:
        engine.dispose()
        raise DatabaseNotReady(
            f"cannot use the database at {shown(settings.database_url)}: {error.orig}"
        ) from None
    if stale:
        engine.dispose()
        raise DatabaseNotReady(
            f"the database at {shown(settings.database_url)} needs migrating: "
            "run `carevoice db upgrade`"
        )
    return engine
