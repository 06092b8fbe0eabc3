"""free text encrypted at rest: answers' words, flag text and history, sessions, outcomes, replies

No column changes type: each value is rewritten in place as a Fernet token (ASCII text) under the
newest key of the engine's key ring (storage.sealed). A free-text answer's words move from
``value`` (kept in clear for the structured answers reports count) into the sealed ``raw_text``.

Revision ID: 0012_free_text_encrypted
Revises: 0011_flag_layer
Create Date: 2026-12-01 12:30:00
"""

import json
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from storage.crypto import Vault
from storage.sealed import migration_ring, seal, unseal

revision: str = "0012_free_text_encrypted"
down_revision: str | None = "0011_flag_layer"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every column that holds what a person (or a triager) typed, as this revision found them.
SEALED = (
    ("answer", "raw_text"),
    ("safeguardingflag", "text"),
    ("safeguardingflag", "history"),
    ("conversation", "session"),
    ("inboundmessage", "outcome"),
    ("outbox", "body"),
)
_CHUNK = 500  # rows read and rewritten at a time, so a large table never sits in memory


def upgrade() -> None:
    connection = op.get_bind()
    _move_free_text_words(connection)
    for table, column in SEALED:
        _rewrite(connection, table, column, lambda vault, plain: seal(vault, plain))


def downgrade() -> None:
    connection = op.get_bind()
    for table, column in SEALED:
        _rewrite(connection, table, column, lambda vault, token: unseal(vault, token))
    answer = _table("answer", "raw_text", "value", "question_type", "status")
    rows = connection.execute(
        sa.select(answer.c.id, answer.c.raw_text).where(
            answer.c.question_type == "free_text",
            answer.c.status == "answered",
            answer.c.raw_text.is_not(None),
        )
    ).all()
    for row_id, words in rows:
        connection.execute(
            answer.update().where(answer.c.id == row_id).values(value=json.dumps(words))
        )


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, sa.column("id", sa.Integer), *(sa.column(c, sa.Text) for c in columns))


def _move_free_text_words(connection: sa.Connection) -> None:
    """A free-text answer kept its words in ``value`` too (JSON text): move them to raw_text."""
    answer = _table("answer", "raw_text", "value", "question_type")
    moving = (answer.c.question_type == "free_text", answer.c.value.is_not(None))
    # Each pass empties the value of the rows it moves, so the next finds the rest.
    while rows := connection.execute(
        sa.select(answer.c.id, answer.c.value, answer.c.raw_text)
        .where(*moving)
        .order_by(answer.c.id)
        .limit(_CHUNK)
    ).all():
        for row_id, value, typed in rows:
            words = json.loads(value)
            connection.execute(
                answer.update()
                .where(answer.c.id == row_id)
                .values(value=None, raw_text=words if isinstance(words, str) else typed)
            )


def _rewrite(
    connection: sa.Connection, name: str, column: str, change: Callable[[Vault, str], str]
) -> None:
    table = _table(name, column)
    value = table.c[column]
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, value)
            .where(table.c.id > last, value.is_not(None))
            .order_by(table.c.id)
            .limit(_CHUNK)
        ).all()
        if not rows:
            return
        vault = migration_ring(connection.dialect, "stored free text")
        for row_id, stored in rows:
            connection.execute(
                table.update().where(table.c.id == row_id).values({column: change(vault, stored)})
            )
        last = rows[-1][0]
