"""conversations record the outcome wave they answer and the pseudonym that pairs a person's waves

Revision ID: 0006_outcome_waves
Revises: 0005_erased_address
Create Date: 2026-12-01 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_outcome_waves"
down_revision: str | None = "0005_erased_address"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("wave", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.add_column(
            sa.Column("person_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_conversation_person_key"), ["person_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_person_key"))
        batch_op.drop_column("person_key")
        batch_op.drop_column("wave")
