"""Staff alerts: a warning sign a patient reported, for the staff to act on (bot/alerts)."""

import sqlalchemy as sa
from alembic import op

from bot.database.migrations.tables import create_conversation_table

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    create_conversation_table(
        "staff_alerts",
        sa.Column("sign", sa.String(64), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("escalations", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("test_traffic", sa.Boolean, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("message_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("acknowledged_by", sa.String(64)),
        sa.Column("acknowledged_at", sa.Float),
        sa.Column("resolved_by", sa.String(64)),
        sa.Column("resolved_at", sa.Float),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("page_at", sa.Float),
        indexed=("state", "at", "updated_at", "page_at"),
    )


def downgrade() -> None:
    op.drop_table("staff_alerts")
