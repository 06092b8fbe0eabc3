"""erased people's addresses, as keyed hashes, so a re-import does not bring them back

Revision ID: 0005_erased_address
Revises: 0004_invitation_links
Create Date: 2026-12-01 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0005_erased_address"
down_revision: str | None = "0004_invitation_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasedaddress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("address_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("erased_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasedaddress")),
        sa.UniqueConstraint("channel", "address_hash", name=op.f("uq_erasedaddress_channel")),
    )
    with op.batch_alter_table("erasedaddress", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erasedaddress_address_hash"), ["address_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("erasedaddress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasedaddress_address_hash"))
    op.drop_table("erasedaddress")
