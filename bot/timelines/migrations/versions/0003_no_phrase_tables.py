"""phrases are the language pipeline's, not the database's: drop their tables

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("procedure_phrases")
    op.drop_table("activity_phrases")


def downgrade() -> None:
    for table, parent in (("procedure_phrases", "procedures"), ("activity_phrases", "activities")):
        column = f"{parent[:-1] if parent == 'procedures' else 'activity'}_id"
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column(column, sa.String(length=64), nullable=False),
            sa.Column("phrase", sa.String(length=300), nullable=False),
            sa.ForeignKeyConstraint(
                [column], [f"{parent}.id"], name=op.f(f"fk_{table}_{column}_{parent}"), ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
