"""campaigns: schedules, planned periods and each person's run; contacts' preferred channel

Revision ID: 0010_campaigns
Revises: 0009_handled_ids
Create Date: 2026-12-01 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0010_campaigns"
down_revision: str | None = "0009_handled_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "preferred_channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True
            )
        )
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("flow_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("provider_ids", storage.types.JSONText(), nullable=True),
        sa.Column("schedule", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("remind_after_days", sa.Integer(), nullable=True),
        sa.Column("expire_after_days", sa.Integer(), nullable=True),
        sa.Column("starts_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
        sa.UniqueConstraint("name", name=op.f("uq_campaign_name")),
    )
    op.create_table(
        "campaignperiod",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("due_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("planned_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_campaignperiod_campaign_id_campaign")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaignperiod")),
        sa.UniqueConstraint("campaign_id", "period", name=op.f("uq_campaignperiod_campaign_id")),
    )
    with op.batch_alter_table("campaignperiod", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaignperiod_campaign_id"), ["campaign_id"], unique=False
        )
    op.create_table(
        "campaignrun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("route", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("planned_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("invited_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_campaignrun_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_campaignrun_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_campaignrun_conversation_id_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitation.id"],
            name=op.f("fk_campaignrun_invitation_id_invitation"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"], name=op.f("fk_campaignrun_provider_id_provider")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaignrun")),
        sa.UniqueConstraint(
            "campaign_id", "contact_id", "period", name=op.f("uq_campaignrun_campaign_id")
        ),
    )
    with op.batch_alter_table("campaignrun", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaignrun_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_campaignrun_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_campaignrun_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("campaignrun", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaignrun_status"))
        batch_op.drop_index(batch_op.f("ix_campaignrun_contact_id"))
        batch_op.drop_index(batch_op.f("ix_campaignrun_campaign_id"))
    op.drop_table("campaignrun")
    with op.batch_alter_table("campaignperiod", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaignperiod_campaign_id"))
    op.drop_table("campaignperiod")
    op.drop_table("campaign")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("preferred_channel")
