"""The Rasa server started from an endpoints file, as on several hosts: conversations in a
PostgreSQL that requires a password and TLS (its certificate verified), locks in a Redis that
requires a password, the action server at an address other than the default, events streamed
to the file's event broker; the console reads the same database. Wrong passwords are named in
the log as the database's and Redis's refusals, never with the passwords."""

import contextlib
import re
from pathlib import Path
from typing import Dict, Iterator
from urllib.parse import quote

import redis
from sqlalchemy import create_engine, text

from bot import settings
from bot.runtime.client import conversation_id, poll_until
from bot.runtime.postgres import Cluster
from bot.runtime.redis import Redis
from bot.runtime.services import (
    Services,
    isolated_environment,
    isolated_settings,
    start_services,
    stop_services,
    wait_until_ready,
)
from tests.console.staff import Staff
from tests.rasa.stores import retrieve, senders, store_for
from tests.test_server_persistence import STAGE_QUESTION

ACTION_HOST = "127.0.0.2"  # on loopback, but not where the default ACTION_SERVER_URL looks


@contextlib.contextmanager
def started(directory: Path, env: Dict[str, str], processes=("actions", "rasa")) -> Iterator[Services]:
    """The processes with the action server listening on ACTION_HOST, where only ACTION_SERVER_URL
    sends the Rasa server (stopped afterwards)."""
    server = isolated_settings()
    action_url = f"http://{ACTION_HOST}:{server.action_port}"
    env = {
        **isolated_environment(directory),
        "ACTION_BIND_ADDRESS": ACTION_HOST,
        "ACTION_SERVER_URL": f"{action_url}/webhook",
        **env,
    }
    services = start_services(server, directory, env, processes)
    services.action_url = action_url
    try:
        yield services
    finally:
        stop_services(services)


def with_event_broker(directory: Path) -> Path:
    """The shipped endpoints.yml with an SQL event broker (an SQLite file in `directory`)."""
    path = directory / "endpoints.yml"
    broker = f"event_broker:\n  type: sql\n  url: sqlite:///{directory / 'events.db'}\n"
    path.write_text((settings.PROJECT_ROOT / "endpoints.yml").read_text() + broker)
    return path


def test_a_server_from_endpoints_yml_answers_with_secured_stores_and_a_remote_action_server(
    secured_postgres: Cluster, secured_redis: Redis, tmp_path: Path, sender: str
):
    locks = redis.Redis.from_url(secured_redis.url)
    commands_before = locks.info("stats")["total_commands_processed"]
    env = {
        "TRACKER_DATABASE_URL": secured_postgres.url,
        "LOCK_STORE_URL": secured_redis.url,
        "ENDPOINTS_FILE": str(with_event_broker(tmp_path)),
    }
    conversation = conversation_id(sender)
    with started(tmp_path, env, ("actions", "rasa", "console")) as services:
        wait_until_ready(services)
        client = services.client()
        client.send(sender, "i had a microdiscectomy 3 weeks ago")
        reply = client.ask(sender, STAGE_QUESTION)[0]  # a custom action's answer
        transcript = Staff(services).get(f"/api/conversations/{quote(conversation, safe='')}")
        logs = services.logs()

    assert reply.utter_action == "utter_timeline_stage"
    assert len(transcript["turns"]) >= 2  # the console reads the same database
    assert conversation in senders(secured_postgres.url)
    assert retrieve(store_for(secured_postgres.url), conversation).latest_message.text == STAGE_QUESTION
    assert locks.info("stats")["total_commands_processed"] > commands_before  # the replies took their locks there
    with create_engine(f"sqlite:///{tmp_path / 'events.db'}").connect() as events:
        streamed = events.execute(text("SELECT count(*) FROM events WHERE sender_id = :id"), {"id": conversation})
        assert streamed.scalar_one() > 0
    assert secured_postgres.password not in logs and secured_redis.password not in logs


def test_wrong_passwords_are_named_in_the_log_without_the_passwords(
    secured_postgres: Cluster, secured_redis: Redis, tmp_path: Path
):
    env = {
        "TRACKER_DATABASE_URL": secured_postgres.url.replace(secured_postgres.password, "not-the-password"),
        "LOCK_STORE_URL": secured_redis.url.replace(secured_redis.password, "not-the-password"),
    }
    failures = [
        re.compile(r" ERROR +rasa\.core\.tracker_store - .*: FATAL: +password authentication failed for user"),
        re.compile(r" ERROR +bot\.rasa\.lock_store - lock store: Redis does not answer \(AuthenticationError: invalid"),
    ]
    with started(tmp_path, env, ("rasa",)) as services:
        poll_until(lambda: all(f.search(services.logs()) for f in failures), 240, "the refusals in the log")
        logs = services.logs()
    assert not [
        password
        for password in ("not-the-password", secured_postgres.password, secured_redis.password)
        if password in logs
    ]
