"""The messaging channels' outbox: every reply is written before it is sent (bot/rasa/channels/outbox.py)."""

import sqlalchemy as sa
from alembic import op

from bot.database.migrations.tables import create_conversation_table

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    create_conversation_table(
        "channel_outbox",
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("escalation", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("problem", sa.String(128)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("claimable_at", sa.Float, nullable=False),
        indexed=("status", "created_at"),
    )


def downgrade() -> None:
    op.drop_table("channel_outbox")
