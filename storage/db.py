"""Database engines: SQLite by default (WAL, foreign keys, one writer), PostgreSQL to scale."""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from storage.defaults import DEFAULT_URL

# How long a statement waits for a lock another transaction holds before it fails (SQLite's
# busy timeout, PostgreSQL's lock_timeout). A request then answers 503 and the carrier retries,
# instead of every worker thread queueing behind one stuck transaction.
LOCK_TIMEOUT_S = 5.0
READ_ONLY = "carevoice_read_only"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(
    url: str = DEFAULT_URL, *, lock_timeout: float = LOCK_TIMEOUT_S, **options: Any
) -> Engine:
    """An engine for ``url``; creates the folder of a SQLite file if needed."""
    # Error messages and logs never carry query parameters: they hold health feedback and
    # pseudonyms, which must not end up side by side in a log file.
    options.setdefault("hide_parameters", True)
    if is_sqlite(url):
        return _sqlite_engine(url, lock_timeout, **options)
    options.setdefault("pool_pre_ping", True)
    # A database outage must fail fast (readiness answers 503), not hang a request.
    connect_args = {"connect_timeout": 3, **options.pop("connect_args", {})}
    # libpq options given in the URL (``?options=-csearch_path=…``) would be replaced by ours,
    # not added to: keep them.
    in_url = make_url(url).query.get("options")
    wait = f"-clock_timeout={int(lock_timeout * 1000)}"
    given = (in_url if isinstance(in_url, str) else None, connect_args.get("options"), wait)
    connect_args["options"] = " ".join(filter(None, given))
    return create_engine(url, connect_args=connect_args, **options)


def _sqlite_engine(url: str, lock_timeout: float, **options: Any) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": lock_timeout}, **options
    )
    busy_ms = int(lock_timeout * 1000)
    _writers[engine] = (threading.RLock(), lock_timeout)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock at the start: two messages from one person are applied
        # one after the other instead of failing half-way with "database is locked". Readers
        # (reports) say so and take no lock, so a long report never holds up replies.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextmanager
def scratch_schema(url: str, prefix: str = "t") -> Iterator[str]:
    """A new, empty PostgreSQL schema for a test or benchmark, dropped afterwards whatever happens.

    Engines use it with ``in_schema``; nothing else in the database is touched."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def in_schema(url: str, schema: str, **options: Any) -> Engine:
    """An engine whose tables live in ``schema`` (PostgreSQL's search path)."""
    return make_engine(url, connect_args={"options": f"-csearch_path={schema}"}, **options)


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for queries only: on SQLite it takes no write lock."""
    with engine.connect() as connection:
        yield connection.execution_options(**{READ_ONLY: True})


# SQLite has one write lock per database. Threads of one process that all ask for it at once
# spin in its busy handler (sleeping and retrying: a lock convoy, p99 in seconds); instead they
# queue here, in order, and only one at a time holds the database's lock. Reads never take it.
_writers: weakref.WeakKeyDictionary[Engine, tuple[threading.RLock, float]] = (
    weakref.WeakKeyDictionary()
)


@contextmanager
def _one_writer(engine: Engine) -> Iterator[None]:
    writer = _writers.get(engine)
    if writer is None:  # PostgreSQL: row and advisory locks, many writers at once
        yield
        return
    lock, timeout = writer
    if not lock.acquire(timeout=timeout):
        # What SQLite itself would have said after its busy timeout: the caller answers 503.
        raise OperationalError("BEGIN IMMEDIATE", None, TimeoutError("database is locked"))
    try:
        yield
    finally:
        lock.release()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed if the block finishes, rolled back if it raises.

    On SQLite, one such transaction at a time per process (see ``_writers``)."""
    with (
        _one_writer(engine),
        Session(engine, expire_on_commit=False) as session,
        session.begin(),
    ):
        yield session
