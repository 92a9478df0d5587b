"""Both databases the assistant supports, conversations saved through the real conversation store,
and erasure logs, for the database tests."""

import asyncio
import contextlib
import secrets
import sqlite3
from pathlib import Path
from typing import Iterator, Sequence, Set

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import Table, create_engine, select
from sqlalchemy.engine import make_url

from bot.database import EVENTS, database, erasure_log_database
from bot.rasa.conversation_store import ConversationStore
from bot.rasa.retention import ErasureLog

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.servers)]


def database_url(request: pytest.FixtureRequest, directory: Path, *emptied: Table) -> str:
    """For a fixture parametrized with DATABASES: a new SQLite database in `directory`, or the
    session's PostgreSQL with the `emptied` tables emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{directory / 'conversations.db'}"
    url = request.getfixturevalue("postgres").url
    with database(url).begin() as connection:
        for table in emptied:
            connection.execute(table.delete())
    return url


def new_database_url(request: pytest.FixtureRequest, directory: Path) -> str:
    """For a fixture parametrized with DATABASES: a new, empty database, an SQLite file in `directory`
    or a database of its own on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{directory / f'test_{secrets.token_hex(4)}'}.db"
    return new_postgresql_database(request.getfixturevalue("postgres").url)


def new_postgresql_database(url: str) -> str:
    """The URL of a new, empty database on the PostgreSQL server of `url` (its password and TLS
    options kept)."""
    name = f"test_{secrets.token_hex(4)}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    server.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def erasure_log_in(directory: Path) -> ErasureLog:
    """An erasure log of its own in `directory`, with a test key."""
    return ErasureLog(erasure_log_database(f"sqlite:///{directory / 'erasures.db'}"), b"test key")


def store_for(url: str) -> ConversationStore:
    """The store as the Rasa server creates it from endpoints.yml (`url` passed as its host)."""
    return ConversationStore(host=url)


def conversation(sender: str, timestamp: float, text: str = "can i climb stairs?") -> DialogueStateTracker:
    events = [
        ActionExecuted("action_listen", timestamp=timestamp),
        UserUttered(text, {"name": "faq"}, timestamp=timestamp),
        BotUttered("You can usually climb stairs within a few days.", timestamp=timestamp + 1),
    ]
    return DialogueStateTracker.from_events(sender, events)


def save(store: ConversationStore, trackers: Sequence[DialogueStateTracker]) -> None:
    async def save_all() -> None:
        for tracker in trackers:
            await store.save(tracker)

    asyncio.run(save_all())


def retrieve(store: ConversationStore, sender: str):
    return asyncio.run(store.retrieve(sender))


def senders(url: str) -> Set[str]:
    """The conversation ids in the database."""
    with database(url).connect() as connection:
        return set(connection.execute(select(EVENTS.c.sender_id).distinct()).scalars())


@contextlib.contextmanager
def held_by_another_writer(path: Path) -> Iterator[None]:
    """While in the block, another connection holds the SQLite database's write lock: reads go on,
    saves fail (after SQLite's 5 s wait)."""
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        writer.execute("ROLLBACK")
        writer.close()
