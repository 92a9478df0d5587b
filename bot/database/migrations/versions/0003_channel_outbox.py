"""The messaging channels' outbox: every reply is written before it is sent (bot/rasa/channels/outbox.py)."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

INDEXED = ("conversation_id", "status", "created_at")


def upgrade() -> None:
    op.create_table(
        "channel_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("escalation", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("problem", sa.String(128)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("claimable_at", sa.Float, nullable=False),
    )
    for column in INDEXED:
        op.create_index(f"ix_channel_outbox_{column}", "channel_outbox", [column])


def downgrade() -> None:
    op.drop_table("channel_outbox")
