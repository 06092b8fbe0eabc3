"""keyed hashes of handled external message ids, kept after the messages are purged

Revision ID: 0009_handled_ids
Revises: 0008_sessions
Create Date: 2026-12-01 09:50:00

Existing inbound messages get their hash when purge or erasure removes them (the key is not
available to a migration).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0009_handled_ids"
down_revision: str | None = "0008_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handledid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("handled_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handledid")),
        sa.UniqueConstraint("channel", "id_hash", name=op.f("uq_handledid_channel")),
    )
    with op.batch_alter_table("handledid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handledid_handled_at"), ["handled_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("handledid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handledid_handled_at"))
    op.drop_table("handledid")
