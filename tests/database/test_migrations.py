"""The conversation database's migrations (bot/database): a new database gets every table, one the
code before migrations made is brought to the newest without losing a row, and the newest
migration agrees with the tables bot/database defines; so does the erasure log's."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Collection, Dict, Optional

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, insert, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot import settings
from bot.database import (
    ERASURE_LOG_TABLES,
    EVENTS,
    LABELS,
    TABLES,
    VERSION_TABLE,
    alembic_config,
    database,
    erasure_log_database,
    make_engine,
    migrate,
)
from tests.rasa.stores import DATABASES, new_database_url

BEFORE_MIGRATIONS = Path(__file__).parent / "before_migrations.sqlite.sql"
CONSOLE_TABLES = ("staff_users", "staff_sessions", "staff_login_failures", "staff_audit_log")
# Those of the timeline migrations, gone with them (0002).
TIMELINE_TABLES = (
    "procedures",
    "milestones",
    "phases",
    "activities",
    "activity_windows",
    "loaded_data",
    "alembic_version",
)
EVERY_TABLE = {*TABLES.tables, EVENTS.name, VERSION_TABLE}


@pytest.fixture(params=DATABASES)
def url(request, tmp_path):
    """A new, empty database."""
    return new_database_url(request, tmp_path)


def differences(engine: Engine, tables: MetaData = TABLES) -> list:
    """What the database's schema lacks or has too, against the tables bot/database defines."""

    def compared(name: Optional[str], type_: str, parent_names: Any) -> bool:
        return type_ != "table" or name in tables.tables

    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection, opts={"include_name": compared}), tables)


def rows(engine: Engine) -> Dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in inspect(connection).get_table_names()
        }


def before_migrations(url: str, leaving_out: Collection[str] = ()) -> Engine:
    """A database as the code before migrations left it (before_migrations.sqlite.sql), without the
    tables `leaving_out` (never made where their code never ran)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in BEFORE_MIGRATIONS.read_text().splitlines():
            table = re.search(r"(?:TABLE|ON|INTO) (\w+)", statement)
            if table and table.group(1) not in leaving_out:
                connection.exec_driver_sql(statement)
    return engine


def test_a_new_database_gets_every_table(url):
    engine = database(url)
    assert set(inspect(engine).get_table_names()) == EVERY_TABLE
    assert differences(engine) == []


def test_the_erasure_log_gets_its_own_table(url):
    engine = erasure_log_database(url)
    assert set(inspect(engine).get_table_names()) == {*ERASURE_LOG_TABLES.tables, VERSION_TABLE}
    assert differences(engine, ERASURE_LOG_TABLES) == []


@pytest.mark.parametrize(
    "leaving_out",
    [(), CONSOLE_TABLES, TIMELINE_TABLES],
    ids=["timelines in the same database", "the console never ran", "timelines in their own database"],
)
def test_the_database_before_migrations_is_upgraded_without_losing_a_row(tmp_path, leaving_out):
    engine = before_migrations(f"sqlite:///{tmp_path / 'before.db'}", leaving_out)
    before = rows(engine)
    assert VERSION_TABLE not in before and before["events"] == 3
    migrate(engine)
    after = rows(engine)
    assert after.items() >= {name: count for name, count in before.items() if name in after}.items()
    assert set(after) == EVERY_TABLE and after[VERSION_TABLE] == 1
    assert differences(engine) == []


def test_the_migrations_can_be_undone(url):
    engine = database(url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(inspect(engine).get_table_names()) == {EVENTS.name, VERSION_TABLE}
    migrate(engine)
    assert differences(engine) == []


def test_migrating_again_changes_nothing(url):
    engine = database(url)
    with engine.begin() as connection:
        connection.execute(insert(LABELS).values(text="hi", kind="ignore", username="reviewer", at=0))
    migrate(engine)
    assert rows(engine)[LABELS.name] == 1 and differences(engine) == []


MIGRATE_WHEN_TOLD = """
import sys, time
from pathlib import Path
from bot.database import database
while not Path(sys.argv[1]).exists():
    time.sleep(0.01)
database(sys.argv[2])
"""


def test_processes_starting_together_migrate_one_at_a_time(tmp_path):
    url, go = f"sqlite:///{tmp_path / 'conversations.db'}", tmp_path / "go"
    command = [sys.executable, "-c", MIGRATE_WHEN_TOLD, str(go), url]
    starting = [subprocess.Popen(command, cwd=settings.PROJECT_ROOT, stderr=subprocess.PIPE) for _ in range(4)]
    go.touch()
    errors = [process.communicate(timeout=120)[1].decode() for process in starting]
    assert [process.returncode for process in starting] == [0] * 4, errors
    assert rows(make_engine(url))[VERSION_TABLE] == 1


def test_errors_never_quote_the_data(tmp_path):
    engine = database(f"sqlite:///{tmp_path / 'conversations.db'}")
    label = {"text": "my wound is oozing", "kind": "ignore", "username": "reviewer", "at": 0}
    with engine.begin() as connection:
        connection.execute(insert(LABELS).values(**label))
    with pytest.raises(IntegrityError) as raised, engine.begin() as connection:
        connection.execute(insert(LABELS).values(**label))
    assert "oozing" not in str(raised.value)
