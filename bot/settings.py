"""Configuration from the environment, in one place.

Every setting the assistant reads from the environment is defined here, with its default.
Paths are resolved against the project root so commands work from any directory.
"""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping

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
DEFAULT_MODEL = MODELS_DIR / "spine-faq.tar.gz"  # what `make train` builds
NLU_DIR = DATA_DIR / "nlu"
DIALOGUE_DIR = DATA_DIR / "dialogue"
CONSOLE_PAGE_DIR = PROJECT_ROOT / "web" / "dist"
CLINC_FILE = SHARED_DIR / "datasets" / "clinc150" / "out_of_scope.json"


class ConfigurationError(ValueError):
    """An environment variable has a value the assistant cannot use."""


DEFAULT_PORTS = {
    "RASA_PORT": 5005,
    "ACTION_PORT": 5055,
    "WEB_PORT": 8000,
    "CONSOLE_PORT": 8001,
    "CLUSTER_PORT": 5080,
    "CLUSTER_POSTGRES_PORT": 5433,
    "CLUSTER_REDIS_PORT": 6380,
}


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
    console_port: int
    auth_token: str
    auth_token_generated: bool
    action_token: str


def server_settings() -> ServerSettings:
    """Reads RASA_PORT, ACTION_PORT, WEB_PORT, CONSOLE_PORT, RASA_AUTH_TOKEN and ACTION_TOKEN (random tokens if
    unset or blank: the Rasa server's API and REST channel, and the action server, need them)."""
    token = os.environ.get("RASA_AUTH_TOKEN", "").strip()
    return ServerSettings(
        rasa_port=_port("RASA_PORT"),
        action_port=_port("ACTION_PORT"),
        web_port=_port("WEB_PORT"),
        console_port=_port("CONSOLE_PORT"),
        auth_token=token or _generated("RASA_AUTH_TOKEN"),
        auth_token_generated=not token,
        action_token=os.environ.get("ACTION_TOKEN", "").strip() or _generated("ACTION_TOKEN"),
    )


@functools.lru_cache(maxsize=None)
def _generated(name: str) -> str:
    """A random secret for an unset variable, the same for the whole process."""
    return secrets.token_urlsafe(24)


def session_secret() -> bytes:
    """SESSION_SECRET: signs the widget's session keys (the same on every replica). Unset, a
    random secret kept in var/session-secret (created on first use, readable by its owner only),
    so that sessions survive a restart."""
    given = os.environ.get("SESSION_SECRET", "").strip()
    if given:
        return given.encode()
    path = VAR_DIR / "session-secret"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


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


SUPPORTED_DATABASES = ("sqlite", "postgresql")


def tracker_database_url() -> str:
    """TRACKER_DATABASE_URL (the conversations), or an SQLite file under var/ (git-ignored).

    Only SQLite and PostgreSQL: for any other database Rasa would keep conversations in memory."""
    url = os.environ.get("TRACKER_DATABASE_URL", "").strip() or f"sqlite:///{VAR_DIR / 'conversations.db'}"
    if not url.startswith(SUPPORTED_DATABASES):
        raise ConfigurationError(
            f"TRACKER_DATABASE_URL must be an SQLite or PostgreSQL URL (sqlite:///path or "
            f"postgresql://user:password@host/db), not {url.split(':', 1)[0]}:..."
        )
    return url


def model_path() -> str:
    """MODEL_PATH: a model file the Rasa server must serve (the console's gate evaluates candidates
    this way). Unset: the model promoted in the staff console, else the one `make train` built."""
    return os.environ.get("MODEL_PATH", "").strip()


def model_store_dir() -> Path:
    """MODEL_STORE_DIR: where the staff console keeps every model it trained or promoted, each with
    its evaluation report in the conversation database (default var/models)."""
    return Path(os.environ.get("MODEL_STORE_DIR", "").strip() or VAR_DIR / "models")


def reviewed_data_file() -> Path:
    """REVIEWED_DATA_FILE: the training examples staff labelled in the console, exported for the
    next training (default data/nlu/reviewed.yml, so `make train` uses them too)."""
    return Path(os.environ.get("REVIEWED_DATA_FILE", "").strip() or NLU_DIR / "reviewed.yml")


def release_gate_file() -> Path:
    """RELEASE_GATE_FILE: the regression gate of the console's retrain, its cases and thresholds
    (default data/release_gate.yml)."""
    return Path(os.environ.get("RELEASE_GATE_FILE", "").strip() or DATA_DIR / "release_gate.yml")


def lock_store_url() -> str:
    """LOCK_STORE_URL (redis://host:port/db): conversation locks shared by several Rasa replicas;
    unset for one server (locks in memory)."""
    return os.environ.get("LOCK_STORE_URL", "").strip()


def lock_lifetime_seconds() -> float:
    """LOCK_LIFETIME_SECONDS: how long a conversation's lock outlives a replica that died holding it,
    blocking that conversation's next message (default 10; far above a message's processing time)."""
    return _number("LOCK_LIFETIME_SECONDS", 10, 1)


def rasa_replica_urls() -> List[str]:
    """RASA_REPLICA_URLS (comma-separated): every Rasa server the console's promotion must swap,
    `make cluster`'s replicas; unset, the one server on RASA_PORT."""
    raw = os.environ.get("RASA_REPLICA_URLS", "").strip()
    urls = [url.strip().rstrip("/") for url in raw.split(",") if url.strip()]
    return urls or [f"http://127.0.0.1:{_port('RASA_PORT')}"]


