"""The tables as create_all made them before there were migrations: each one the database lacks."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

BEFORE = sa.MetaData()
sa.Table(
    "channel_deliveries",
    BEFORE,
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("delivery_id", sa.String(255), primary_key=True),
    sa.Column("received_at", sa.Float, nullable=False, index=True),
)
sa.Table(
    "patient_feedback",
    BEFORE,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("rating", sa.String(8), nullable=False),  # up | down
    sa.Column("reply_text", sa.Text, nullable=False),  # the bot message rated
    sa.Column("at", sa.Float, nullable=False, index=True),
)
sa.Table(
    "review_labels",
    BEFORE,
    sa.Column("text", sa.Text, primary_key=True),
    sa.Column(
        "kind", sa.String(16), nullable=False
    ),  # promote | rollback  # faq | timeline | out_of_scope | red_flag | ignore
    sa.Column("intent", sa.String(255)),  # the training intent (faq/<key>, ask_activity...)
    sa.Column("entities", sa.Text),  # JSON {entity: value}
    sa.Column("username", sa.String(255), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)
sa.Table(
    "assistant_models",
    BEFORE,
    sa.Column("model_id", sa.String(64), primary_key=True),  # Rasa's model id, in every event's metadata
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("source", sa.String(32), nullable=False),  # make | console
    sa.Column("report", sa.Text),  # the gate's evaluation (JSON)
    sa.Column("gate_passed", sa.Boolean),
)
sa.Table(
    "model_promotions",
    BEFORE,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("model_id", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("username", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("swap_seconds", sa.Float),
)
sa.Table(
    "staff_users",
    BEFORE,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),  # Argon2id, with its parameters and salt
    sa.Column("role", sa.String(16), nullable=False),  # reviewer | admin
    sa.Column("updated_at", sa.Float, nullable=False),
)
sa.Table(
    "staff_sessions",
    BEFORE,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # SHA-256 of the cookie's token
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
sa.Table(
    "staff_login_failures",
    BEFORE,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(255), nullable=False, index=True),  # "user:<name>" or "ip:<address>"
    sa.Column("at", sa.Float, nullable=False),
)
sa.Table(
    "staff_audit_log",
    BEFORE,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.Text, nullable=False),
)


def upgrade() -> None:
    BEFORE.create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    BEFORE.drop_all(op.get_bind())
