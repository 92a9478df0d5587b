"""Configuration from the environment, in one place: the table ``SETTINGS``.

Each row names a variable, its default, how its value is read and which processes read it; the
getters below and docs/settings.md (``python -m bot.settings``) are made from it. Thresholds of
the model live in config.yml, never here. Paths are resolved against the project root so commands
work from any directory.
"""

from __future__ import annotations

import functools
import os
import secrets
import string
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Generic, Iterable, List, Mapping, Tuple, TypeVar

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
DEFAULT_MODEL = MODELS_DIR / "spine-faq.tar.gz"  # what `make train` builds
NLU_DIR = DATA_DIR / "nlu"
DIALOGUE_DIR = DATA_DIR / "dialogue"
CONSOLE_PAGE_DIR = PROJECT_ROOT / "web" / "dist"
SETTINGS_DOC = PROJECT_ROOT / "docs" / "settings.md"

T = TypeVar("T")

# The processes of the assistant; a child process is given only the variables it reads.
RASA, ACTIONS, WEB, CONSOLE = "rasa", "actions", "web", "console"
# Commands that read a setting themselves (never handed to a child process).
CLUSTER, STAFF_USER, DEVELOPER_TOOLS = "make cluster", "make staff-user", "developer tools and tests"
ERASURES = "make erase, make restore"
PROCESSES = (RASA, ACTIONS, WEB, CONSOLE)
# What every child process gets besides its settings (and the Rasa server its channels' secrets).
BASE_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "TF_CPP_MIN_LOG_LEVEL")


