"""Log lines of every process carry nothing of a patient, but system errors in full: exceptions
off the allow-list without their message, structured entries without their fields, paths, query
strings and passwords redacted; a port in use, a database error (without its parameters) shown
as the system said it, as text or as JSON."""

import importlib
import io
import json
import logging
import socket
import subprocess
import sys
import threading
from typing import Callable, Iterator, List

import pytest
import structlog
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from bot import logs, settings
from bot.logs import SYSTEM_ERRORS, RedactingFilter, SafeFormatter, keep_safe_fields, redact
from bot.runtime.services import (
    free_port,
    isolated_environment,
    isolated_settings,
    service_environments,
    start_services,
    stop_services,
)

PATIENT_TEXT = "my incision is leaking since Tuesday"


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("rasa.core", logging.ERROR, __file__, 1, message, args, exc_info)


@pytest.fixture(params=["text", "json"])
def log_lines(request, monkeypatch) -> Iterator[Callable[[], List[str]]]:
    """This process logging as `logs.configure()` sets it up, in each LOG_FORMAT; the lines it
    wrote (each parsed, for JSON). Logging is put back afterwards."""
    root, hooks, structlog_config = logging.getLogger(), (sys.excepthook, threading.excepthook), structlog.get_config()
    handlers, level = root.handlers[:], root.level
    monkeypatch.setenv("LOG_FORMAT", request.param)
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")  # what configure() sets for JSON
    logs.configure()
    output = io.StringIO()
    root.handlers[0].setStream(output)  # type: ignore[attr-defined]

    def lines() -> List[str]:
        written = output.getvalue().splitlines()
        if request.param == "json":
            return [json.dumps(json.loads(line)) for line in written]  # each line is one JSON object
        return written

    yield lines
    root.handlers, root.level = handlers, level
    sys.excepthook, threading.excepthook = hooks
    logging.captureWarnings(False)
    structlog.configure(**structlog_config)


def patient_error() -> ValueError:
    def parse(message: str) -> None:
        raise ValueError(f"could not parse {message!r}")

    try:
        parse(PATIENT_TEXT)
    except ValueError as error:
        return error
    raise AssertionError("unreachable")


def test_an_exception_off_the_allow_list_is_logged_as_its_type_and_frames_only():
    error = patient_error()
    line = SafeFormatter("%(message)s").format(record("failed", exc_info=(ValueError, error, error.__traceback__)))
    assert "builtins.ValueError (message withheld)" in line and "in parse" in line
    assert "incision" not in line


def test_a_value_error_with_patient_text_is_withheld_in_both_formats(log_lines):
    logging.getLogger("rasa.core.processor").error("message failed", exc_info=patient_error())
    logged = "\n".join(log_lines())
    assert "builtins.ValueError" in logged and "in parse" in logged
    assert "incision" not in logged


def test_causes_are_judged_one_by_one(log_lines):
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except OSError as refused:
            raise ValueError(f"no answer to {PATIENT_TEXT!r}") from refused
    except ValueError as error:
        logging.getLogger("actions").error("action failed", exc_info=error)
    try:
        try:
            raise patient_error()
        except ValueError:
            raise TimeoutError("the action server took longer than 10 s") from None
    except TimeoutError as error:
        logging.getLogger("actions").error("action failed", exc_info=error)
    logged = "\n".join(log_lines())
    assert "[Errno 111] Connection refused" in logged and "took longer than 10 s" in logged
    assert "incision" not in logged


def test_conversation_ids_query_strings_passwords_and_bot_tokens_are_redacted():
    line = redact("POST /conversations/twilio:+15551234567/tracker/events?token=s3cret failed")
    assert line == "POST /conversations/<redacted>/tracker/events?<redacted> failed"
    entry = record("GET %s", "/webhooks/rest/webhook?token=s3cret")
    RedactingFilter().filter(entry)
    assert entry.getMessage() == "GET /webhooks/rest/webhook?<redacted>"
    assert (
        redact("postgresql://bot:s3cret@db.clinic:5432/conversations")
        == "postgresql://bot:***@db.clinic:5432/conversations"
    )
    assert redact("redis://:s3cret@cache:6379/0 refused") == "redis://:***@cache:6379/0 refused"
    assert (
        redact("url: /bot110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage") == "url: /bot<redacted>/sendMessage"
    )


def test_a_password_in_a_system_error_is_redacted(log_lines):
    error = OSError("could not reach postgresql://bot:s3cret@db.clinic/conversations")
    logging.getLogger("bot.database").error("database down", exc_info=error)
    logged = "\n".join(log_lines())
    assert "postgresql://bot:***@db.clinic/conversations" in logged and "s3cret" not in logged


