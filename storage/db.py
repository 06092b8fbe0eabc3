"""Database engines: SQLite by default (WAL, foreign keys, one writer, secure delete),
PostgreSQL to scale; and reclaiming the space of erased rows on both."""

from __future__ import annotations

import os
import threading
import uuid
import weakref
from collections.abc import Iterable, Iterator
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
    wait = f"-clock_timeout={int(lock_timeout * 1000)}"
    # libpq takes one ``options`` string: keep any the URL already carries (a search_path, say)
    # beside ours, since a connect argument would silently replace the URL's.
    parsed = make_url(url)
    given = parsed.query.get("options")
    from_url = " ".join(given) if isinstance(given, tuple) else given
    joined = (from_url, connect_args.get("options"), wait)
    connect_args["options"] = " ".join(part for part in joined if part)
    bare = parsed.difference_update_query(["options"])
    return create_engine(bare, connect_args=connect_args, **options)


def _sqlite_engine(url: str, lock_timeout: float, **options: Any) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        _private_file(Path(database))
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
        # Deleted and overwritten content is zeroed in the file, not left in free space: an
        # erased person's words must not survive in the database file (see reclaim below).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock at the start: two messages from one person are applied
        # one after the other instead of failing half-way with "database is locked". Readers
        # (reports) say so and take no lock, so a long report never holds up replies.
        statement = (
            "BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
        )
        # On the driver itself: once per transaction, so SQLAlchemy's execution machinery
        # (~0.1 ms) is not worth it here; a busy database still raises SQLAlchemy's
        # OperationalError (the callers' 503), as exec_driver_sql would.
        try:
            connection.connection.driver_connection.execute(statement)
        except Exception as error:
            connection._handle_dbapi_exception(error, statement, (), None, None)

    return engine


def _private_file(path: Path) -> None:
    """The database's folder 0700 when we make it, the file 0600: it holds health feedback.

    SQLite gives its -wal and -shm files the permissions of the database file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    elif path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
        path.chmod(0o600)  # made by an older version, or by hand, readable by others


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


def reclaim(engine: Engine, tables: Iterable[str]) -> str:
    """After an erasure or purge has committed: make the removed text leave the disk files.

    SQLite (with ``secure_delete`` on every connection) zeroes deleted content in the database
    file, but the write-ahead log still holds the pages as they were before; a TRUNCATE
    checkpoint copies the log into the file and empties it. Other connections may stay open;
    one in the middle of a read makes the checkpoint wait (busy timeout), then give up, which the
    result says. PostgreSQL: ``VACUUM`` (outside a transaction, as it must be) removes the dead
    row versions from the tables' pages and indexes so their space is reused; it does not
    promise to overwrite them at once, and WAL segments and backups keep copies until they are
    recycled: see the README's security section.
    """
    if is_sqlite(str(engine.url)):
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _, _ = cursor.fetchone() or (1, 0, 0)
            cursor.close()
        finally:
            raw.close()
        return "write-ahead log emptied" if busy == 0 else "write-ahead log busy: run again"
    names = sorted(set(tables))
    with engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        for name in names:
            autocommit.exec_driver_sql(f'VACUUM "{name}"')
    return f"vacuumed {', '.join(names)}"
