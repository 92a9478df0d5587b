"""Shared fixtures: the spaCy pipeline, and one real Rasa + action server pair per test session."""
from __future__ import annotations

import secrets
import subprocess
from typing import Iterator

import pytest
import spacy
from spacy.language import Language

from bot import settings
from bot.client import RasaClient
from bot.services import Services, isolated_settings, running_services


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The project's spaCy pipeline, as config.yml loads it (built by `make spacy`)."""
    if not (settings.SPACY_MODEL_DIR / "meta.json").is_file():
        subprocess.run(["make", "-s", "spacy"], cwd=settings.PROJECT_ROOT, check=True)
    return spacy.load(settings.SPACY_MODEL_DIR)


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The real Rasa and action servers, started once per session (training the model if needed)."""
    subprocess.run(["make", "-s", "train"], cwd=settings.PROJECT_ROOT, check=True)
    database = {"DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'timelines.db'}"}
    with running_services(isolated_settings(), tmp_path_factory.mktemp("logs"), database) as services:
        yield services


@pytest.fixture
def client(assistant: Services) -> RasaClient:
    return assistant.client()


@pytest.fixture
def sender() -> str:
    """A fresh conversation id."""
    return f"test-{secrets.token_hex(6)}"