def test_a_database_error_shows_the_drivers_message_but_never_the_values(log_lines):
    engine = create_engine("sqlite://")  # parameters shown by SQLAlchemy itself (no hide_parameters)
    query = text("SELECT * FROM missing_messages WHERE text = :text AND note = 'my leg is numb'")
    try:
        with engine.connect() as connection:
            connection.execute(query, {"text": PATIENT_TEXT})
    except Exception as error:
        assert PATIENT_TEXT in str(error)  # what logging the error's message would have leaked
        logging.getLogger("bot.database").error("query failed", exc_info=True)
    logged = "\n".join(log_lines())
    assert "sqlalchemy.exc.OperationalError" in logged
    assert "(sqlite3.OperationalError) no such table: missing_messages" in logged
    assert "SELECT * FROM missing_messages WHERE text = ? AND note = '?'" in logged
    assert "incision" not in logged and "numb" not in logged


def test_postgresql_errors_lose_the_values_psycopg2_put_into_the_statement(postgres, log_lines):
    engine = create_engine(postgres.url)
    with pytest.raises(ProgrammingError) as raised, engine.connect() as connection:
        connection.execute(text("SELECT missing_column FROM pg_class WHERE relname = :text"), {"text": PATIENT_TEXT})
    engine.dispose()
    assert "'my inci..." in str(raised.value.orig)  # PostgreSQL quotes the statement as sent: values inline
    logging.getLogger("bot.database").error("query failed", exc_info=raised.value)
    logged = "\n".join(log_lines())
    assert "psycopg2.errors.UndefinedColumn" in logged and "missing_column" in logged and "does not exist" in logged
    assert "inci" not in logged


def test_an_unreachable_database_is_shown_as_postgresql_said_it(log_lines):
    engine = create_engine(f"postgresql://bot:s3cret@127.0.0.1:{free_port()}/conversations")
    with pytest.raises(Exception) as raised:
        engine.connect()
    logging.getLogger("bot.database").error("database down", exc_info=raised.value)
    logged = "\n".join(log_lines())
    assert "Connection refused" in logged and "s3cret" not in logged


def test_structured_entries_keep_only_their_event_name(log_lines):
    try:
        raise KeyError("+15551234567")
    except KeyError as error:
        fields = keep_safe_fields(
            None, "error", {"event": "action.failed", "text": "my leg is numb", "exc_info": error}
        )
        structlog.get_logger("rasa.core").error("action.failed", text="my leg is numb", exc_info=error)
    assert set(fields) == {"event", "exc_info"}
    logged = "\n".join(log_lines())
    assert "action.failed" in logged and "builtins.KeyError" in logged
    assert "numb" not in logged and "+1555" not in logged


def test_an_uncaught_exception_goes_through_the_same_path():
    crash = f"from bot import logs; logs.configure(); raise ValueError({PATIENT_TEXT!r})"
    environment = {**settings.process_environment("actions", settings.environment()), "LOG_FORMAT": "json"}
    ran = subprocess.run([sys.executable, "-c", crash], env=environment, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 1 and ran.stderr == ""
    (entry,) = [json.loads(line) for line in ran.stdout.splitlines()]
    assert entry["level"] == "CRITICAL" and entry["exception"]["type"] == "builtins.ValueError"
    assert "message" not in entry["exception"] and "incision" not in ran.stdout


def test_a_one_line_reason_is_the_type_and_only_an_allowed_message():
    assert logs.reason(patient_error()) == "ValueError"
    assert logs.reason(ConnectionRefusedError(111, "Connection refused")) == (
        "ConnectionRefusedError: [Errno 111] Connection refused"
    )


def test_every_allowed_type_is_an_exception_class():
    for name in SYSTEM_ERRORS:
        module, _, qualname = name.rpartition(".")
        assert issubclass(getattr(importlib.import_module(module), qualname), BaseException), name


def test_every_process_is_given_the_log_format():
    environments = service_environments(isolated_settings(), {"LOG_FORMAT": "json"})
    assert {process: env.get("LOG_FORMAT") for process, env in environments.items()} == dict.fromkeys(
        settings.PROCESSES, "json"
    )


@pytest.mark.servers
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_console_whose_port_is_taken_says_why_and_exits_non_zero(tmp_path, log_format):
    server = isolated_settings()
    env = {**isolated_environment(tmp_path), "BIND_ADDRESS": "127.0.0.1", "LOG_FORMAT": log_format}
    with socket.create_server(("127.0.0.1", server.console_port)):
        services = start_services(server, tmp_path, env, processes=("console",))
        try:
            code = services.processes["console"].wait(timeout=120)
        finally:
            stop_services(services)
    log = services.logs()
    assert code == 1, log
    assert "[Errno 98] Address already in use" in log
    if log_format == "json":
        entries = [json.loads(line) for line in log.splitlines()]
        (failure,) = [entry for entry in entries if entry["level"] == "CRITICAL"]
        assert failure["message"] == f"staff_console cannot listen on 127.0.0.1:{server.console_port}"
        assert failure["exception"]["message"] == "[Errno 98] Address already in use"
