"""The console's own tables in the conversation database: staff accounts, their sessions, failed
logins (for throttling) and the audit log. The tables it shares with the Rasa server (feedback,
labels, models) are in bot/rasa/database.py."""

from __future__ import annotations

import functools

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text
from sqlalchemy.engine import Engine

from bot.rasa.database import database

TABLES = MetaData()
USERS = Table(
    "staff_users",
    TABLES,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),  # Argon2id, with its parameters and salt
    Column("role", String(16), nullable=False),  # reviewer | admin
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


@functools.lru_cache(maxsize=None)
def console_database() -> Engine:
    """The conversation database with the console's tables created."""
    engine = database()
    TABLES.create_all(engine)
    return engine
