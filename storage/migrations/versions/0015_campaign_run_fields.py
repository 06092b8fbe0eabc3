"""campaign runs keep their personal link (encrypted) for the one reminder, and a per-person
wave's run the person's keyed pseudonym, so outcomes can tell who was asked a follow-up

Revision ID: 0015_campaign_run_fields
Revises: 0014_campaign_throttles
Create Date: 2026-12-01 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015_campaign_run_fields"
down_revision: str | None = "0014_campaign_throttles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaignrun", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_encrypted", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("person_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_campaignrun_person_key"), ["person_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("campaignrun", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaignrun_person_key"))
        batch_op.drop_column("person_key")
        batch_op.drop_column("link_encrypted")
