"""The conversation database (TRACKER_DATABASE_URL): Rasa's events table, where the conversations
are, and the channels' table of delivery ids (bot/rasa/channels/deliveries.py)."""

from __future__ import annotations

import functools

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import Column, Float, MetaData, String, Table
from sqlalchemy.engine import Engine

from bot import settings
from bot.timelines.database import make_engine

EVENTS = SQLTrackerStore.SQLEvent.__table__
DELIVERIES = Table(
    "channel_deliveries",
    MetaData(),
    Column("channel", String(32), primary_key=True),
    Column("delivery_id", String(255), primary_key=True),
    Column("received_at", Float, nullable=False, index=True),
)


@functools.lru_cache(maxsize=None)
def database(url: str = "") -> Engine:
    """An engine on the conversation database (TRACKER_DATABASE_URL unless `url` is given), its
    tables created if they do not exist yet."""
    engine = make_engine(url or settings.tracker_database_url())
    EVENTS.metadata.create_all(engine, tables=[EVENTS])
    DELIVERIES.metadata.create_all(engine, tables=[DELIVERIES])
    return engine
