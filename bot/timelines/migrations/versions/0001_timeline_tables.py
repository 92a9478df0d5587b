"""timeline tables

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("covered", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    op.create_table(
        "loaded_data",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_loaded_data")),
    )
    op.create_table(
        "phases",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("from_week", sa.Float(), nullable=False),
        sa.Column("to_week", sa.Float(), nullable=True),
        sa.Column("typical", sa.Text(), nullable=False),
        sa.Column("avoid", sa.Text(), nullable=False),
        sa.Column("start", sa.Text(), nullable=False),
        sa.Column("cites", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phases")),
    )
    op.create_table(
        "procedures",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures")),
    )
    op.create_table(
        "activity_phrases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("phrase", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_phrases_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_phrases")),
    )
    with op.batch_alter_table("activity_phrases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_phrases_activity_id"), ["activity_id"], unique=False)

    op.create_table(
        "activity_windows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("procedure_id", sa.String(length=64), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("from_week", sa.Float(), nullable=False),
        sa.Column("to_week", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=True),
        sa.Column("cites", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_windows_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_activity_windows_procedure_id_procedures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_windows")),
    )
    with op.batch_alter_table("activity_windows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_windows_activity_id"), ["activity_id"], unique=False)

    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("procedure_id", sa.String(length=64), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("from_week", sa.Float(), nullable=True),
        sa.Column("to_week", sa.Float(), nullable=True),
        sa.Column("cites", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedures.id"], name=op.f("fk_milestones_procedure_id_procedures"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
    )
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestones_procedure_id"), ["procedure_id"], unique=False)

    op.create_table(
        "procedure_phrases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("procedure_id", sa.String(length=64), nullable=False),
        sa.Column("phrase", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_procedure_phrases_procedure_id_procedures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_phrases")),
    )
    with op.batch_alter_table("procedure_phrases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedure_phrases_procedure_id"), ["procedure_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("procedure_phrases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedure_phrases_procedure_id"))

    op.drop_table("procedure_phrases")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestones_procedure_id"))

    op.drop_table("milestones")
    with op.batch_alter_table("activity_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_windows_activity_id"))

    op.drop_table("activity_windows")
    with op.batch_alter_table("activity_phrases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_phrases_activity_id"))

    op.drop_table("activity_phrases")
    op.drop_table("procedures")
    op.drop_table("phases")
    op.drop_table("loaded_data")
    op.drop_table("activities")
