"""The recovery timelines are read from data/timelines.yml: their tables go where they shared this database."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

# The timeline migrations' tables (those referring to others first) and their version table.
TIMELINE_TABLES = (
    "activity_windows",
    "milestones",
    "activity_phrases",
    "procedure_phrases",
    "activities",
    "phases",
    "procedures",
    "loaded_data",
    "alembic_version",
)


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "loaded_data" not in existing:  # the timeline migrations never ran on this database
        return
    for table in TIMELINE_TABLES:
        if table in existing:
            op.drop_table(table)


def downgrade() -> None:
    """Nothing to restore: the timeline data is data/timelines.yml, and the tables' code is gone."""
