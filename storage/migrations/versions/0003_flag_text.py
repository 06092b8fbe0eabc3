"""safeguarding flags keep the words that raised them, and whose they were

Revision ID: 0003_flag_text
Revises: 0002_dashboard
Create Date: 2026-11-29 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_flag_text"
down_revision: str | None = "0002_dashboard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("safeguardingflag", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(
            sa.Column("address_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_safeguardingflag_address_hash"), ["address_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("safeguardingflag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safeguardingflag_address_hash"))
        batch_op.drop_column("address_hash")
        batch_op.drop_column("text")
