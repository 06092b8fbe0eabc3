"""per-person campaigns: contacts' service start date; a campaign's waves and window

Revision ID: 0013_per_person_waves
Revises: 0012_free_text_encrypted
Create Date: 2026-12-01 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013_per_person_waves"
down_revision: str | None = "0012_free_text_encrypted"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waves", storage.types.JSONText(), nullable=True))
        batch_op.add_column(sa.Column("window_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("window_days")
        batch_op.drop_column("waves")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("started_on")
