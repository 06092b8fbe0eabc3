"""Statements run on the driver's cursor store and read exactly what SQLAlchemy's own execution
would, on both databases, and fail as it would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, bindparam, event, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.db import transaction
from storage.models import InboundMessage, OptOut
from storage.prepared import Prepared

AT = datetime(2026, 3, 29, 0, 30, 15, 123456, tzinfo=UTC)  # the night the clocks change
INBOUND = InboundMessage.__table__  # type: ignore[attr-defined]
INSERT = Prepared(insert(INBOUND))
ROW = {
    "channel": "sms", "external_id": "SM1", "address_hash": "a" * 64, "conversation_id": None,
    "received_at": AT, "outcome": {"replies": ["Hello — 5 é"], "n": 1},
}  # fmt: skip


def test_a_row_written_here_reads_back_through_the_orm_as_written(db_engine: Engine) -> None:
    with transaction(db_engine) as db:
        INSERT.run(db, [ROW])
    with Session(db_engine) as db:
        stored = db.exec(select(InboundMessage)).scalars().one()  # type: ignore[call-overload]
        assert stored.received_at == AT
        assert stored.outcome == ROW["outcome"]
        raw = db.connection().execute(text("SELECT outcome FROM inboundmessage")).scalar_one()
    assert "Hello" not in raw  # the sealed column was encrypted by its own type


def test_several_rows_go_in_one_executemany_and_count_as_one_statement(
    db_engine: Engine,
) -> None:
    seen: list[str] = []
    listener = lambda *args, **_: seen.append(args[2])  # noqa: E731
    event.listen(db_engine, "before_cursor_execute", listener)
    rows = [{**ROW, "external_id": f"SM{n}"} for n in range(3)]
    with transaction(db_engine) as db:
        INSERT.run(db, rows)
    event.remove(db_engine, "before_cursor_execute", listener)
    assert sum("INSERT INTO inboundmessage" in s for s in seen) == 1
    with Session(db_engine) as db:
        assert len(db.exec(select(InboundMessage)).all()) == 3  # type: ignore[call-overload]


def test_a_select_gives_values_as_the_column_types_read_them(db_engine: Engine) -> None:
    with transaction(db_engine) as db:
        INSERT.run(db, [ROW])
    query = Prepared(
        select(INBOUND.c.received_at, INBOUND.c.outcome).where(
            INBOUND.c.external_id == bindparam("wanted")
        )
    )
    with transaction(db_engine) as db:
        assert query.run(db, [{"wanted": "SM1"}]) == [(AT, ROW["outcome"])]
        assert query.run(db, [{"wanted": "none"}]) == []


def test_a_duplicate_raises_sqlalchemys_integrity_error_and_rolls_back(db_engine: Engine) -> None:
    with transaction(db_engine) as db:
        INSERT.run(db, [ROW])

    def new_then_repeated() -> None:
        with transaction(db_engine) as db:
            INSERT.run(db, [{**ROW, "external_id": "SM2"}])
            INSERT.run(db, [ROW])

    with pytest.raises(IntegrityError):
        new_then_repeated()
    with Session(db_engine) as db:  # the whole second transaction is gone
        assert len(db.exec(select(InboundMessage)).all()) == 1  # type: ignore[call-overload]


def test_statements_that_would_need_sqlalchemy_at_run_time_are_refused(
    db_engine: Engine,
) -> None:
    expanding = Prepared(
        select(INBOUND.c.id).where(INBOUND.c.external_id.in_(bindparam("ids", expanding=True)))
    )
    table = OptOut.__table__  # type: ignore[attr-defined]
    defaulted = [c.key for c in table.c if c.default is not None]
    assert defaulted, "OptOut has a column with a Python-side default to leave out"
    with transaction(db_engine) as db:
        with pytest.raises(ValueError, match="plain values only"):
            expanding.run(db, [{"ids": ["SM1"]}])
        row = {c.key: None for c in table.c if c.key not in {"id", *defaulted}}
        with pytest.raises(ValueError, match="they have defaults"):
            Prepared(insert(table)).run(db, [row])
