"""endpoints.yml, read by Rasa's reader with its `${VARIABLES}` set from bot/settings.py: the
project's conversation and lock stores, the configured action server with its token; a missing
variable, file or tracker store stops the server with the fix."""

from pathlib import Path

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.utils.common import class_from_module_path

from bot import settings
from bot.rasa import endpoints
from bot.rasa.conversation_store import ConversationStore
from bot.rasa.lock_store import SerialRedisLockStore

ENDPOINTS = settings.PROJECT_ROOT / "endpoints.yml"


@pytest.fixture(autouse=True)
def unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every setting blank (its default), and the environment as it was after the test: reading
    the file sets them, and monkeypatch restores only what it set."""
    for setting in settings.SETTINGS:
        monkeypatch.setenv(setting.name, "")


def test_the_settings_fill_the_file_giving_the_projects_stores_and_the_action_server(monkeypatch):
    database = "postgresql+psycopg2://spine:db-secret@db.clinic.internal:5432/spine?sslmode=verify-full"
    monkeypatch.setenv("TRACKER_DATABASE_URL", database)
    monkeypatch.setenv("LOCK_STORE_URL", "redis://:redis-secret@127.0.0.1:9/2")
    monkeypatch.setenv("ACTION_SERVER_URL", "https://actions.clinic.internal:5055/webhook")
    monkeypatch.setenv("ACTION_TOKEN", "action-token")

    found = endpoints.read(settings.endpoints_file())

    assert (found.action.url, found.action.token) == ("https://actions.clinic.internal:5055/webhook", "action-token")
    assert found.action.combine_parameters() == {"token": "action-token"}  # sent as ?token=, as the server checks
    assert class_from_module_path(found.tracker_store.type) is ConversationStore
    assert found.tracker_store.url == database and found.tracker_store.kwargs["shared"]
    locks = LockStore.create(found.lock_store)  # nothing listens there: it logs so and goes on
    assert isinstance(locks, SerialRedisLockStore)
    redis = locks.red.connection_pool.connection_kwargs
    assert (redis["host"], redis["password"], redis["db"]) == ("127.0.0.1", "redis-secret", 2)
    assert found.event_broker is None


def test_unset_variables_take_the_settings_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("ACTION_PORT", "5999")
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'conversations.db'}")

    found = endpoints.read(settings.endpoints_file())

    assert found.action.url == "http://127.0.0.1:5999/webhook" and found.action.token
    assert isinstance(LockStore.create(found.lock_store), InMemoryLockStore)
    store = TrackerStore.create(found.tracker_store)
    assert isinstance(store, ConversationStore) and not store.shared
    assert store.engine.url.database == str(tmp_path / "conversations.db")


def test_the_shipped_file_is_the_default():
    assert settings.endpoints_file() == ENDPOINTS


def test_a_variable_that_is_neither_a_setting_nor_set_is_named(tmp_path: Path):
    path = tmp_path / "endpoints.yml"
    path.write_text(ENDPOINTS.read_text() + "event_broker:\n  type: pika\n  url: ${BROKER_HOST}\n")
    with pytest.raises(
        settings.ConfigurationError, match=r"endpoints\.yml: .*set these environment variables.*BROKER_HOST"
    ):
        endpoints.read(path)


def test_a_missing_file_or_tracker_store_is_refused_with_the_fix(tmp_path: Path):
    with pytest.raises(settings.ConfigurationError, match="does not exist: set ENDPOINTS_FILE"):
        endpoints.read(tmp_path / "missing.yml")
    path = tmp_path / "endpoints.yml"
    path.write_text("action_endpoint:\n  url: ${ACTION_SERVER_URL}\n")
    with pytest.raises(settings.ConfigurationError, match="no tracker_store: conversations would be kept in memory"):
        endpoints.read(path)


def test_an_action_server_url_that_is_not_http_is_refused(monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_URL", "actions:5055")
    with pytest.raises(settings.ConfigurationError, match="ACTION_SERVER_URL must start with http:// or https://"):
        endpoints.read(settings.endpoints_file())
