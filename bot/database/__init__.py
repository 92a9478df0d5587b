"""The conversation database (TRACKER_DATABASE_URL): its engine, every table the project defines,
and the Alembic migrations (bot/database/migrations) that bring a database to these tables.

The tables: Rasa's events, where the conversations are (Rasa's own table, described here for
queries and made from Rasa's definition if missing; no migration touches it); the channels'
delivery ids (bot/rasa/channels/deliveries.py) and outbox of replies (outbox.py); the patients'
feedback on answers (the widget's thumbs); the labels staff gave patient messages; the models the
staff console trained and promoted (bot/rasa/model_registry.py); the console's accounts,
sessions, failed logins and audit log; the staff alerts of warning signs (bot/alerts), the
handoffs to staff (bot/handoffs.py), and the patients enrolled in scheduled check-ins with their
messages (bot/check_ins). A change to a table here goes with a new file in migrations/versions;
tests/database checks that they agree.

The erasure log (ERASURE_LOG_URL, bot/rasa/retention.py) is a database of its own, so that no
restore of the conversation database (bot/backup.py) replaces it: its table is ERASURES, its
migrations are in migrations/erasure_log.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Optional

from alembic import command
from alembic.config import Config
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import Boolean, Column, Float, Integer, MetaData, String, Table, Text, create_engine, text
from sqlalchemy.engine import Connection, Engine

from bot import settings

EVENTS = SQLTrackerStore.SQLEvent.__table__
TABLES = MetaData()
DELIVERIES = Table(
    "channel_deliveries",
    TABLES,
    Column("channel", String(32), primary_key=True),
    Column("delivery_id", String(255), primary_key=True),
    Column("received_at", Float, nullable=False, index=True),
)
OUTBOX = Table(  # every reply of the messaging channels, before it is sent (bot/rasa/channels/outbox.py)
    "channel_outbox",
    TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("reference", String(16), nullable=False),  # the conversation's pseudonym in logs and the console
    Column("payload", Text, nullable=False),  # JSON {recipient, message}: what the provider is sent
    Column("escalation", Boolean, nullable=False),
    Column("status", String(16), nullable=False, index=True),  # bot/outcomes.py DELIVERY_STATUSES
    Column("problem", String(128)),  # why it was not delivered: the status or error type, no text
    Column("attempts", Integer, nullable=False),
    Column("created_at", Float, nullable=False, index=True),
    Column("updated_at", Float, nullable=False),
    Column("claimable_at", Float, nullable=False),  # from when any server may send it, if pending
)
FEEDBACK = Table(
    "patient_feedback",
    TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("rating", String(8), nullable=False),  # up | down
    Column("reply_text", Text, nullable=False),  # the bot message rated
    Column("at", Float, nullable=False, index=True),
)
LABELS = Table(  # what staff said a patient message should have got (bot/console/labels.py)
    "review_labels",
    TABLES,
    Column("text", Text, primary_key=True),
    Column("kind", String(16), nullable=False),  # faq | timeline | out_of_scope | red_flag | ignore
    Column("intent", String(255)),  # the training intent (faq/<key>, ask_activity...)
    Column("entities", Text),  # JSON {entity: value}
    Column("username", String(255), nullable=False),
    Column("at", Float, nullable=False),
)
MODELS = Table(
    "assistant_models",
    TABLES,
    Column("model_id", String(64), primary_key=True),  # Rasa's model id, in every event's metadata
    Column("path", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("created_by", String(255), nullable=False),
    Column("source", String(32), nullable=False),  # make | console
    Column("report", Text),  # the gate's evaluation (JSON)
    Column("gate_passed", Boolean),
)
PROMOTIONS = Table(
    "model_promotions",
    TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model_id", String(64), nullable=False),
    Column("at", Float, nullable=False),
    Column("username", String(255), nullable=False),
    Column("kind", String(16), nullable=False),  # promote | rollback
    Column("swap_seconds", Float),
)
USERS = Table(
    "staff_users",
    TABLES,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),  # Argon2id, with its parameters and salt
    Column("role", String(16), nullable=False),  # reviewer | nurse | admin
    Column("updated_at", Float, nullable=False),
)
SESSIONS = Table(
    "staff_sessions",
    TABLES,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the cookie's token
    Column("username", String(64), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
)
LOGIN_FAILURES = Table(
    "staff_login_failures",
    TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(255), nullable=False, index=True),  # "user:<name>" or "ip:<address>"
    Column("at", Float, nullable=False),
)
AUDIT = Table(
    "staff_audit_log",
    TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", Text, nullable=False),
)

ALERTS = Table(  # a warning sign a patient reported, for the staff to act on (bot/alerts)
    "staff_alerts",
    TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("sign", String(64), nullable=False),  # the warning sign's category (data/warning_signs.yml)
    Column("urgency", String(16), nullable=False),  # urgent | emergency
    Column("text", Text, nullable=False),  # the patient's message: purged and erased with the conversation
    Column("escalations", Integer, nullable=False),  # escalations in the conversation while it was not resolved
    Column("state", String(16), nullable=False, index=True),  # bot/alerts STATES
    Column("test_traffic", Boolean, nullable=False),  # from the evaluation, the gate, load or fuzz tests: no pages
    Column("at", Float, nullable=False, index=True),
    Column("message_at", Float, nullable=False),  # when the patient sent the (latest) message that escalated
    Column("updated_at", Float, nullable=False, index=True),
    Column("acknowledged_by", String(64)),
    Column("acknowledged_at", Float),
    Column("resolved_by", String(64)),
    Column("resolved_at", Float),
    Column("pages", Integer, nullable=False),  # notifications sent: the next goes to the escalation list's next
    Column("page_at", Float, index=True),  # when the next notification is due; none while nobody is to be paged
)

HANDOFFS = Table(  # a conversation handed to a person at the clinic (bot/handoffs.py)
    "staff_handoffs",
    TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("started_at", Float, nullable=False, index=True),
    Column("started_by", String(64), nullable=False),  # a staff user name, or "patient" (they asked)
    Column("ended_at", Float, index=True),  # none while the staff have the conversation
    Column("ended_by", String(64)),
    Column("callback_number", String(32)),  # a number the patient left to be called back on, with consent
    Column("callback_consent_at", Float),
)

CHECK_IN_ENROLMENTS = Table(  # a patient enrolled in scheduled check-in messages (bot/check_ins)
    "check_in_enrolments",
    TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),  # "twilio:+1555...", as the channel names it
    Column("channel", String(32), nullable=False),  # twilio | twilio_whatsapp
    Column("address", String(64), nullable=False),  # the number messages go to ("+1555...", "whatsapp:+1555...")
    Column("procedure", String(64), nullable=False),  # a procedure of data/timelines.yml
    Column("surgery_date", String(10), nullable=False),  # YYYY-MM-DD
    Column("time_zone", String(64), nullable=False),  # IANA
    Column("hour", Integer, nullable=False),  # the preferred hour, in that time zone
    Column("consent_by", String(64), nullable=False),  # the staff user who recorded the patient's consent
    Column("consent_at", Float, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("ends_at", Float, nullable=False, index=True),  # the last message's due time: kept RETENTION_DAYS after
    Column("stopped_at", Float, index=True),  # none while the messages go on
    Column("stop_reason", String(32)),  # staff | patient | provider_opt_out
)
CHECK_IN_MESSAGES = Table(  # one scheduled check-in: an enrolment's day after surgery
    "check_in_messages",
    TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("enrolment_id", Integer, nullable=False, index=True),
    Column("day", Integer, nullable=False),  # days after surgery
    Column("due_at", Float, nullable=False, index=True),  # UTC: the patient's hour on that day in their time zone
    Column("status", String(16), nullable=False, index=True),  # bot/check_ins STATUSES
    Column("problem", String(128)),  # why it was not sent: skipped, refused (no text)
    Column("claimed_at", Float),  # when a sender claimed it
    Column("sent_at", Float),
    Column("answered_at", Float),  # the patient's first message after it
)

ERASURE_LOG_TABLES = MetaData()
ERASURES = Table(  # one row per conversation id erased: its keyed hash, never the id (bot/rasa/retention.py)
    "conversation_erasures",
    ERASURE_LOG_TABLES,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_hash", String(64), nullable=False, index=True),  # HMAC-SHA256 with ERASURE_LOG_KEY, hex
    Column("erased_at", Float, nullable=False),
)

MIGRATIONS = Path(__file__).parent / "migrations"
ERASURE_LOG_MIGRATIONS = MIGRATIONS / "erasure_log"
# Not alembic_version: that name holds the old timeline migrations' revision where they shared the database.
VERSION_TABLE = "schema_version"
MIGRATION_LOCK = 7_146_001  # PostgreSQL advisory lock key: one process migrates at a time


def ours(name: Optional[str], type_: str, parent_names: Any) -> bool:
    """Whether Alembic compares a schema object: every one but tables not defined in TABLES (Rasa's)."""
    return type_ != "table" or name in TABLES.tables


def make_engine(url: str) -> Engine:
    """An engine whose errors never quote the statements' parameters (patient text); an SQLite
    file's directory is created."""
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)


