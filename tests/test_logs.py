"""Log lines of both servers carry nothing of a patient: exceptions without their message or
values, structured entries without their fields, paths and query strings redacted."""

import logging

from bot.logs import RedactingFilter, SafeFormatter, keep_safe_fields, redact


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("rasa.core", logging.ERROR, __file__, 1, message, args, exc_info)


def test_an_exception_is_logged_as_its_type_and_frames_only():
    def fail(text: str) -> None:
        raise ValueError(f"could not parse {text!r}")

    try:
        fail("my incision is leaking")
    except ValueError as error:
        line = SafeFormatter("%(message)s").format(record("failed", exc_info=(ValueError, error, error.__traceback__)))
    assert "builtins.ValueError (message withheld)" in line and "in fail" in line
    assert "incision" not in line


def test_conversation_ids_and_query_strings_are_redacted():
    line = redact("POST /conversations/twilio:+15551234567/tracker/events?token=s3cret failed")
    assert line == "POST /conversations/<redacted>/tracker/events?<redacted> failed"
    entry = record("GET %s", "/webhooks/rest/webhook?token=s3cret")
    RedactingFilter().filter(entry)
    assert entry.getMessage() == "GET /webhooks/rest/webhook?<redacted>"


def test_structured_entries_keep_only_their_event_name():
    try:
        raise KeyError("+15551234567")
    except KeyError as error:
        fields = keep_safe_fields(
            None, "error", {"event": "action.failed", "text": "my leg is numb", "exc_info": error}
        )
    assert set(fields) == {"event", "exception"} and "+1555" not in str(fields)
