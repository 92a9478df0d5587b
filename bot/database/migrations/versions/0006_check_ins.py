"""Scheduled check-ins: enrolments and their messages (bot/check_ins)."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "check_in_enrolments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
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
    )
    for column in ("conversation_id", "ends_at", "stopped_at"):
        op.create_index(f"ix_check_in_enrolments_{column}", "check_in_enrolments", [column])
    op.create_table(
        "check_in_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("enrolment_id", sa.Integer, nullable=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("due_at", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("problem", sa.String(128)),
        sa.Column("claimed_at", sa.Float),
        sa.Column("sent_at", sa.Float),
        sa.Column("answered_at", sa.Float),
    )
    for column in ("enrolment_id", "due_at", "status"):
        op.create_index(f"ix_check_in_messages_{column}", "check_in_messages", [column])


def downgrade() -> None:
    op.drop_table("check_in_messages")
    op.drop_table("check_in_enrolments")