def _lock(connection: Connection) -> None:
    """Makes processes that start together (the servers, the console, replicas) migrate in turn."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(connection: Connection, versions: Path = MIGRATIONS / "versions") -> Config:
    """Alembic's configuration for running the migrations in `versions` on `connection`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_path_separator", "os")  # a path with spaces is one path
    config.set_main_option("version_locations", str(versions))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Brings the database to the newest migration, and makes Rasa's events table if Rasa has not
    made it yet, so that the console and retention can read a new database."""
    with engine.begin() as connection:
        _lock(connection)
        command.upgrade(alembic_config(connection), "head")
        EVENTS.create(connection, checkfirst=True)


def database(url: str = "") -> Engine:
    """An engine on the conversation database (TRACKER_DATABASE_URL as it is now, unless `url` is
    given), migrated."""
    return _migrated(url or settings.tracker_database_url())


@functools.lru_cache(maxsize=None)
def _migrated(url: str) -> Engine:
    """One engine per database, migrated when first opened."""
    engine = make_engine(url)
    migrate(engine)
    return engine


@functools.lru_cache(maxsize=None)
def erasure_log_database(url: str = "") -> Engine:
    """An engine on the erasure log (ERASURE_LOG_URL unless `url` is given), migrated."""
    engine = make_engine(url or settings.erasure_log_url())
    with engine.begin() as connection:
        _lock(connection)
        command.upgrade(alembic_config(connection, ERASURE_LOG_MIGRATIONS), "head")
    return engine
