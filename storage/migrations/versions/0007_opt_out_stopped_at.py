"""opt-outs remember when STOP was said, so START on one channel leaves the others stopped

Revision ID: 0007_opt_out_stopped_at
Revises: 0005_erased_address
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007_opt_out_stopped_at"
down_revision: str | None = "0005_erased_address"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("optout", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stopped_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    # An opt-out in force was said when it last changed; an earlier STOP undone by START is
    # not known, and then nothing is lost: START used to re-enable every channel anyway.
    op.execute("UPDATE optout SET stopped_at = changed_at WHERE active")


def downgrade() -> None:
    with op.batch_alter_table("optout", schema=None) as batch_op:
        batch_op.drop_column("stopped_at")