@dataclass(frozen=True)
class ClusterSettings:
    """`make cluster`: REPLICAS Rasa servers (on RASA_PORT and the ports after it) behind nginx on
    CLUSTER_PORT, PostgreSQL and Redis on their own loopback ports, files under var/cluster."""

    replicas: int
    port: int
    postgres_port: int
    redis_port: int
    directory: Path


def cluster_settings() -> ClusterSettings:
    """Reads REPLICAS (default 2), CLUSTER_PORT, CLUSTER_POSTGRES_PORT and CLUSTER_REDIS_PORT."""
    return ClusterSettings(
        replicas=int(_number("REPLICAS", 2, 1)),
        port=_port("CLUSTER_PORT"),
        postgres_port=_port("CLUSTER_POSTGRES_PORT"),
        redis_port=_port("CLUSTER_REDIS_PORT"),
        directory=VAR_DIR / "cluster",
    )


def _number(name: str, default: float, minimum: float) -> float:
    raw = os.environ.get(name, "").strip() or str(default)
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a number; set it to e.g. {default}.") from None
    if not minimum <= value < float("inf"):
        raise ConfigurationError(f"{name}={raw!r} must be at least {minimum}; set it to e.g. {default}.")
    return value


def retention_days() -> float:
    """RETENTION_DAYS: conversations idle for longer are removed (default 30)."""
    return _number("RETENTION_DAYS", 30, 0)


def max_message_length() -> int:
    """MAX_MESSAGE_LENGTH: longer messages get a polite request for a shorter one (default 1000)."""
    return int(_number("MAX_MESSAGE_LENGTH", 1000, 1))


def max_request_bytes() -> int:
    """MAX_REQUEST_BYTES: the largest request the Rasa server accepts (default 256 KiB); the
    warning-sign net reads a message of that size in a few seconds, beside other conversations."""
    return int(_number("MAX_REQUEST_BYTES", 262144, 1024))


def bind_address() -> str:
    """BIND_ADDRESS: where the Rasa server and the demo page listen (default loopback only; a
    reverse proxy in front reaches them there). 0.0.0.0 exposes them on every interface."""
    return os.environ.get("BIND_ADDRESS", "").strip() or "127.0.0.1"


def action_bind_address() -> str:
    """ACTION_BIND_ADDRESS: where the action server listens (default loopback only)."""
    return os.environ.get("ACTION_BIND_ADDRESS", "").strip() or "127.0.0.1"


PROVIDER_API_DEFAULTS = {
    "twilio": "https://api.twilio.com",
    "telegram": "https://api.telegram.org",
    "facebook": "https://graph.facebook.com",
    "slack": "https://slack.com/api",
}


def facebook_graph_version() -> str:
    """FACEBOOK_GRAPH_VERSION: the Graph API version of the Messenger Send API (versions expire
    about two years after release; default v24.0, October 2025)."""
    return os.environ.get("FACEBOOK_GRAPH_VERSION", "").strip() or "v24.0"


def provider_api_url(provider: str) -> str:
    """Base URL of a messaging provider's API: <PROVIDER>_API_URL, else the provider's own.

    Set only to route replies through a proxy or, in tests, to a local server that records them.
    """
    return os.environ.get(f"{provider.upper()}_API_URL", "").strip().rstrip("/") or PROVIDER_API_DEFAULTS[provider]


# What each process of the assistant reads from the environment: a child process is given only
# these (and the channels' secrets to the Rasa server), never the whole environment.
BASE_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "TF_CPP_MIN_LOG_LEVEL", "SHARED_DIR")
PROCESS_VARIABLES = {
    "rasa": (
        "RASA_PORT",
        "ACTION_PORT",
        "WEB_PORT",
        "RASA_AUTH_TOKEN",
        "ACTION_TOKEN",
        "SESSION_SECRET",
        "TRACKER_DATABASE_URL",
        "LOCK_STORE_URL",
        "LOCK_LIFETIME_SECONDS",
        "RETENTION_DAYS",
        "MAX_MESSAGE_LENGTH",
        "MAX_REQUEST_BYTES",
        "BIND_ADDRESS",
        "CORS_ORIGINS",
        "FACEBOOK_GRAPH_VERSION",
        "MODEL_PATH",
        "MODEL_STORE_DIR",
        *(f"{provider.upper()}_API_URL" for provider in PROVIDER_API_DEFAULTS),
    ),
    "actions": ("ACTION_PORT", "ACTION_TOKEN", "ACTION_BIND_ADDRESS"),
    "web": ("WEB_PORT", "RASA_PORT", "RASA_PUBLIC_URL", "BIND_ADDRESS"),
    "console": (
        "CONSOLE_PORT",
        "RASA_PORT",
        "RASA_REPLICA_URLS",
        "RASA_AUTH_TOKEN",
        "TRACKER_DATABASE_URL",
        "MODEL_STORE_DIR",
        "REVIEWED_DATA_FILE",
        "RELEASE_GATE_FILE",
        "BIND_ADDRESS",
        "MAX_REQUEST_BYTES",
        "RETENTION_DAYS",
    ),
}


def process_environment(process: str, values: Mapping[str, str], extra_names: Iterable[str] = ()) -> Dict[str, str]:
    """The part of `values` (the environment, with overrides) a process needs."""
    names = (*BASE_VARIABLES, *PROCESS_VARIABLES[process], *extra_names)
    return {name: values[name] for name in names if values.get(name)}


def environment() -> Mapping[str, str]:
    """This process's environment, for handing its relevant part to the processes it starts."""
    return os.environ
