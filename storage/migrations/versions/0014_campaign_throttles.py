"""campaign throttles: invitations an hour per channel, and each period's pace

Revision ID: 0014_campaign_throttles
Revises: 0013_per_person_waves
Create Date: 2026-12-01 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0014_campaign_throttles"
down_revision: str | None = "0013_per_person_waves"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("throttles", storage.types.JSONText(), nullable=True))
    with op.batch_alter_table("campaignperiod", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paced", storage.types.JSONText(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaignperiod", schema=None) as batch_op:
        batch_op.drop_column("paced")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("throttles")
