"""Backup and restore of the conversation database (TRACKER_DATABASE_URL):

    python -m bot.backup backup FILE [--force]    (make backup FILE=<path> [FORCE=1])
    python -m bot.backup restore FILE [--force]   (make restore FILE=<path> [FORCE=1])

SQLite is copied with SQLite's online backup API, so a running server goes on meanwhile;
PostgreSQL with pg_dump's custom format. A backup is written to a partial file first, readable by
its owner only, and never replaces a file unless forced. A restore needs FILE, from this release
or an older one, and force to replace a database holding conversations; it makes the database
exactly the backup in one transaction (PostgreSQL: every table dropped, then pg_restore --clean
--if-exists through psql), so a failure changes nothing. Then it migrates it (an older release's
backup is upgraded), erases again what the erasure log (ERASURE_LOG_URL, a database of its own
that no restore replaces) recorded after the backup, and purges what is past RETENTION_DAYS. Both
print counts, never content; the PostgreSQL programs' messages are not shown, as they may quote
patient data.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from alembic.script import ScriptDirectory
from sqlalchemy import distinct, func, inspect, select
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import OperationalError

from bot import settings
from bot.commands import run_command
from bot.database import EVENTS, VERSION_TABLE, alembic_config, make_engine, migrate
from bot.rasa.retention import ErasureLog, Removed, erasure_log, purge, reapply_erasures
from bot.runtime.postgres import binary

USAGE = "usage: make backup FILE=<path> [FORCE=1] | make restore FILE=<path> [FORCE=1]"
HEADERS = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}  # what each kind of backup starts with
HIDDEN = "its messages are not shown, as they may quote patient data"


class BackupError(ValueError):
    """A backup or restore that cannot be done as asked: the message says why, and the fix."""


@dataclass(frozen=True)
class Restored:
    conversations: int
    erased: Removed  # erasures applied again
    purged: Removed  # past RETENTION_DAYS

    def __str__(self) -> str:
        return (
            f"restored {self.conversations} conversation(s); erasures since the backup: {self.erased}; "
            f"past the retention period: {self.purged}"
        )


def backup(url: str, path: Path, force: bool = False) -> str:
    """Copies the database `url` to `path`."""
    if path.exists() and not force:
        raise BackupError(f"{path} exists: give another FILE, or FORCE=1 to replace it")
    if not path.parent.is_dir():
        raise BackupError(f"there is no folder {path.parent}: create it, or give FILE in another one")
    engine = make_engine(url)
    sqlite_file = Path(_sqlite_file(engine)) if engine.dialect.name == "sqlite" else None
    if sqlite_file and not sqlite_file.is_file():
        raise BackupError(f"there is no database at {sqlite_file}: check TRACKER_DATABASE_URL")
    with _connected(engine) as connection:
        conversations = _conversations(connection)
    engine.dispose()
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".partial")  # mode 0600
    os.close(descriptor)
    try:
        if sqlite_file:
            _sqlite_copy(sqlite_file, name)
        else:
            target, environment = _libpq(engine.url)
            command = [_program("pg_dump"), "--format=custom", f"--file={name}", f"--dbname={target}"]
            status = subprocess.run(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if status.returncode:
                raise BackupError(
                    f"pg_dump could not back up the database (exit status {status.returncode}; {HIDDEN}): check that "
                    "`pg_dump --version` is the server's or newer, and that TRACKER_DATABASE_URL's user may read "
                    "every table"
                )
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)
    return f"wrote {path}: {conversations} conversation(s)"


def restore(url: str, path: Path, log: ErasureLog, retention_days: float, force: bool = False) -> Restored:
    """Replaces the database `url` with the backup `path`, migrates it, erases again what `log`
    recorded since, and purges what is older than `retention_days`."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist: give FILE as the path of a backup `make backup` wrote")
    with path.open("rb") as file:
        start = file.read(16)
    kind = next((kind for kind, header in HEADERS.items() if start.startswith(header)), "")
    if not kind:
        raise BackupError(f"{path} is not a backup `make backup` wrote (neither SQLite nor a pg_dump archive)")
    engine = make_engine(url)
    if kind != engine.dialect.name:
        raise BackupError(f"{path} is a {kind} backup, but TRACKER_DATABASE_URL names a {engine.dialect.name} database")
    revision = _revision(path, kind)
    with _connected(engine) as connection:
        tables = inspect(connection).get_table_names()
        held = _conversations(connection)
        known = {script.revision for script in ScriptDirectory.from_config(alembic_config(connection)).walk_revisions()}
    if revision and revision not in known:
        raise BackupError(f"{path} comes from a newer release (migration {revision}): restore it with that release")
    if held and not force:
        raise BackupError(f"the database holds {held} conversation(s): FORCE=1 replaces them with {path}'s")
    engine.dispose()
    if kind == "sqlite":
        _sqlite_copy(path, _sqlite_file(engine))
    else:
        _postgresql_restore(path, engine.url, [engine.dialect.identifier_preparer.quote(name) for name in tables])
    migrate(engine)
    with engine.connect() as connection:
        conversations = _conversations(connection)
    return Restored(conversations, reapply_erasures(engine, log), purge(engine, retention_days))


