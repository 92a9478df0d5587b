"""The conversation database (TRACKER_DATABASE_URL): Rasa's events table, where the conversations
are, the channels' table of delivery ids (bot/rasa/channels/deliveries.py), the patients' feedback
on answers (the widget's thumbs), the labels staff gave patient messages, and the models the staff
console trained and promoted (bot/rasa/model_registry.py). The console's own tables (accounts,
sessions, audit log) are in bot/console/tables.py."""

from __future__ import annotations

import functools

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import Boolean, Column, Float, Integer, MetaData, String, Table, Text
from sqlalchemy.engine import Engine

from bot import settings
from bot.timelines.database import make_engine

EVENTS = SQLTrackerStore.SQLEvent.__table__
TABLES = MetaData()
DELIVERIES = Table(
    "channel_deliveries",
    TABLES,
    Column("channel", String(32), primary_key=True),
    Column("delivery_id", String(255), primary_key=True),
    Column("received_at", Float, nullable=False, index=True),
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


@functools.lru_cache(maxsize=None)
def database(url: str = "") -> Engine:
    """An engine on the conversation database (TRACKER_DATABASE_URL unless `url` is given), its
    tables created if they do not exist yet."""
    engine = make_engine(url or settings.tracker_database_url())
    EVENTS.metadata.create_all(engine, tables=[EVENTS])
    TABLES.create_all(engine)
    return engine
