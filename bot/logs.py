"""Logging for every process of the assistant: system errors in full, nothing of a patient.

Conversations are health information. Rasa and rasa_sdk log exceptions with their messages,
local variables and request bodies, any of which can hold message text, slot values or sender
ids (a phone number on SMS). Here an exception is rendered as its type and the frames it passed
(file, line, function); its message is shown only if its type is on the allow-list
SYSTEM_ERRORS (errors of the operating system, the network, the databases and the
configuration, whose messages come from the system, never from a conversation), with passwords,
tokens, conversation ids and query strings redacted. The exceptions it was caused by are
rendered the same way. Structured (structlog) entries keep only their event name and exception.

LOG_FORMAT=json writes one JSON object per line (time, level, logger, message, exception) instead
of text lines; uncaught exceptions and Python's warnings go through the same path.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import traceback
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Dict, List, Mapping, MutableMapping, Optional, Tuple, Type

import structlog

from bot import settings

ExcInfo = Tuple[Type[BaseException], Optional[BaseException], Optional[TracebackType]]

SYSTEM_ERRORS: Mapping[str, str] = {
    "builtins.OSError": "the operating system's error text (errno) with the address, host or file it concerns: "
    "a port in use, a connection refused, a missing file, TLS; also TimeoutError, ConnectionError and the HTTP "
    "clients' errors built on OSError (requests, aiohttp), whose URLs are redacted",
    "asyncio.exceptions.TimeoutError": "an await that took too long (asyncio.TimeoutError): no text of its own",
    "concurrent.futures._base.TimeoutError": "a thread or process pool's result that took too long",
    "httpx.TimeoutException": "httpx: which phase of a request (connect, read, write, pool) timed out",
    "httpx.NetworkError": "httpx: the connection failed, with the operating system's error text",
    "aiohttp.client_exceptions.ClientConnectionError": "aiohttp: the host and port it could not reach, or that "
    "the server disconnected or timed out",
    "redis.exceptions.ConnectionError": "Redis unreachable or refusing the password: its host, port and the "
    "operating system's error text",
    "redis.exceptions.TimeoutError": "a Redis command that timed out",
    "sqlalchemy.exc.OperationalError": "the database unreachable, locked, out of space, a statement cancelled: "
    "the driver's message and the statement without its values (never its parameters)",
    "sqlalchemy.exc.InterfaceError": "the driver's connection is unusable (closed, wrong state)",
    "sqlalchemy.exc.ProgrammingError": "a missing table or column, or a syntax error in the code's SQL; the "
    "statement's values are never shown",
    "sqlalchemy.exc.TimeoutError": "no pooled connection came free in time: the pool's size and timeout",
    "sqlite3.OperationalError": "SQLite's message, e.g. 'database is locked', 'unable to open database file'",
    "sqlite3.InterfaceError": "SQLite's message about the connection",
    "sqlite3.ProgrammingError": "SQLite's message about the code's SQL (a closed database, a wrong number of "
    "bindings: never their values)",
    "psycopg2.OperationalError": "PostgreSQL's message: server unreachable, authentication failed, "
    "statement cancelled, deadlock",
    "psycopg2.InterfaceError": "psycopg2's message about the connection (closed)",
    "psycopg2.ProgrammingError": "PostgreSQL's message about the code's SQL (relation or column missing)",
    "bot.settings.ConfigurationError": "written to name the variable, what is wrong with its value and the fix",
    "bot.clinic.ClinicProfileError": "written to name the profile file, the field and the fix",
    "bot.rasa.channels.provider.ProviderError": "a messaging provider's API did not take a call: written to name "
    "the provider and the HTTP status or error type, never the text",
}
"""Exception types whose messages are shown, by module and name (a subclass counts), each with why
its message is safe. Not here, so withheld: everything else, among them ValueError and KeyError
(their messages quote the value they could not take), Rasa's and TensorFlow's errors, and the
database errors that quote the values of a row: IntegrityError ("Key (id)=(...) already exists")
and DataError ("invalid input syntax: '...'")."""

CHAIN_DEPTH = 5  # at most this many causes of an exception are rendered
SAFE_FIELDS = ("event",)

_CONVERSATION_PATH = re.compile(r"(/conversations/)[^/\s'\"?]+")
_QUERY = re.compile(r"(?<=[\w/])\?[^\s'\"]+")  # after a path: not SQL's placeholders, nor a question
_URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@", re.IGNORECASE)
_TELEGRAM_TOKEN = re.compile(r"(/bot)\d+:[\w-]+")
_SQL_STRING = re.compile(r"'(?:[^']|'')*(?:'|\Z)")  # to the end if cut short
_HIDDEN_LITERAL = "'?'"
_STATEMENT_CONTEXT = re.compile(r"LINE \d+:|CONTEXT:|DETAIL:|\s*\^\s*$")
_DATABASE_MODULES = ("sqlalchemy.", "sqlite3.", "psycopg2.")
TEXT_FORMAT = "%(asctime)s %(levelname)-8s %(name)s - %(message)s"


def redact(message: str) -> str:
    """A log message without conversation ids in API paths, query strings (tokens, sender ids),
    passwords in URLs (postgresql://user:***@host) or Telegram bot tokens in API paths."""
    message = _URL_PASSWORD.sub(r"\1***@", message)
    message = _TELEGRAM_TOKEN.sub(r"\1<redacted>", message)
    return _QUERY.sub("?<redacted>", _CONVERSATION_PATH.sub(r"\1<redacted>", message))


def _name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def is_system_error(error: BaseException) -> bool:
    """Whether the error's type (or one it derives from) is on the allow-list SYSTEM_ERRORS."""
    return any(_name(kind) in SYSTEM_ERRORS for kind in type(error).__mro__)


def _without_values(message: str) -> str:
    """A database's message without what could quote a statement's values: the statement line
    PostgreSQL points into (psycopg2 puts the values into the statement it sends), its DETAIL and
    CONTEXT (which can quote a row), and every quoted literal."""
    kept = [line for line in message.splitlines() if line.strip() and not _STATEMENT_CONTEXT.match(line)]
    return _SQL_STRING.sub(_HIDDEN_LITERAL, "\n".join(kept))


def _statement_error_message(error: Any) -> str:
    """A SQLAlchemy statement error as SQLAlchemy renders it with `hide_parameters` set: the
    driver's message and the statement, never its parameters."""
    lines = [f"({_name(type(error.orig))}) {error.orig}" if error.orig is not None else "(no driver error)"]
    if error.statement:
        lines.append(f"[SQL: {error.statement}]")
    if error.params:
        lines.append("[SQL parameters hidden]")
    return "\n".join(lines)


def safe_message(error: BaseException) -> Optional[str]:
    """The error's message, redacted, if its type is on the allow-list; else None (withheld).
    A database's message also loses the statement's values (_without_values)."""
    if not is_system_error(error):
        return None
    names = [_name(kind) for kind in type(error).__mro__]
    message = _statement_error_message(error) if "sqlalchemy.exc.StatementError" in names else str(error)
    if names[0].startswith(_DATABASE_MODULES):
        message = _without_values(message)
    return redact(message).strip()


def reason(error: BaseException) -> str:
    """A short, safe account of an error for a one-line log: its type, and its message (on one
    line) if allowed."""
    message = " ".join((safe_message(error) or "").split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def exception_fields(exc_info: ExcInfo, depth: int = 0) -> Dict[str, Any]:
    """An exception as JSON-ready fields: type, message (only if allowed), frames (file:line in
    function), and the exception it came from ("cause", raised from; "context", raised while
    handling it), rendered the same way."""
    kind, error, trace = exc_info
    fields: Dict[str, Any] = {"type": _name(kind)}
    message = safe_message(error) if error is not None else None
    if message is not None:
        fields["message"] = message
    fields["frames"] = [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(trace)]
    if error is None or depth >= CHAIN_DEPTH:
        return fields
    for link, earlier in (("cause", error.__cause__), ("context", error.__context__)):
        if earlier is not None and (link == "cause" or not error.__suppress_context__):
            fields[link] = exception_fields((type(earlier), earlier, earlier.__traceback__), depth + 1)
            break
    return fields


_LINKS = {"cause": "caused by", "context": "while handling"}


def _text_lines(fields: Mapping[str, Any], heading: str = "") -> List[str]:
    shown = f": {fields['message']}" if "message" in fields else " (message withheld)"
    lines = [f"{heading}{fields['type']}{shown}", *(f"  {frame}" for frame in fields["frames"])]
    for link, words in _LINKS.items():
        if link in fields:
            lines.extend(_text_lines(fields[link], f"{words} "))
    return lines


def describe_exception(exc_info: ExcInfo) -> str:
    """The exception as text: its type and message (or "(message withheld)") with its frames,
    then the exceptions it came from."""
    return "\n".join(_text_lines(exception_fields(exc_info)))


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        return True


class SafeFormatter(logging.Formatter):
    """Text lines; exceptions as describe_exception renders them, no stack dumps."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return describe_exception(ei)

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return ""


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message and, if any, the
    exception as exception_fields renders it."""

    def format(self, record: logging.LogRecord) -> str:
        entry: Dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        exc_info = _exc_info(record.exc_info)
        if exc_info is not None:
            entry["exception"] = exception_fields(exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _exc_info(value: Any) -> Optional[ExcInfo]:
    if isinstance(value, BaseException):
        return (type(value), value, value.__traceback__)
    if value is True:
        found = sys.exc_info()
        return found if found[0] is not None else None
    if isinstance(value, tuple) and value and value[0] is not None:
        return value
    return None


def keep_safe_fields(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> Dict[str, Any]:
    """A structlog processor: only the event name and the exception survive (the exception to be
    rendered by the log's formatter, as any other)."""
    safe = {key: event_dict[key] for key in SAFE_FIELDS if key in event_dict}
    exc_info = _exc_info(event_dict.get("exc_info"))
    if exc_info is not None:
        safe["exc_info"] = exc_info
    return safe


def _log_uncaught(kind: Type[BaseException], error: BaseException, trace: Optional[TracebackType]) -> None:
    if not issubclass(kind, KeyboardInterrupt):
        logging.getLogger("uncaught").critical(
            "the process stopped on an uncaught exception", exc_info=(kind, error, trace)
        )


def _log_uncaught_in_thread(args: Any) -> None:
    if not issubclass(args.exc_type, SystemExit):
        logging.getLogger("uncaught").critical(
            "thread %s stopped on an uncaught exception",
            getattr(args.thread, "name", "?"),
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )


def configure(level: int = logging.INFO) -> None:
    """Safe logging for the whole process, in LOG_FORMAT (call before Rasa or rasa_sdk log
    anything). A bad LOG_FORMAT is logged as text and stops the process (exit code 2)."""
    try:
        structured = settings.log_format() == "json"
    except settings.ConfigurationError as error:
        _install(SafeFormatter(TEXT_FORMAT), level)
        logging.getLogger(__name__).critical("cannot start: %s", error)
        raise SystemExit(2) from None
    if structured:  # TensorFlow writes its C++ messages itself, never as JSON: only its errors then
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    _install(JSONFormatter() if structured else SafeFormatter(TEXT_FORMAT), level)


def _install(formatter: logging.Formatter, level: int) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("sanic.access", "sanic.error", "sanic.root"):  # Sanic's own handlers bypass ours
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("sanic.access").disabled = True  # request lines carry ids and tokens
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per run of bot/rasa/timer.py's jobs
    logging.captureWarnings(True)
    logging.raiseExceptions = False  # a failed write would print the record's exception in full to stderr
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, keep_safe_fields, structlog.stdlib.render_to_log_kwargs],
        context_class=dict,
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