@contextlib.contextmanager
def _connected(engine: Engine) -> Iterator[Connection]:
    """A connection, or BackupError naming the database that does not answer."""
    try:
        connection = engine.connect()
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0]
        raise BackupError(f"the database TRACKER_DATABASE_URL names does not answer ({reason}): start it") from None
    with connection:
        yield connection


def _conversations(connection: Connection) -> int:
    if not inspect(connection).has_table(EVENTS.name):
        return 0
    return int(connection.execute(select(func.count(distinct(EVENTS.c.sender_id)))).scalar_one())


def _revision(path: Path, kind: str) -> Optional[str]:
    """The migration the backup's database was at, if it has the version table."""
    if kind == "sqlite":
        try:
            with contextlib.closing(sqlite3.connect(_read_only(path), uri=True)) as reading:
                row = reading.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
        except sqlite3.DatabaseError:  # no version table, or a damaged file: the copy says which
            return None
        return row[0] if row else None
    command = [_program("pg_restore"), "--data-only", f"--table={VERSION_TABLE}", "--file=-", str(path)]
    lines = iter(subprocess.run(command, capture_output=True, text=True).stdout.splitlines())
    for line in lines:
        if line.startswith("COPY "):  # its rows follow, up to "\."
            row = next(lines, "\\.")
            return None if row == "\\." else row
    return None


def _sqlite_file(engine: Engine) -> str:
    if not engine.url.database or engine.url.database == ":memory:":
        raise BackupError("TRACKER_DATABASE_URL names no SQLite file (sqlite:///path/to/conversations.db)")
    return engine.url.database


def _sqlite_copy(source: Path, target: str) -> None:
    """Copies an SQLite database with SQLite's online backup API, opening `source` read-only."""
    try:
        with contextlib.closing(sqlite3.connect(_read_only(source), uri=True)) as reading:
            with contextlib.closing(sqlite3.connect(target)) as writing:
                reading.backup(writing)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"SQLite could not copy {source} ({error}); nothing was changed: is it whole?") from None


def _read_only(path: Path) -> str:
    """An SQLite URI opening `path` read-only (never creating it)."""
    return f"{path.resolve().as_uri()}?mode=ro"


def _program(name: str) -> str:
    try:
        return binary(name)
    except FileNotFoundError as error:
        raise BackupError(str(error)) from None


def _libpq(url: URL) -> Tuple[str, Dict[str, str]]:
    """The URL as the PostgreSQL programs take it, without its password, and their environment with
    the password (so it never shows in the process list)."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    target = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return target.render_as_string(hide_password=False), environment


def _postgresql_restore(path: Path, url: URL, tables: Sequence[str]) -> None:
    """Drops `tables` and applies pg_restore's script of `path` through psql, in one transaction
    that commits only if pg_restore read the whole archive."""
    target, environment = _libpq(url)
    drops = "".join(f"DROP TABLE IF EXISTS {table} CASCADE;\n" for table in tables)
    script = [_program("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file=-", str(path)]
    psql = [_program("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={target}"]
    reading = subprocess.Popen(script, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    applying = subprocess.Popen(
        psql, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment
    )
    assert reading.stdout is not None and applying.stdin is not None
    read = 0
    try:
        with reading.stdout, applying.stdin:
            applying.stdin.write(f"BEGIN;\n{drops}".encode())
            shutil.copyfileobj(reading.stdout, applying.stdin)
            read = reading.wait()
            applying.stdin.write(b"ROLLBACK;\n" if read else b"COMMIT;\n")
    except BrokenPipeError:  # psql stopped at an error, rolling back
        reading.kill()
    reading.wait()
    applied = applying.wait()
    if read:
        raise BackupError(
            f"pg_restore could not read {path} (exit status {read}); nothing was changed: is it a whole backup "
            "`make backup` wrote? (`pg_restore --list FILE` shows what it holds)"
        )
    if applied:
        raise BackupError(
            f"psql could not apply {path} (exit status {applied}; {HIDDEN}); nothing was changed: check that "
            "`pg_restore --version` is the server's or newer, and that TRACKER_DATABASE_URL's user may create tables"
        )


def main(argv: List[str]) -> int:
    arguments = [argument for argument in argv if argument != "--force"]
    if len(arguments) != 2 or arguments[0] not in ("backup", "restore") or not arguments[1].strip():
        print(USAGE, file=sys.stderr)
        return 2
    command, path = arguments[0], Path(arguments[1])
    force = "--force" in argv

    def run() -> object:
        url = settings.tracker_database_url()
        if command == "backup":
            return backup(url, path, force)
        return restore(url, path, erasure_log(), settings.retention_days(), force)

    return run_command(command, run, ValueError)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
