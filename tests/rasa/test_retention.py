"""Retention and erasure on both databases the assistant supports (SQLite and PostgreSQL),
through `make purge` / `make erase` and the functions the server's hourly purge runs."""

import subprocess
import time

import pytest
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, select, update

from bot import check_ins, settings
from bot.check_ins import Request, Schedule
from bot.database import CHECK_IN_ENROLMENTS, CHECK_IN_MESSAGES, ERASURES, EVENTS, OUTBOX, database
from bot.rasa.channels import outbox
from bot.rasa.retention import ErasureLog, erase, purge, reapply_erasures
from bot.timelines.data import timeline_data
from tests.rasa.stores import (
    DATABASES,
    conversation,
    database_url,
    erasure_log_in,
    retrieve,
    save,
    senders,
    store_for,
)

DAY = 86400


@pytest.fixture(params=DATABASES)
def url(request, tmp_path):
    return database_url(request, tmp_path, EVENTS, OUTBOX, CHECK_IN_MESSAGES, CHECK_IN_ENROLMENTS)


@pytest.fixture
def log(tmp_path):
    return erasure_log_in(tmp_path)


def test_purge_removes_only_conversations_idle_for_longer(url):
    now = time.time()
    save(store_for(url), [conversation("rest:old", now - 40 * DAY), conversation("rest:recent", now - 2 * DAY)])
    removed = purge(database(url), 30, now=now)
    assert (removed.conversations, removed.events) == (1, 3)
    assert senders(url) == {"rest:recent"}
    assert retrieve(store_for(url), "rest:old") is None


def test_a_conversation_is_kept_while_it_goes_on(url):
    now = time.time()
    events = [*conversation("rest:ongoing", now - 40 * DAY).events, *conversation("rest:ongoing", now - DAY).events]
    save(store_for(url), [DialogueStateTracker.from_events("rest:ongoing", events)])
    assert purge(database(url), 30, now=now).conversations == 0


def test_erase_removes_one_patient_everywhere(url, log):
    now = time.time()
    save(
        store_for(url),
        [conversation("twilio:+15551230000", now), conversation("telegram:42", now), conversation("rest:other", now)],
    )
    assert str(erase(database(url), "twilio:+15551230000", log)) == "removed 1 conversation(s), 3 event(s)"
    assert senders(url) == {"telegram:42", "rest:other"}
    assert erase(database(url), "42", log).conversations == 1  # the provider's id, on every channel
    assert senders(url) == {"rest:other"}
    assert erase(database(url), "nobody", log).conversations == 0


def test_every_erasure_is_logged_as_keyed_hashes_of_its_ids_never_the_ids(tmp_path, log):
    before = time.time()
    empty = database(f"sqlite:///{tmp_path / 'conversations.db'}")
    erase(empty, "+15551230000", log)  # logged although not found here: a backup may hold it
    with log.engine.connect() as connection:
        rows = connection.execute(select(ERASURES)).all()
    assert {row.conversation_hash for row in rows} >= {log.digest("+15551230000"), log.digest("twilio:+15551230000")}
    assert all(row.erased_at >= before and "1555" not in row.conversation_hash for row in rows)
    assert ErasureLog(log.engine, b"another key").digest("+15551230000") != log.digest("+15551230000")


def test_an_erasure_is_applied_again_to_what_is_older_than_it_never_to_what_the_patient_wrote_since(url, log):
    now = time.time()
    restored = [conversation("twilio:+15551230000", now - 2 * DAY), conversation("rest:other", now - 2 * DAY)]
    save(store_for(url), [*restored, conversation("telegram:7", now)])
    log.record({"twilio:+15551230000", "telegram:7"}, now - DAY)
    assert str(reapply_erasures(database(url), log)) == "removed 1 conversation(s), 3 event(s)"
    assert senders(url) == {"rest:other", "telegram:7"}


def replied(url: str, conversation_id: str, at: float) -> None:
    """A reply of the conversation in the channels' outbox, written at `at`."""
    engine, channel = database(url), conversation_id.split(":")[0]
    replies = outbox.turn(conversation_id, conversation_id.split(":")[1], [{"text": "Please call your surgeon."}])
    [reply] = outbox.record(engine, channel, conversation_id, replies)
    with engine.begin() as connection:
        connection.execute(update(OUTBOX).where(OUTBOX.c.id == reply.id).values(created_at=at))


