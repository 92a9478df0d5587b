"""The shapes the migrations' new tables share. Migrations that ran must keep their meaning: add a
new shape here, never change one in use."""

from typing import Sequence

import sqlalchemy as sa
from alembic import op


def create_table(name: str, *columns: sa.Column, indexed: Sequence[str]) -> None:
    """Creates a table with an integer `id` key before `columns`, and an index on each of `indexed`."""
    op.create_table(name, sa.Column("id", sa.Integer, primary_key=True, autoincrement=True), *columns)
    for column in indexed:
        op.create_index(f"ix_{name}_{column}", name, [column])


def create_conversation_table(name: str, *columns: sa.Column, indexed: Sequence[str]) -> None:
    """A table of records about a conversation: `id`, `conversation_id` (indexed) and `channel`
    before `columns`, and an index on each of `indexed`."""
    create_table(
        name,
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        *columns,
        indexed=("conversation_id", *indexed),
    )
