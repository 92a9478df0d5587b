"""Logging for the Rasa server and the action server: nothing of a patient reaches a log line.

Conversations are health information. Rasa and rasa_sdk log exceptions with their messages,
local variables and request bodies, any of which can hold message text, slot values or sender
ids (a phone number on SMS). Here exceptions are rendered as their type and the frames they
passed (file, line, function) only, and structured log entries keep only their event name and
level: every other field (text, tracker, slots...) is dropped.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from types import TracebackType
from typing import Any, Dict, MutableMapping, Optional, Tuple, Type

import structlog

ExcInfo = Tuple[Type[BaseException], BaseException, Optional[TracebackType]]
SAFE_FIELDS = ("event", "level", "timestamp", "logger")


def describe_exception(exc_info: ExcInfo) -> str:
    """The exception's type and where it passed, without its message or any values."""
    kind, _, trace = exc_info
    frames = [f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(trace)]
    return "\n".join([f"{kind.__module__}.{kind.__qualname__} (message withheld)", *frames])


_CONVERSATION_PATH = re.compile(r"(/conversations/)[^/\s'\"?]+")
_QUERY = re.compile(r"\?[^\s'\"]*")


def redact(message: str) -> str:
    """A log message without conversation ids in API paths or query strings (tokens, sender ids)."""
    return _QUERY.sub("?<redacted>", _CONVERSATION_PATH.sub(r"\1<redacted>", message))


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        return True


class SafeFormatter(logging.Formatter):
    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return describe_exception(ei)

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return ""


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
    """A structlog processor: only the event name and level survive; an exception becomes its
    type and frames."""
    safe = {key: event_dict[key] for key in SAFE_FIELDS if key in event_dict}
    exc_info = _exc_info(event_dict.get("exc_info"))
    if exc_info is not None:
        safe["exception"] = describe_exception(exc_info)
    return safe


def configure(level: int = logging.INFO) -> None:
    """Safe logging for the whole process (call before Rasa or rasa_sdk log anything)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)-8s %(name)s - %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("sanic.access", "sanic.error", "sanic.root"):  # Sanic's own handlers bypass ours
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("sanic.access").disabled = True  # request lines carry ids and tokens
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per run of bot/rasa/timer.py's jobs
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.processors.add_log_level,
            keep_safe_fields,
            structlog.processors.JSONRenderer(),
        ],
        context_class=dict,
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