def outbox_conversations(url: str):
    with database(url).connect() as connection:
        return set(connection.execute(select(OUTBOX.c.conversation_id)).scalars())


def test_the_outbox_replies_go_with_their_conversation_and_after_the_retention_period(url, log):
    now = time.time()
    save(store_for(url), [conversation("twilio:+15551230000", now), conversation("telegram:7", now - 40 * DAY)])
    replied(url, "twilio:+15551230000", now)
    replied(url, "telegram:7", now - 40 * DAY)
    replied(url, "slack:D1", now - 40 * DAY)  # its conversation already gone
    assert purge(database(url), 30, now=now).replies == 2
    assert outbox_conversations(url) == {"twilio:+15551230000"}
    erased = erase(database(url), "+15551230000", log)
    assert str(erased) == "removed 1 conversation(s), 3 event(s), 1 outbox reply(ies)"
    assert outbox_conversations(url) == set()


def test_purge_rejects_a_negative_period():
    with pytest.raises(ValueError, match="0 or more days"):
        purge(database("sqlite://"), -1)


def make(target: str, url: str, **variables: str) -> subprocess.CompletedProcess:
    arguments = [f"{name}={value}" for name, value in variables.items()]
    return subprocess.run(
        ["make", "-s", target, *arguments],
        cwd=settings.PROJECT_ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "TRACKER_DATABASE_URL": url,
            "ERASURE_LOG_URL": "sqlite://",
            "ERASURE_LOG_KEY": "test key",
        },
        capture_output=True,
        text=True,
    )


def test_make_purge_and_erase_report_counts_never_text(url):
    now = time.time()
    save(store_for(url), [conversation("rest:a", now - 90 * DAY, "my secret question"), conversation("rest:b", now)])
    purged = make("purge", url, DAYS="30")
    assert purged.returncode == 0 and purged.stdout.strip() == "purge: removed 1 conversation(s), 3 event(s)"
    erased = make("erase", url, SENDER="rest:b")
    assert erased.returncode == 0 and erased.stdout.strip() == "erase: removed 1 conversation(s), 3 event(s)"
    assert "secret" not in purged.stdout + purged.stderr + erased.stdout + erased.stderr
    with database(url).connect() as connection:
        assert connection.execute(select(func.count()).select_from(EVENTS)).scalar() == 0


@pytest.mark.parametrize(
    "target, variables, explanation",
    [
        ("purge", {}, "make purge DAYS=30"),
        ("purge", {"DAYS": "soon"}, "a number of days"),
        ("purge", {"DAYS": "-3"}, "0 or more days"),
        ("erase", {}, "make erase SENDER="),
    ],
)
def test_make_purge_and_erase_explain_a_missing_or_bad_argument(target, variables, explanation):
    result = make(target, "sqlite://", **variables)
    assert result.returncode == 2 and explanation in result.stderr


def enrolled(url: str, address: str, now: float) -> int:
    """A patient enrolled in check-ins (bot/check_ins), surgery yesterday: messages for 84 days."""
    request = Request("twilio", address, "fusion", time.strftime("%Y-%m-%d", time.gmtime(now - DAY)), "UTC", 17, True)
    schedule = Schedule(days=(1, 3, 7, 14, 28, 42, 84), quiet_hours=(21, 8), late_hours=4)
    return check_ins.enrol(database(url), request, timeline_data(), schedule, "nora", now=now)


def test_an_enrolled_patients_conversation_is_kept_while_their_check_ins_run_and_erased_with_them(url, log):
    now = time.time()
    enrolled(url, "+15551230000", now - 40 * DAY)
    save(store_for(url), [conversation("twilio:+15551230000", now - 40 * DAY)])
    assert purge(database(url), 30, now=now).conversations == 0  # idle 40 days, but check-ins still run
    assert len(check_ins.listing(database(url))) == 1
    check_ins.stop(database(url), check_ins.listing(database(url))[0]["id"], "staff", "nora", now=now - 31 * DAY)
    assert purge(database(url), 30, now=now).conversations == 1  # stopped more than 30 days ago
    assert check_ins.listing(database(url)) == []
    enrolled(url, "+15551230001", now)
    save(store_for(url), [conversation("twilio:+15551230001", now)])
    erase(database(url), "+15551230001", log)
    assert check_ins.listing(database(url)) == []
    with database(url).connect() as connection:
        assert connection.execute(select(func.count()).select_from(CHECK_IN_MESSAGES)).scalar() == 0
