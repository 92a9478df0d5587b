"""Handoffs: conversations handed to a person at the clinic (bot/handoffs.py)."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

INDEXED = ("conversation_id", "started_at", "ended_at")


def upgrade() -> None:
    op.create_table(
        "staff_handoffs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("started_by", sa.String(64), nullable=False),
        sa.Column("ended_at", sa.Float),
        sa.Column("ended_by", sa.String(64)),
        sa.Column("callback_number", sa.String(32)),
        sa.Column("callback_consent_at", sa.Float),
    )
    for column in INDEXED:
        op.create_index(f"ix_staff_handoffs_{column}", "staff_handoffs", [column])


def downgrade() -> None:
    op.drop_table("staff_handoffs")
