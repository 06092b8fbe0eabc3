"""campaign runs keep their personal link, encrypted, for the one reminder

Revision ID: 0015_campaign_run_link
Revises: 0014_campaign_throttles
Create Date: 2026-12-01 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_campaign_run_link"
down_revision: str | None = "0014_campaign_throttles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaignrun", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_encrypted", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaignrun", schema=None) as batch_op:
        batch_op.drop_column("link_encrypted")