class ConfigurationError(ValueError):
    """An environment variable has a value the assistant cannot use."""


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One environment variable: `read` turns its value (the default when unset or blank) into
    what the code uses, or raises ConfigurationError naming the fix."""

    name: str
    default: str
    read: Callable[[str, str], T]  # (name, value) -> value
    readers: Tuple[str, ...]
    meaning: str
    shown_default: str = ""  # for the docs, where the default is not a plain value

    def get(self) -> T:
        return self.read(self.name, os.environ.get(self.name, "").strip() or self.default)


def _text(name: str, value: str) -> str:
    return value


def _port(name: str, value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise ConfigurationError(f"{name}={value!r} is not a port number; set it to one between 1 and 65535.") from None
    if not 0 < port < 65536:
        raise ConfigurationError(f"{name}={port} is outside 1-65535; set it to a free port in that range.")
    return port


def _at_least(minimum: float) -> Callable[[str, str], float]:
    def read(name: str, value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise ConfigurationError(f"{name}={value!r} is not a number; set it to e.g. {minimum:g}.") from None
        if not minimum <= number < float("inf"):
            raise ConfigurationError(f"{name}={value!r} must be at least {minimum:g}.")
        return number

    return read


def _whole_at_least(minimum: int) -> Callable[[str, str], int]:
    number = _at_least(minimum)
    return lambda name, value: int(number(name, value))


def _path(name: str, value: str) -> Path:
    return PROJECT_ROOT / value


def _choice(name: str, value: str, choices: Tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigurationError(f"{name}={value!r}: set it to one of {', '.join(choices)}.")
    return value


def _list(name: str, value: str) -> List[str]:
    return [item.strip().rstrip("/") for item in value.split(",") if item.strip()]


SUPPORTED_DATABASES = ("sqlite", "postgresql")


def _database(name: str, value: str) -> str:
    """Only SQLite and PostgreSQL: for any other database Rasa would keep conversations in memory."""
    if not value.startswith(SUPPORTED_DATABASES):
        raise ConfigurationError(
            f"{name} must be an SQLite or PostgreSQL URL (sqlite:///path or "
            f"postgresql://user:password@host/db), not {value.split(':', 1)[0]}:..."
        )
    return value


@functools.lru_cache(maxsize=None)
def _generated(name: str) -> str:
    """A random secret for an unset variable, the same for the whole process."""
    return secrets.token_urlsafe(24)


def _secret_or_random(name: str, value: str) -> str:
    return value or _generated(name)


def _loopback(port: Setting[int]) -> Callable[[str, str], str]:
    return lambda name, value: value or f"http://localhost:{port.get()}"


RASA_PORT = Setting(
    "RASA_PORT", "5005", _port, (RASA, WEB, CONSOLE), "Rasa server (REST and socket.io channels, HTTP API)"
)
ACTION_PORT = Setting("ACTION_PORT", "5055", _port, (RASA, ACTIONS), "rasa_sdk action server")
WEB_PORT = Setting("WEB_PORT", "8000", _port, (RASA, WEB), "the demo page (its origin is allowed by CORS)")
CONSOLE_PORT = Setting(
    "CONSOLE_PORT", "8001", _port, (RASA, CONSOLE), "the staff console (log in with an account from `make staff-user`)"
)
RASA_AUTH_TOKEN = Setting(
    "RASA_AUTH_TOKEN",
    "",
    _secret_or_random,
    (RASA, CONSOLE),
    "token the HTTP API and the REST channel require (`Authorization: Bearer ...` or `?token=...`)",
    "random per run, printed once at start",
)
ACTION_TOKEN = Setting(
    "ACTION_TOKEN",
    "",
    _secret_or_random,
    (RASA, ACTIONS),
    "token the Rasa server sends the action server (nobody else needs it)",
    "random per run",
)
SESSION_SECRET = Setting(
    "SESSION_SECRET",
    "",
    _text,
    (RASA,),
    "signs the widget's session keys and keys the conversations' pseudonyms in logs (set the same value on every "
    "replica)",
    "random, kept in `var/session-secret`",
)
TRACKER_DATABASE_URL = Setting(
    "TRACKER_DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'conversations.db'}",
    _database,
    (RASA, CONSOLE),
    "where conversations are kept (SQLite or PostgreSQL, e.g. "
    "`postgresql://user:password@host/db?sslmode=verify-full`); see [privacy.md](privacy.md)",
    "SQLite `var/conversations.db`",
)


def _erasure_log(name: str, value: str) -> str:
    """A database of its own: one a restore replaces would lose the erasures it must apply again."""
    if value == TRACKER_DATABASE_URL.get():
        raise ConfigurationError(
            f"{name} names the conversation database; give the erasure log one of its own, which no restore replaces"
        )
    return _database(name, value)


ERASURE_LOG_URL = Setting(
    "ERASURE_LOG_URL",
    f"sqlite:///{VAR_DIR / 'erasures.db'}",
    _erasure_log,
    (CONSOLE, ERASURES),
    "the record of erasures (keyed hashes of the conversation ids, with the time) that `make restore` applies again: "
    "a database of its own, never the conversation database ([operations.md](operations.md#backup-and-restore))",
    "SQLite `var/erasures.db`",
)
ERASURE_LOG_KEY = Setting(
    "ERASURE_LOG_KEY",
    "",
    _text,
    (CONSOLE, ERASURES),
    "keys the erasure log's hashes of conversation ids (set the same value wherever conversations are erased or "
    "restored, and keep a copy with the clinic's secrets: without it the log matches nothing)",
    "random, kept in `var/erasure-log-key`",
)
RETENTION_DAYS = Setting(
    "RETENTION_DAYS", "30", _at_least(0), (RASA, CONSOLE), "conversations idle for longer are removed (hourly)"
)
MAX_MESSAGE_LENGTH = Setting(
    "MAX_MESSAGE_LENGTH",
    "1000",
    _whole_at_least(1),
    (RASA,),
    "longer messages get a request for a shorter one (the warning-sign net still reads them)",
)
MAX_REQUEST_BYTES = Setting(
    "MAX_REQUEST_BYTES",
    "262144",
    _whole_at_least(1024),
    (RASA, CONSOLE),
    "larger requests are refused (HTTP 413); the warning-sign net reads one this size in a few seconds",
)
BIND_ADDRESS = Setting(
    "BIND_ADDRESS",
    "127.0.0.1",
    _text,
    (RASA, WEB, CONSOLE),
    "where the Rasa server, the demo page and the console listen (`0.0.0.0` for every interface)",
)
ACTION_BIND_ADDRESS = Setting("ACTION_BIND_ADDRESS", "127.0.0.1", _text, (ACTIONS,), "where the action server listens")


def _action_server_url(name: str, value: str) -> str:
    url = value or f"http://127.0.0.1:{ACTION_PORT.get()}/webhook"
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"{name} must start with http:// or https://: the action server's webhook, e.g. "
            "https://actions.clinic.internal:5055/webhook"
        )
    return url


ACTION_SERVER_URL = Setting(
    "ACTION_SERVER_URL",
    "",
    _action_server_url,
    (RASA,),
    "the action server's webhook as the Rasa server reaches it (another host: `https://` or a private network; "
    "[operations.md](operations.md#endpointsyml))",
    "`http://127.0.0.1:$ACTION_PORT/webhook`",
)
ENDPOINTS_FILE = Setting(
    "ENDPOINTS_FILE",
    "endpoints.yml",
    _path,
    (RASA,),
    "Rasa's endpoints file: the conversation and lock stores and the action server, with `${VARIABLES}` of this "
    "table ([operations.md](operations.md#endpointsyml))",
)
LOCK_STORE_URL = Setting(
    "LOCK_STORE_URL",
    "",
    _text,
    (RASA,),
    "`redis://:password@host:port/db` (or `rediss://`), for several Rasa servers sharing conversations (`make "
    "cluster` sets it)",
    "unset (locks in memory)",
)
LOCK_LIFETIME_SECONDS = Setting(
    "LOCK_LIFETIME_SECONDS",
    "10",
    _at_least(1),
    (RASA,),
    "how long a conversation's lock outlives a replica that died holding it",
)
REPLICAS = Setting(
    "REPLICAS", "2", _whole_at_least(1), (CLUSTER,), "`make cluster`: how many Rasa servers (on `RASA_PORT` and up)"
)
CLUSTER_PORT = Setting(
    "CLUSTER_PORT", "5080", _port, (CLUSTER,), "`make cluster`: nginx in front of the replicas (REST, API, webhooks)"
)
CLUSTER_POSTGRES_PORT = Setting(
    "CLUSTER_POSTGRES_PORT", "5433", _port, (CLUSTER,), "`make cluster`: its PostgreSQL (data in `var/cluster`)"
)
CLUSTER_REDIS_PORT = Setting("CLUSTER_REDIS_PORT", "6380", _port, (CLUSTER,), "`make cluster`: its Redis")
RASA_REPLICA_URLS = Setting(
    "RASA_REPLICA_URLS",
    "",
    lambda name, value: _list(name, value) or [f"http://127.0.0.1:{RASA_PORT.get()}"],
    (CONSOLE,),
    "every Rasa server the console's promotion swaps, comma-separated (`make cluster` sets it)",
    "the server on `RASA_PORT`",
)
CORS_ORIGINS = Setting(
    "CORS_ORIGINS",
    "",
    lambda name, value: _list(name, value)
    or [f"http://localhost:{WEB_PORT.get()}", f"http://127.0.0.1:{WEB_PORT.get()}"],
    (RASA,),
    "comma-separated origins allowed to call the server from a browser (widget)",
    "`http://localhost:$WEB_PORT`",
)
RASA_PUBLIC_URL = Setting(
    "RASA_PUBLIC_URL",
    "",
    _loopback(RASA_PORT),
    (WEB,),
    "the Rasa server's address as the demo page's browsers reach it",
    "`http://localhost:$RASA_PORT`",
)
FACEBOOK_GRAPH_VERSION = Setting(
    "FACEBOOK_GRAPH_VERSION",
    "v24.0",
    _text,
    (RASA,),
    "the Graph API version of the Messenger Send API (versions expire about two years after release)",
)
PROVIDER_CALL_TIMEOUT_SECONDS = Setting(
    "PROVIDER_CALL_TIMEOUT_SECONDS",
    "10",
    _at_least(0.1),
    (RASA,),
    "how long a call to a messaging provider's API may take; a reply sent without an answer in time is "
    "never sent again (the patient may have it) and is listed in the console",
)
REPLY_MAX_DELAY_SECONDS = Setting(
    "REPLY_MAX_DELAY_SECONDS",
    "900",
    _at_least(1),
    (RASA,),
    "a reply still unsent this long after it was due (its servers were down) is not sent, out of its "
    "conversation's context, but listed in the console as lost (staff may send it again)",
)
ALERT_ESCALATION_LIST = Setting(
    "ALERT_ESCALATION_LIST",
    "",
    _list,
    (RASA,),
    "who is paged when a patient reports a warning sign, in order: comma-separated people, each one or "
    "more of `mailto:address` and `sms:+number` separated by spaces (SMS through the Twilio channel's "
    "account); unset: nobody is paged, alerts still show in the console",
    "unset",
)
ALERT_ACKNOWLEDGE_MINUTES = Setting(
    "ALERT_ACKNOWLEDGE_MINUTES",
    "10",
    _at_least(0.01),
    (RASA,),
    "an alert nobody acknowledged in this time is sent to the next person on the escalation list (after "
    "the last, the first again)",
)
CONSOLE_PUBLIC_URL = Setting(
    "CONSOLE_PUBLIC_URL",
    "",
    _loopback(CONSOLE_PORT),
    (RASA,),
    "the staff console's address as the staff reach it, for the link in an alert's notification",
    "`http://localhost:$CONSOLE_PORT`",
)


def _days(name: str, value: str) -> Tuple[int, ...]:
    try:
        days = tuple(sorted({int(item) for item in value.split(",") if item.strip()}))
    except ValueError:
        raise ConfigurationError(f"{name}={value!r}: write whole days after surgery, e.g. 1,3,7,14,28,42,84.") from None
    if not days or days[0] < 1 or days[-1] > 365:
        raise ConfigurationError(f"{name}={value!r}: write days from 1 to 365 after surgery, e.g. 1,3,7,14,28,42,84.")
    return days


def _hours(name: str, value: str) -> Tuple[int, int]:
    start, _, end = value.partition("-")
    try:
        hours = int(start), int(end)
    except ValueError:
        raise ConfigurationError(f"{name}={value!r}: write the hours as FROM-TO, e.g. 21-8 (21:00 to 08:00).") from None
    if not all(0 <= hour <= 23 for hour in hours) or hours[0] == hours[1]:
        raise ConfigurationError(f"{name}={value!r}: write two different hours from 0 to 23, e.g. 21-8.")
    return hours


CHECK_IN_DAYS = Setting(
    "CHECK_IN_DAYS",
    "1,3,7,14,28,42,84",
    _days,
    (RASA, CONSOLE),
    "the days after surgery an enrolled patient gets a check-in message (comma-separated, 1 to 365)",
)
CHECK_IN_QUIET_HOURS = Setting(
    "CHECK_IN_QUIET_HOURS",
    "21-8",
    _hours,
    (RASA, CONSOLE),
    "no check-in is sent from the first hour to the second, in the patient's time zone (`21-8`: 21:00 to 08:00); "
    "a preferred hour in them is refused",
)
CHECK_IN_LATE_HOURS = Setting(
    "CHECK_IN_LATE_HOURS",
    "4",
    _at_least(0.02),
    (RASA,),
    "a check-in the servers could not send at its time (they were down) is sent once if less than this late and "
    "not in quiet hours, else skipped and recorded as missed",
)
CHECK_IN_WHATSAPP_TEMPLATE = Setting(
    "CHECK_IN_WHATSAPP_TEMPLATE",
    "",
    _text,
    (RASA, CONSOLE),
    "the approved WhatsApp message template (Twilio Content SID) check-ins are sent with; unset: enrolment on "
    "WhatsApp is refused (WhatsApp lets a business write first only with an approved template)",
    "unset",
)

SMTP_HOST = Setting("SMTP_HOST", "", _text, (RASA,), "the mail server alerts are e-mailed through", "unset")
SMTP_PORT = Setting("SMTP_PORT", "587", _port, (RASA,), "its port")
SMTP_SECURITY = Setting(
    "SMTP_SECURITY",
    "starttls",
    lambda name, value: _choice(name, value, ("starttls", "tls", "none")),
    (RASA,),
    "`starttls` (port 587), `tls` (port 465) or `none` (a relay on the same private network only)",
)
SMTP_USERNAME = Setting("SMTP_USERNAME", "", _text, (RASA,), "the mail server's login, if it needs one", "unset")
SMTP_PASSWORD = Setting("SMTP_PASSWORD", "", _text, (RASA,), "its password", "unset")
SMTP_FROM = Setting(
    "SMTP_FROM", "", _text, (RASA,), "the alerts' sender address (default: alerts@ the mail server's domain)", "unset"
)
PROVIDER_APIS = {
    provider: Setting(
        f"{provider.upper()}_API_URL",
        url,
        lambda name, value: value.rstrip("/"),
        (RASA,),
        f"base URL of {provider.title()}'s API: set only to route replies through a proxy, or in tests",
    )
    for provider, url in (
        ("twilio", "https://api.twilio.com"),
        ("telegram", "https://api.telegram.org"),
        ("facebook", "https://graph.facebook.com"),
        ("slack", "https://slack.com/api"),
    )
}
MODEL_PATH = Setting(
    "MODEL_PATH",
    "",
    _text,
    (RASA,),
    "a model file the Rasa server must serve instead of the promoted one (the release gate uses it)",
    "unset",
)
MODEL_STORE_DIR = Setting(
    "MODEL_STORE_DIR",
    "var/models",
    _path,
    (RASA, CONSOLE),
    "every model the console trained or promoted (the promoted one is served after a restart)",
)
REVIEWED_DATA_FILE = Setting(
    "REVIEWED_DATA_FILE",
    "data/nlu/reviewed.yml",
    _path,
    (CONSOLE,),
    "the console's labels, exported as training data (so `make train` uses them too)",
)
RELEASE_GATE_FILE = Setting(
    "RELEASE_GATE_FILE",
    "data/release_gate.yml",
    _path,
    (CONSOLE,),
    "the regression gate of the console's retrain: its cases file and thresholds",
)
STAFF_PASSWORD = Setting(
    "STAFF_PASSWORD",
    "",
    _text,
    (STAFF_USER,),
    "the password `make staff-user` uses when not run from a terminal",
    "unset",
)
CLINIC_PROFILE_FILE = Setting(
    "CLINIC_PROFILE_FILE",
    "data/clinic.yml",
    _path,
    (RASA, ACTIONS, CONSOLE),
    "the clinic's profile: name, phone numbers, opening hours, address ([operations.md](operations.md#clinic-profile))",
)
LOG_FORMAT = Setting(
    "LOG_FORMAT",
    "text",
    lambda name, value: _choice(name, value, ("text", "json")),
    PROCESSES,
    "how every process writes its log: `text` lines, or `json`, one object per line (time, level, logger, message, "
    "exception) for a log collector; never patient text, system errors in full "
    "([operations.md](operations.md#logs))",
)
SHARED_DIR = Setting(
    "SHARED_DIR",
    str(PROJECT_ROOT.parent / "shared"),
    lambda name, value: Path(value),
    (DEVELOPER_TOOLS,),
    "where the source articles and CLINC150 live (`make gate-data` copies what the console needs)",
    "`../shared`",
)

# Every setting defined above, in order, then the providers' API URLs.
SETTINGS: Tuple[Setting[Any], ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, Setting)
) + tuple(PROVIDER_APIS.values())
PORTS = (RASA_PORT, ACTION_PORT, WEB_PORT, CONSOLE_PORT, CLUSTER_PORT, CLUSTER_POSTGRES_PORT, CLUSTER_REDIS_PORT)

# The getters the code calls: each is a row of the table.
retention_days = RETENTION_DAYS.get
max_message_length = MAX_MESSAGE_LENGTH.get
max_request_bytes = MAX_REQUEST_BYTES.get
bind_address = BIND_ADDRESS.get
action_bind_address = ACTION_BIND_ADDRESS.get
lock_store_url = LOCK_STORE_URL.get
action_server_url = ACTION_SERVER_URL.get
endpoints_file = ENDPOINTS_FILE.get
lock_lifetime_seconds = LOCK_LIFETIME_SECONDS.get
rasa_replica_urls = RASA_REPLICA_URLS.get
cors_origins = CORS_ORIGINS.get
rasa_public_url = RASA_PUBLIC_URL.get
facebook_graph_version = FACEBOOK_GRAPH_VERSION.get
provider_call_timeout_seconds = PROVIDER_CALL_TIMEOUT_SECONDS.get
reply_max_delay_seconds = REPLY_MAX_DELAY_SECONDS.get
alert_escalation_list = ALERT_ESCALATION_LIST.get
alert_acknowledge_minutes = ALERT_ACKNOWLEDGE_MINUTES.get
console_public_url = CONSOLE_PUBLIC_URL.get
check_in_days = CHECK_IN_DAYS.get
check_in_quiet_hours = CHECK_IN_QUIET_HOURS.get
check_in_late_hours = CHECK_IN_LATE_HOURS.get
check_in_whatsapp_template = CHECK_IN_WHATSAPP_TEMPLATE.get
tracker_database_url = TRACKER_DATABASE_URL.get
erasure_log_url = ERASURE_LOG_URL.get
model_path = MODEL_PATH.get
model_store_dir = MODEL_STORE_DIR.get
reviewed_data_file = REVIEWED_DATA_FILE.get
release_gate_file = RELEASE_GATE_FILE.get
clinic_profile_file = CLINIC_PROFILE_FILE.get
log_format = LOG_FORMAT.get
CLINC_FILE = SHARED_DIR.get() / "datasets" / "clinc150" / "out_of_scope.json"


def provider_api_url(provider: str) -> str:
    """Base URL of a messaging provider's API (<PROVIDER>_API_URL, else the provider's own)."""
    return PROVIDER_APIS[provider].get()


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
    """The ports and tokens (random tokens if unset: the Rasa server's API, the REST channel and the
    action server need them)."""
    return ServerSettings(
        rasa_port=RASA_PORT.get(),
        action_port=ACTION_PORT.get(),
        web_port=WEB_PORT.get(),
        console_port=CONSOLE_PORT.get(),
        auth_token=RASA_AUTH_TOKEN.get(),
        auth_token_generated=not os.environ.get(RASA_AUTH_TOKEN.name, "").strip(),
        action_token=ACTION_TOKEN.get(),
    )


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
    return ClusterSettings(
        replicas=REPLICAS.get(),
        port=CLUSTER_PORT.get(),
        postgres_port=CLUSTER_POSTGRES_PORT.get(),
        redis_port=CLUSTER_REDIS_PORT.get(),
        directory=VAR_DIR / "cluster",
    )


@dataclass(frozen=True)
class SMTPSettings:
    host: str
    port: int
    security: str
    username: str
    password: str
    sender: str


def smtp_settings() -> "SMTPSettings | None":
    """The mail server alerts are e-mailed through, if SMTP_HOST is set."""
    host = SMTP_HOST.get()
    if not host:
        return None
    sender = SMTP_FROM.get() or f"alerts@{host}"
    return SMTPSettings(host, SMTP_PORT.get(), SMTP_SECURITY.get(), SMTP_USERNAME.get(), SMTP_PASSWORD.get(), sender)


def filled(value: str) -> str:
    """A credentials.yml value with its ${VARIABLES} filled from the environment."""
    return string.Template(value).safe_substitute(os.environ)


def _kept_secret(setting: Setting[str], file_name: str) -> bytes:
    """The setting's value, or a random secret kept in var/`file_name` (created on first use,
    readable by its owner only)."""
    given = setting.get()
    if given:
        return given.encode()
    path = VAR_DIR / file_name
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


def session_secret() -> bytes:
    """SESSION_SECRET, or a random secret kept in var/session-secret, so that sessions survive a restart."""
    return _kept_secret(SESSION_SECRET, "session-secret")


def erasure_log_key() -> bytes:
    """ERASURE_LOG_KEY, or a random secret kept in var/erasure-log-key."""
    return _kept_secret(ERASURE_LOG_KEY, "erasure-log-key")


def variables_set(names: Iterable[str]) -> bool:
    """Whether every one of these environment variables is set (and not blank)."""
    return all(os.environ.get(name, "").strip() for name in names)


def export(names: Iterable[str]) -> None:
    """Sets each of these variables that is a setting in this process's environment to its value
    (its default when unset), so that a file read with Rasa's `${VARIABLE}` substitution, which
    knows no defaults, sees this table's; other names are left as they are."""
    table = {setting.name: setting for setting in SETTINGS}
    for name in names:
        if name in table:
            os.environ[name] = str(table[name].get())


