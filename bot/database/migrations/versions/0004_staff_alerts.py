"""Staff alerts: a warning sign a patient reported, for the staff to act on (bot/alerts)."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

INDEXED = ("conversation_id", "state", "at", "updated_at", "page_at")


def upgrade() -> None:
    op.create_table(
        "staff_alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
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
    )
    for column in INDEXED:
        op.create_index(f"ix_staff_alerts_{column}", "staff_alerts", [column])


def downgrade() -> None:
    op.drop_table("staff_alerts")
