"""The settings table (bot/settings.py): values, clear errors, what each process is given, the docs."""

from __future__ import annotations

import pytest

from bot import settings


def test_unset_or_blank_variables_take_the_default_and_set_ones_are_read(monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", " ")
    assert settings.retention_days() == 30
    monkeypatch.setenv("RETENTION_DAYS", "7")
    assert settings.retention_days() == 7
    monkeypatch.setenv("RASA_PORT", "6005")
    monkeypatch.delenv("RASA_REPLICA_URLS", raising=False)
    assert settings.rasa_replica_urls() == ["http://127.0.0.1:6005"]


UNUSABLE = {  # variable: (value, what the error says)
    "RASA_PORT": ("http", "is not a port number"),
    "CONSOLE_PORT": ("70000", "outside 1-65535"),
    "RETENTION_DAYS": ("-1", "must be at least 0"),
    "TRACKER_DATABASE_URL": ("mysql://db/x", "must be an SQLite or PostgreSQL URL"),
}


@pytest.mark.parametrize("name", UNUSABLE)
def test_a_value_the_assistant_cannot_use_is_refused_with_its_name(monkeypatch, name):
    value, says = UNUSABLE[name]
    monkeypatch.setenv(name, value)
    setting = next(s for s in settings.SETTINGS if s.name == name)
    with pytest.raises(settings.ConfigurationError, match=says) as error:
        setting.get()
    assert name in str(error.value)


def test_the_erasure_log_is_never_the_conversation_database(monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", "postgresql://assistant@db/conversations")
    monkeypatch.setenv("ERASURE_LOG_URL", "postgresql://assistant@db/conversations")
    with pytest.raises(settings.ConfigurationError, match="ERASURE_LOG_URL names the conversation database"):
        settings.erasure_log_url()
    monkeypatch.setenv("ERASURE_LOG_URL", "postgresql://assistant@db/erasures")
    assert settings.erasure_log_url() == "postgresql://assistant@db/erasures"


def test_a_process_is_given_only_the_variables_it_reads():
    values = {"RASA_PORT": "1", "ACTION_TOKEN": "secret", "CONSOLE_PORT": "2", "STAFF_PASSWORD": "x", "PATH": "/bin"}
    assert settings.process_environment("actions", values) == {"ACTION_TOKEN": "secret", "PATH": "/bin"}
    assert settings.process_environment("console", values) == {"RASA_PORT": "1", "CONSOLE_PORT": "2", "PATH": "/bin"}
    with pytest.raises(ValueError, match="unknown process"):
        settings.process_environment("consol", values)


def test_every_setting_has_one_row_and_the_docs_table_is_the_table():
    names = [s.name for s in settings.SETTINGS]
    assert len(names) == len(set(names))
    assert settings.SETTINGS_DOC.read_text(encoding="utf-8") == settings.markdown_table(), (
        "docs/settings.md is out of date: run python -m bot.settings"
    )