def disable_rasa_telemetry() -> None:
    """Rasa's telemetry and error reporting would send data to Rasa's servers: off in every process
    that imports Rasa (set before importing it)."""
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"


def read_by(process: str) -> List[Setting[Any]]:
    """The settings a process reads, in the table's order."""
    if process not in PROCESSES:
        raise ValueError(f"unknown process {process!r}; use one of {', '.join(PROCESSES)}")
    return [s for s in SETTINGS if process in s.readers]


def process_environment(process: str, values: Mapping[str, str], extra_names: Iterable[str] = ()) -> Dict[str, str]:
    """The part of `values` (the environment, with overrides) a process needs."""
    names = (*BASE_VARIABLES, *(s.name for s in read_by(process)), *extra_names)
    return {name: values[name] for name in names if values.get(name)}


def environment() -> Mapping[str, str]:
    """This process's environment, for handing its relevant part to the processes it starts."""
    return os.environ


def markdown_table() -> str:
    """docs/settings.md: every setting, its default, what it means and which processes read it."""
    lines = [
        "<!-- Written by `python -m bot.settings` from bot/settings.py: run it again instead of editing. -->",
        "",
        "# Settings",
        "",
        "Every environment variable the assistant reads (channel secrets: [channels.md](channels.md)).",
        "",
        "| variable | default | meaning | read by |",
        "| --- | --- | --- | --- |",
    ]
    for setting in SETTINGS:
        default = setting.shown_default or (f"`{setting.default}`" if setting.default else "unset")
        readers = ", ".join(setting.readers)
        lines.append(f"| `{setting.name}` | {default} | {setting.meaning} | {readers} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    SETTINGS_DOC.write_text(markdown_table(), encoding="utf-8")
    sys.stdout.write(f"wrote {SETTINGS_DOC.relative_to(PROJECT_ROOT)}\n")
