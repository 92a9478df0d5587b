"""Configuration from the environment, in one place.

Every setting the assistant reads from the environment is defined here, with its default.
Paths are resolved against the project root so commands work from any directory.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
PASSAGES_FILE = DATA_DIR / "sources" / "passages.yml"
VOCABULARY_FILE = DATA_DIR / "vocabulary.yml"
WARNING_SIGNS_FILE = DATA_DIR / "warning_signs.yml"
TIMELINES_FILE = DATA_DIR / "timelines.yml"
DOMAIN_FILE = PROJECT_ROOT / "domain.yml"
SPACY_MODEL_DIR = PROJECT_ROOT / "build" / "spacy" / "en_spine"
MODELS_DIR = PROJECT_ROOT / "models"
VAR_DIR = PROJECT_ROOT / "var"
SHARED_DIR = Path(os.environ.get("SHARED_DIR", PROJECT_ROOT.parent / "shared"))
CLINC_FILE = SHARED_DIR / "datasets" / "clinc150" / "out_of_scope.json"


class ConfigurationError(ValueError):
    """An environment variable has a value the assistant cannot use."""


DEFAULT_PORTS = {"RASA_PORT": 5005, "ACTION_PORT": 5055, "WEB_PORT": 8000}


def _port(name: str) -> int:
    default = DEFAULT_PORTS[name]
    raw = os.environ.get(name, str(default))
    try:
        port = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a port number; set it to e.g. {default}.") from None
    if not 0 < port < 65536:
        raise ConfigurationError(f"{name}={port} is outside 1-65535; set it to e.g. {default}.")
    return port


@dataclass(frozen=True)
class ServerSettings:
    """Ports and secrets of the running assistant (`make run`)."""

    rasa_port: int
    action_port: int
    web_port: int
    auth_token: str
    auth_token_generated: bool


def server_settings() -> ServerSettings:
    """Reads RASA_PORT, ACTION_PORT, WEB_PORT and RASA_AUTH_TOKEN (a random token if unset)."""
    token = os.environ.get("RASA_AUTH_TOKEN", "")
    return ServerSettings(
        rasa_port=_port("RASA_PORT"),
        action_port=_port("ACTION_PORT"),
        web_port=_port("WEB_PORT"),
        auth_token=token or secrets.token_urlsafe(24),
        auth_token_generated=not token,
    )


def cors_origins() -> List[str]:
    """Origins allowed to call the Rasa server from a browser (CORS_ORIGINS, comma-separated).

    Defaults to the demo page served by `make run` on WEB_PORT.
    """
    raw = os.environ.get("CORS_ORIGINS", "")
    if raw.strip():
        return [origin.strip() for origin in raw.split(",") if origin.strip()]
    web_port = _port("WEB_PORT")
    return [f"http://localhost:{web_port}", f"http://127.0.0.1:{web_port}"]


def rasa_public_url() -> str:
    """Where browsers reach the Rasa server (the demo page): RASA_PUBLIC_URL, or localhost on RASA_PORT."""
    return os.environ.get("RASA_PUBLIC_URL", "").strip() or f"http://localhost:{_port('RASA_PORT')}"


def variables_set(names: Iterable[str]) -> bool:
    """Whether every one of these environment variables is set (and not blank)."""
    return all(os.environ.get(name, "").strip() for name in names)


def disable_rasa_telemetry() -> None:
    """Rasa's telemetry and error reporting would send data to Rasa's servers: off in every process
    that imports Rasa (set before importing it)."""
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"


def database_url() -> str:
    """DATABASE_URL, or an SQLite file under var/ (git-ignored), created on first start."""
    return os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{VAR_DIR / 'timelines.db'}"


PROVIDER_API_DEFAULTS = {
    "twilio": "https://api.twilio.com",
    "telegram": "https://api.telegram.org",
    "facebook": "https://graph.facebook.com/v17.0",
    "slack": "https://slack.com/api",
}


def provider_api_url(provider: str) -> str:
    """Base URL of a messaging provider's API: <PROVIDER>_API_URL, else the provider's own.

    Set only to route replies through a proxy or, in tests, to a local server that records them.
    """
    return os.environ.get(f"{provider.upper()}_API_URL", "").strip().rstrip("/") or PROVIDER_API_DEFAULTS[provider]
