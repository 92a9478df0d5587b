"""Shared fixtures: the spaCy pipeline, and one real Rasa + action server pair per test session."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Dict, Iterator

import pytest
import spacy
from spacy.language import Language

from bot import settings
from bot.runtime.client import RasaClient
from bot.runtime.postgres import Cluster, postgres_cluster
from bot.runtime.redis import Redis
from bot.runtime.services import Services, free_port, isolated_environment, isolated_settings, running_services
from tests.alerts.mailbox import Mailbox, mailbox
from tests.clinic_profiles import write_profile
from tests.rasa.channels.provider_api import ProviderAPI
from tests.rasa.channels.provider_api import start as start_provider_api

# Tests that use one of these need servers, databases or a browser: not in `make test-fast`.
SERVER_FIXTURES = {
    "assistant",
    "own_assistant",
    "shared_assistant",
    "assistant_without_actions",
    "assistant_on_postgres",
    "postgres",
    "redis",
    "secured_postgres",
    "secured_redis",
    "cluster",
    "pods",
    "desktop",
    "phone",
}


def pytest_collection_modifyitems(items: list) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)


def built(path: Path, command: str) -> None:
    """Tests use what make built (make test-fast and make test build it first); they build nothing."""
    if not path.exists():
        pytest.exit(f"{path.relative_to(settings.PROJECT_ROOT)} is missing: run `{command}` (make test does)", 2)


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The project's spaCy pipeline, as config.yml loads it (built by `make spacy`)."""
    built(settings.SPACY_MODEL_DIR / "meta.json", "make spacy")
    return spacy.load(settings.SPACY_MODEL_DIR)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """One PostgreSQL cluster for the session's database tests (a test that stops it starts it again)."""
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    """One Redis for the session's tests of what replicas share through it."""
    server = Redis(tmp_path_factory.mktemp("redis"), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def secured_postgres() -> Iterator[Cluster]:
    """A PostgreSQL cluster as on another host: its URL needs the password and verifies its TLS
    certificate (sslmode=verify-full)."""
    with postgres_cluster(password=secrets.token_urlsafe(12)) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def secured_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    """A Redis that requires a password (in its URL)."""
    server = Redis(tmp_path_factory.mktemp("secured-redis"), free_port(), password=secrets.token_urlsafe(12))
    server.start()
    yield server
    server.stop()


# Test secrets of every messaging channel, so all of them are enabled in the tests.
CHANNEL_SECRETS = {
    "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
    "TWILIO_AUTH_TOKEN": "twilio-auth-token",
    "TWILIO_SMS_NUMBER": "+15005550006",
    "TWILIO_WHATSAPP_NUMBER": "whatsapp:+14155238886",
    "TELEGRAM_TOKEN": "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
    "TELEGRAM_SECRET_TOKEN": "telegram-secret-token",
    "TELEGRAM_WEBHOOK_URL": "https://chat.clinic.example/webhooks/telegram/webhook",
    "FACEBOOK_VERIFY_TOKEN": "facebook-verify-token",
    "FACEBOOK_APP_SECRET": "facebook-app-secret",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "facebook-page-access-token",
    "SLACK_BOT_TOKEN": "xoxb-slack-bot-token",
    "SLACK_SIGNING_SECRET": "slack-signing-secret",
}


# A call to the stand-in without an answer this soon is a lost reply (tests/rasa/channels/test_deliveries.py).
PROVIDER_CALL_TIMEOUT_SECONDS = 1


@pytest.fixture(scope="session")
def provider_api() -> Iterator[ProviderAPI]:
    """Records the replies the channels send to the providers' APIs."""
    api = start_provider_api()
    yield api
    api.server.shutdown()


# The session's on-call list: paged by e-mail to the local SMTP server, the next after this long.
ON_CALL = ("oncall@clinic.test", "backup@clinic.test")
ALERT_ACKNOWLEDGE_MINUTES = 0.25


@pytest.fixture(scope="session")
def on_call_mailbox() -> Iterator[Mailbox]:
    """The local SMTP server the session's assistant pages the on-call list through."""
    with mailbox() as box:
        yield box


def channels(server: settings.ServerSettings, provider_api: ProviderAPI) -> Dict[str, str]:
    """Every channel enabled, the providers' APIs replaced by the local recorder."""
    rasa_url = f"http://localhost:{server.rasa_port}"
    return {
        **CHANNEL_SECRETS,
        "TWILIO_SMS_WEBHOOK_URL": f"{rasa_url}/webhooks/twilio/webhook",
        "TWILIO_WHATSAPP_WEBHOOK_URL": f"{rasa_url}/webhooks/twilio_whatsapp/webhook",
        **{f"{p}_API_URL": provider_api.url for p in ("TWILIO", "TELEGRAM", "FACEBOOK", "SLACK")},
        "PROVIDER_CALL_TIMEOUT_SECONDS": str(PROVIDER_CALL_TIMEOUT_SECONDS),
    }


@pytest.fixture(scope="session")
def assistant(
    tmp_path_factory: pytest.TempPathFactory, provider_api: ProviderAPI, on_call_mailbox: Mailbox
) -> Iterator[Services]:
    """The real Rasa and action servers, started once per session (training the model if needed),
    with every channel enabled and the providers' APIs replaced by the local recorder, which they
    give PROVIDER_CALL_TIMEOUT_SECONDS to answer, and a clinic profile with phone numbers
    (tests/clinic_profiles.py: the replies give them); alerts page ON_CALL through `on_call_mailbox`."""
    built(settings.DEFAULT_MODEL, "make train")
    server = isolated_settings()
    env = {
        **isolated_environment(tmp_path_factory.mktemp("db")),
        **channels(server, provider_api),
        "ALERT_ESCALATION_LIST": ", ".join(f"mailto:{address}" for address in ON_CALL),
        "ALERT_ACKNOWLEDGE_MINUTES": str(ALERT_ACKNOWLEDGE_MINUTES),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(on_call_mailbox.port),
        "SMTP_SECURITY": "none",
        "CLINIC_PROFILE_FILE": str(write_profile(tmp_path_factory.mktemp("clinic"))),
    }
    with running_services(server, tmp_path_factory.mktemp("logs"), env) as services:
        yield services


@pytest.fixture
def shared_assistant(redis: Redis, tmp_path: Path, provider_api: ProviderAPI) -> Iterator[Services]:
    """An assistant of the test's own whose conversation store is shared (its locks in Redis), as
    with several replicas: it waits for its database (tmp_path's conversations.db), then fails the
    message. Every channel is enabled, as in `assistant`."""
    server = isolated_settings()
    environment = {**isolated_environment(tmp_path), **channels(server, provider_api), "LOCK_STORE_URL": redis.url}
    with running_services(server, tmp_path, environment) as services:
        yield services


@pytest.fixture
def client(assistant: Services) -> RasaClient:
    return assistant.client()


@pytest.fixture
def sender() -> str:
    """A fresh conversation id."""
    return f"test-{secrets.token_hex(6)}"
