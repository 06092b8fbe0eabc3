"""Many rows in one statement, the fastest honest way on each database.

On PostgreSQL psycopg sends an executemany as one INSERT per row (pipelined, but still one
statement each for the server), and a multi-row VALUES list as a statement with thousands of
placeholders that it must parse afresh every time. Here each column travels as one array and
the statement is ``INSERT … SELECT * FROM unnest(…)``: short, the same text whatever the number
of rows (so it is parsed once), one round trip. SQLite runs an executemany in-process, which is
already what it does best. Values go through each column's own type first (JSON as text, UTC
datetimes), exactly as an ordinary insert would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

_UNNEST_LIMIT = 50_000  # rows per statement: arrays of this size stay well under PG's limits


def insert_rows(
    link: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    returning_ids: bool = False,
    skip_conflicts_on: Sequence[str] = (),
) -> list[int]:
    """Insert ``rows`` (all with the same keys); with ``returning_ids`` their new ids in the
    order of ``rows``. ``skip_conflicts_on``: a unique key whose duplicates are left alone."""
    if not rows:
        return []
    if link.dialect.name != "postgresql":
        return _executemany(link, table, rows, returning_ids, skip_conflicts_on)
    ids: list[int] = []
    for start in range(0, len(rows), _UNNEST_LIMIT):
        ids += _unnest(link, table, rows[start : start + _UNNEST_LIMIT], returning_ids,
                       skip_conflicts_on)  # fmt: skip
    return ids


def update_rows(link: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Set each row's values by its ``id`` (all rows with the same keys), in one statement."""
    if not rows:
        return
    names = [name for name in rows[0] if name != "id"]
    if link.dialect.name != "postgresql":
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in names})
        )
        link.execute(statement, [{f"b_{k}": v for k, v in row.items()} for row in rows])
        return
    columns = ["id", *names]
    arrays, casts = _arrays(link, table, rows, columns)
    assignments = ", ".join(f"{name} = v.{name}" for name in names)
    sql = (
        f"UPDATE {_name(link, table)} AS t SET {assignments} "
        f"FROM unnest({casts}) AS v({', '.join(columns)}) WHERE t.id = v.id"
    )
    link.execute(text(sql), arrays)


def _executemany(
    link: Connection, table: Table, rows: Sequence[dict[str, Any]], returning_ids: bool,
    skip_conflicts_on: Sequence[str],
) -> list[int]:  # fmt: skip
    statement: Any = insert(table)
    if skip_conflicts_on:
        statement = sqlite_insert(table).on_conflict_do_nothing(
            index_elements=list(skip_conflicts_on)
        )
    if not returning_ids:
        link.execute(statement, list(rows))
        return []
    returned = link.execute(
        statement.returning(table.c.id, sort_by_parameter_order=True), list(rows)
    )
    return [int(i) for i in returned.scalars()]


def _unnest(
    link: Connection, table: Table, rows: Sequence[dict[str, Any]], returning_ids: bool,
    skip_conflicts_on: Sequence[str],
) -> list[int]:  # fmt: skip
    columns = list(rows[0])
    arrays, casts = _arrays(link, table, rows, columns)
    names = ", ".join(columns)
    # ORDER BY the ordinality: the sequence hands out ids in the order of ``rows``, so the
    # returned ids, sorted, map back to them (what SQLAlchemy's own bulk insert relies on).
    sql = (
        f"INSERT INTO {_name(link, table)} ({names}) "
        f"SELECT {', '.join(f'v.{c}' for c in columns)} "
        f"FROM unnest({casts}) WITH ORDINALITY AS v({names}, n) ORDER BY n"
    )
    if skip_conflicts_on:
        sql += f" ON CONFLICT ({', '.join(skip_conflicts_on)}) DO NOTHING"
    if not returning_ids:
        link.execute(text(sql), arrays)
        return []
    returned = link.execute(text(sql + " RETURNING id"), arrays)
    return sorted(int(i) for i in returned.scalars())


def _arrays(
    link: Connection, table: Table, rows: Sequence[dict[str, Any]], columns: list[str]
) -> tuple[dict[str, list[Any]], str]:
    dialect = link.dialect
    arrays: dict[str, list[Any]] = {}
    casts = []
    for name in columns:
        column = table.c[name]
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        values = [row[name] for row in rows]
        arrays[f"a_{name}"] = [process(v) for v in values] if process else values
        casts.append(f"CAST(:a_{name} AS {column.type.compile(dialect=dialect)}[])")
    return arrays, ", ".join(casts)


def _name(link: Connection, table: Table) -> str:
    return link.dialect.identifier_preparer.format_table(table)
