"""dashboard: organisers' flows on users, failed sign-ins for rate limiting

Revision ID: 0002_dashboard
Revises: 0001
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0002_dashboard"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flow_ids", storage.types.JSONText(), nullable=True))
    op.create_table(
        "signinattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("email_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("client_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signinattempt")),
    )
    with op.batch_alter_table("signinattempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signinattempt_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_signinattempt_email_key"), ["email_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_signinattempt_client_key"), ["client_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("signinattempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signinattempt_client_key"))
        batch_op.drop_index(batch_op.f("ix_signinattempt_email_key"))
        batch_op.drop_index(batch_op.f("ix_signinattempt_at"))
    op.drop_table("signinattempt")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("flow_ids")
