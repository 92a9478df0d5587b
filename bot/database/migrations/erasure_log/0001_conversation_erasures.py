"""The erasure log's own database: each erased conversation id as a keyed hash, with the time."""

import sqlalchemy as sa
from alembic import op

from bot.database.migrations.tables import create_table

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_table(
        "conversation_erasures",
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        sa.Column("erased_at", sa.Float, nullable=False),
        indexed=("conversation_hash",),
    )


def downgrade() -> None:
    op.drop_table("conversation_erasures")
