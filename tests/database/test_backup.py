"""Backup and restore of the conversation database (bot/backup.py, `make backup`, `make restore`) on
SQLite and PostgreSQL: a backup comes back into a new database, or over the original when forced,
read through the conversation store; what was erased after the backup stays erased, what a patient
wrote after their erasure stays; an older release's backup is upgraded; a PostgreSQL that requires
a password and TLS is reached without the password on a command line; the commands refuse what
they must with the fix, and print counts, never text."""

import subprocess
import time
from pathlib import Path
from typing import Callable, List

import pytest
from alembic import command
from sqlalchemy import inspect, text

from bot import settings
from bot.backup import BackupError, backup, main, restore
from bot.database import EVENTS, TABLES, VERSION_TABLE, alembic_config, database, erasure_log_database
from bot.rasa.retention import ErasureLog, erase
from tests.rasa.stores import (
    DATABASES,
    conversation,
    erasure_log_in,
    new_database_url,
    new_postgresql_database,
    retrieve,
    save,
    senders,
    store_for,
)

DAY = 86400
ERASED = "twilio:+15551230000"


@pytest.fixture(params=DATABASES)
def new_database(request, tmp_path) -> Callable[[], str]:
    """Makes new, empty databases: SQLite files, or databases on the session's PostgreSQL."""
    return lambda: new_database_url(request, tmp_path)


@pytest.fixture
def log(tmp_path):
    return erasure_log_in(tmp_path)


def test_a_restore_brings_the_backup_back_without_what_was_erased_since(new_database, log, tmp_path):
    url, file, now = new_database(), tmp_path / "backup", time.time()
    patients = [conversation(ERASED, now - DAY, "my wound is oozing"), conversation("telegram:42", now - DAY)]
    save(store_for(url), [*patients, conversation("rest:other", now)])
    assert backup(url, file) == f"wrote {file}: 3 conversation(s)"
    erase(database(url), "+15551230000", log)  # the provider's id: on every channel

    fresh = new_database()
    restored = restore(fresh, file, log, retention_days=30)
    assert (restored.conversations, restored.erased.conversations, restored.purged.conversations) == (3, 1, 0)
    assert senders(fresh) == {"telegram:42", "rest:other"}
    assert retrieve(store_for(fresh), "telegram:42").latest_message.text == "can i climb stairs?"
    assert retrieve(store_for(fresh), ERASED) is None

    with pytest.raises(BackupError, match=r"holds 2 conversation\(s\): FORCE=1 replaces them"):
        restore(url, file, log, retention_days=30)
    assert str(restore(url, file, log, retention_days=30, force=True)) == (
        "restored 3 conversation(s); erasures since the backup: removed 1 conversation(s), 3 event(s); "
        "past the retention period: removed 0 conversation(s), 0 event(s)"
    )
    assert senders(url) == {"telegram:42", "rest:other"}


def test_a_patient_who_wrote_again_after_their_erasure_keeps_what_they_wrote(new_database, log, tmp_path):
    url, before, after = new_database(), tmp_path / "before", tmp_path / "after"
    save(store_for(url), [conversation(ERASED, time.time() - DAY)])
    backup(url, before)
    erase(database(url), ERASED, log)
    save(store_for(url), [conversation(ERASED, time.time() + 1, "it's me again")])
    backup(url, after)
    restored_after, restored_before = new_database(), new_database()
    restore(restored_after, after, log, retention_days=30)
    restore(restored_before, before, log, retention_days=30)
    assert retrieve(store_for(restored_after), ERASED).latest_message.text == "it's me again"
    assert senders(restored_before) == set()


