"""Scheduled check-ins: enrolments and their messages (bot/check_ins)."""

import sqlalchemy as sa
from alembic import op

from bot.database.migrations.tables import create_conversation_table, create_table

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    create_conversation_table(
        "check_in_enrolments",
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("procedure", sa.String(64), nullable=False),
        sa.Column("surgery_date", sa.String(10), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("hour", sa.Integer, nullable=False),
        sa.Column("consent_by", sa.String(64), nullable=False),
        sa.Column("consent_at", sa.Float, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("ends_at", sa.Float, nullable=False),
        sa.Column("stopped_at", sa.Float),
        sa.Column("stop_reason", sa.String(32)),
        indexed=("ends_at", "stopped_at"),
    )
    create_table(
        "check_in_messages",
        sa.Column("enrolment_id", sa.Integer, nullable=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("due_at", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("problem", sa.String(128)),
        sa.Column("claimed_at", sa.Float),
        sa.Column("sent_at", sa.Float),
        sa.Column("answered_at", sa.Float),
        indexed=("enrolment_id", "due_at", "status"),
    )


def downgrade() -> None:
    op.drop_table("check_in_messages")
    op.drop_table("check_in_enrolments")
