"""safeguarding flags record which layer raised them (rules, model, both) and the model's score

Revision ID: 0011_flag_layer
Revises: 0010_campaigns
Create Date: 2026-12-01 09:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011_flag_layer"
down_revision: str | None = "0010_campaigns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("safeguardingflag", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("layer", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
        batch_op.add_column(sa.Column("model_score", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("band", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("safeguardingflag", schema=None) as batch_op:
        batch_op.drop_column("band")
        batch_op.drop_column("model_score")
        batch_op.drop_column("layer")