def test_a_damaged_backup_changes_nothing(new_database, log, tmp_path):
    url, file, cut = new_database(), tmp_path / "backup", tmp_path / "cut"
    save(store_for(url), [conversation(f"rest:{n}", time.time(), "hello " * 100) for n in range(20)])
    backup(url, file)
    cut.write_bytes(file.read_bytes()[: file.stat().st_size // 2])
    with pytest.raises(BackupError, match="nothing was changed"):
        restore(url, cut, log, retention_days=30, force=True)
    assert len(senders(url)) == 20


def test_an_older_releases_backup_replaces_a_newer_database_and_is_upgraded(new_database, log, tmp_path):
    older, newer, file = new_database(), new_database(), tmp_path / "older"
    with database(older).begin() as connection:
        command.downgrade(alembic_config(connection), "0005")  # before the check-in tables
    save(store_for(older), [conversation("rest:older", time.time())])
    save(store_for(newer), [conversation("rest:newer", time.time())])
    backup(older, file)
    restore(newer, file, log, retention_days=30, force=True)
    assert senders(newer) == {"rest:older"}
    assert set(inspect(database(newer)).get_table_names()) == {*TABLES.tables, EVENTS.name, VERSION_TABLE}


def test_a_newer_releases_backup_is_refused_before_anything_changes(new_database, log, tmp_path):
    newer, url, file = new_database(), new_database(), tmp_path / "newer"
    save(store_for(newer), [conversation("rest:newer", time.time())])
    with database(newer).begin() as connection:
        connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
    backup(newer, file)
    with pytest.raises(
        BackupError, match=r"comes from a newer release \(migration 9999\): restore it with that release"
    ):
        restore(url, file, log, retention_days=30)
    assert senders(url) == set()


def test_the_commands_refuse_what_they_must_say_the_fix_and_print_counts_only(tmp_path, monkeypatch, capsys):
    url, file = f"sqlite:///{tmp_path / 'conversations.db'}", tmp_path / "backup"
    save(store_for(url), [conversation("rest:a", time.time(), "my secret question")])
    environment = {
        "PATH": "/usr/bin:/bin",
        "TRACKER_DATABASE_URL": url,
        "ERASURE_LOG_URL": f"sqlite:///{tmp_path / 'erasures.db'}",
        "ERASURE_LOG_KEY": "test key",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    assert main(["backup", str(file)]) == 0
    assert file.stat().st_mode & 0o777 == 0o600 and not list(tmp_path.glob("*.partial"))
    assert main(["backup", str(file)]) == 2
    assert main(["restore", str(tmp_path / "nothing")]) == 2
    assert main(["restore", str(file), "--force"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"backup: wrote {file}: 1 conversation(s)",
        "restore: restored 1 conversation(s); erasures since the backup: removed 0 conversation(s), 0 event(s); "
        "past the retention period: removed 0 conversation(s), 0 event(s)",
    ]
    assert err.splitlines() == [
        f"backup: {file} exists: give another FILE, or FORCE=1 to replace it",
        f"restore: {tmp_path / 'nothing'} does not exist: give FILE as the path of a backup `make backup` wrote",
    ]

    def make(*arguments: str) -> subprocess.CompletedProcess:
        run = ["make", "-s", *arguments]
        return subprocess.run(run, cwd=settings.PROJECT_ROOT, env=environment, capture_output=True, text=True)

    no_file = [make("backup"), make("restore")]
    assert [result.returncode for result in no_file] == [2, 2]
    assert "make backup FILE=<path>" in no_file[0].stderr and "make restore FILE=<path>" in no_file[1].stderr
    over_data = make("restore", f"FILE={file}")
    assert over_data.returncode == 2
    assert "restore: the database holds 1 conversation(s): FORCE=1 replaces them" in over_data.stderr
    assert "secret" not in out + err + over_data.stdout + over_data.stderr


def test_backup_and_restore_reach_a_postgresql_with_password_and_tls_never_showing_the_password(
    secured_postgres, tmp_path, monkeypatch
):
    commands: List[List[str]] = []

    def recorded(start: Callable) -> Callable:
        def record(command: List[str], *arguments, **options):
            commands.append(command)
            return start(command, *arguments, **options)

        return record

    monkeypatch.setattr(subprocess, "run", recorded(subprocess.run))
    monkeypatch.setattr(subprocess, "Popen", recorded(subprocess.Popen))
    url, file, now = new_postgresql_database(secured_postgres.url), tmp_path / "backup", time.time()
    log = ErasureLog(erasure_log_database(new_postgresql_database(secured_postgres.url)), b"test key")
    save(store_for(url), [conversation(ERASED, now - DAY), conversation("telegram:42", now - DAY)])
    assert backup(url, file) == f"wrote {file}: 2 conversation(s)"
    erase(database(url), ERASED, log)

    fresh = new_postgresql_database(secured_postgres.url)
    assert restore(fresh, file, log, retention_days=30).conversations == 2
    assert senders(fresh) == {"telegram:42"}
    assert {Path(command[0]).name for command in commands} >= {"pg_dump", "pg_restore", "psql"}
    assert not [command for command in commands if secured_postgres.password in " ".join(command)]
