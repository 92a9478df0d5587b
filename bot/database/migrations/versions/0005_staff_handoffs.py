"""Handoffs: conversations handed to a person at the clinic (bot/handoffs.py)."""

import sqlalchemy as sa
from alembic import op

from bot.database.migrations.tables import create_conversation_table

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    create_conversation_table(
        "staff_handoffs",
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("started_by", sa.String(64), nullable=False),
        sa.Column("ended_at", sa.Float),
        sa.Column("ended_by", sa.String(64)),
        sa.Column("callback_number", sa.String(32)),
        sa.Column("callback_consent_at", sa.Float),
        indexed=("started_at", "ended_at"),
    )


def downgrade() -> None:
    op.drop_table("staff_handoffs")
