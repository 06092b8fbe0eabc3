"""Hot-path statements run on the driver's cursor, compiled by SQLAlchemy once per dialect.

Issue 16's profile: with the ORM gone from the writes, about half of an inbound message's CPU
was still SQLAlchemy's per-execution work (building an execution context, coercing and
processing parameters, setting up a result) around a driver call that takes a tenth of it.
A ``Prepared`` statement keeps what SQLAlchemy compiled — the SQL text in the dialect's
parameter style and each column type's own bind processor (so a sealed column is still
encrypted, a date still stored as the dialect stores it) — and hands rows straight to the
DBAPI cursor of the session's connection, inside the same transaction. SQLAlchemy's
``before_cursor_execute`` event still fires, so statement counters and tracing see these too.

Only statements whose every parameter is a named column value qualify: anything that would
need SQLAlchemy at run time (Python-side defaults, expanding IN lists) is refused when the
statement is first compiled, so a wrong shortcut cannot silently store something different.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.selectable import Select
from sqlmodel import Session

Processor = Callable[[Any], Any] | None


class _Compiled:
    __slots__ = ("defaults", "names", "positional", "processors", "results", "returns_rows", "sql")

    def __init__(self, compiled: SQLCompiler, dialect: Dialect) -> None:
        for name, bind in compiled.binds.items():
            if bind.expanding or bind.callable is not None:
                raise ValueError(f"{name}: a Prepared statement takes plain values only")
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        self.names: tuple[str, ...] = (
            tuple(compiled.positiontup or ()) if self.positional else tuple(compiled.binds)
        )
        self.processors: tuple[tuple[str, Processor], ...] = tuple(
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in self.names
        )
        # Values the statement itself carries (a literal compared with, a LIMIT).
        self.defaults = {
            name: bind.effective_value
            for name, bind in compiled.binds.items()
            if not bind.required and bind.value is not None
        }
        # A SELECT's column types turn the driver's values into ours (set on first fetch, from
        # the cursor's description, as SQLAlchemy does).
        self.results: list[Processor] | None = None
        # Known from the statement, not asked of the cursor: psycopg builds a description
        # object per column each time it is asked (39 for the person's query).
        # A text() statement's rows (the advisory lock's) are never read.
        statement: Any = compiled.statement
        self.returns_rows = bool(statement.is_select or compiled.effective_returning)

    def parameters(self, row: dict[str, Any]) -> Any:
        if self.defaults:
            row = {**self.defaults, **row}
        values = [
            row[name] if process is None else process(row[name])
            for name, process in self.processors
        ]
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))

    def processed(self, statement: Any, dialect: Dialect, cursor: Any) -> list[Any]:
        fetched = cursor.fetchall()
        if not isinstance(statement, Select):
            return list(fetched)
        if self.results is None:
            self.results = [
                column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                for column, described in zip(
                    statement.selected_columns, cursor.description, strict=True
                )
            ]
        processors = self.results
        return [
            tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True))
            for row in fetched
        ]


class Prepared:
    """One Core statement, compiled per (dialect, columns given) on first use."""

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        # Per dialect object, not name: a type's processor may depend on its engine (a sealed
        # column's key ring is bound per engine, storage.sealed).
        self._compiled: weakref.WeakKeyDictionary[Dialect, dict[tuple[str, ...], _Compiled]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def _for(self, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
        known = self._compiled.get(dialect)
        found = known.get(keys) if known is not None else None
        if found is not None:
            return found
        columns = None
        if isinstance(self.statement, Insert):
            # An INSERT names exactly the columns each row carries: no default runs at run time.
            table = self.statement.table
            defaulted = [c.key for c in table.c if c.key not in keys and c.default is not None]
            if defaulted:  # a Python-side default would be left out: refuse, never store NULL
                raise ValueError(f"rows must name {', '.join(defaulted)} (they have defaults)")
            columns = list(keys)
        compiled = self.statement.compile(dialect=dialect, column_keys=columns)
        made = _Compiled(compiled, dialect)
        with self._lock:
            self._compiled.setdefault(dialect, {})[keys] = made
        return made

    def run(self, db: Session | Connection, rows: Sequence[dict[str, Any]]) -> list[Any]:
        """Execute for each row (one ``executemany`` for several); returns the fetched rows of a
        statement that returns any (RETURNING, SELECT) for the last row, else []."""
        if not rows:
            return []
        connection = session_connection(db) if isinstance(db, Session) else db
        dialect = connection.dialect
        compiled = self._for(dialect, tuple(rows[0]))
        parameters = [compiled.parameters(row) for row in rows]
        many = len(parameters) > 1
        driver = connection.connection.driver_connection
        assert driver is not None, "the session's connection is open inside its transaction"
        given = parameters if many else parameters[0]
        cursor = driver.cursor()
        try:
            if connection._has_events or connection.engine._has_events:
                connection.dispatch.before_cursor_execute(
                    connection, cursor, compiled.sql, given, None, many
                )
            if many:
                cursor.executemany(compiled.sql, parameters)
                return []
            cursor.execute(compiled.sql, given)
            if not compiled.returns_rows:
                return []
            return compiled.processed(self.statement, dialect, cursor)
        except Exception as error:
            # As SQLAlchemy's own execution does: wrap the driver's error (IntegrityError,
            # OperationalError…, parameters hidden as the engine says) and, on a lost
            # connection, invalidate it so the pool does not hand it out again.
            connection._handle_dbapi_exception(error, compiled.sql, given, cursor, None)
            raise  # pragma: no cover - the call above always raises
        finally:
            cursor.close()


_CONNECTION = "carevoice.connection"


def session_connection(session: Session) -> Connection:
    """``session.connection()``, remembered until the session's transaction ends: asking the
    session each time went through its transaction bookkeeping, ~6 times per message."""
    connection: Connection | None = session.info.get(_CONNECTION)
    if connection is None or connection.closed or connection.invalidated:
        connection = session.info[_CONNECTION] = session.connection()
    return connection


def _transaction_ended(session: OrmSession, _transaction: Any) -> None:
    session.info.pop(_CONNECTION, None)


event.listen(OrmSession, "after_transaction_end", _transaction_ended)
