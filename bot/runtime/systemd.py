"""The systemd units a clinic installs (deploy/systemd/), and their example environment files,
written by `python -m bot.runtime.systemd` from the settings table so they name every variable each
process reads (bot/settings.py), the Rasa server's channel secrets too.

The units start each process as `make run` does (`python -m <module>` of bot/runtime/services.py, in
the project's directory), one Rasa server per port (spine-faq-rasa@<port>.service), under a user of
their own, with their secrets in /etc/spine-faq/<process>.env. The demo page (WEB_PORT) is for
development: a clinic serves the widget from its own site, so it has no unit.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path
from typing import Dict, List

from bot import settings
from bot.rasa.channels import channel_variables

UNITS_DIR = settings.PROJECT_ROOT / "deploy" / "systemd"
ENV_DIR = UNITS_DIR / "env"
INSTALL_DIR = "/opt/spine-faq"  # where the units expect the project (its .venv, var/)
UNITS = {
    settings.RASA: "spine-faq-rasa@.service",
    settings.ACTIONS: "spine-faq-actions.service",
    settings.CONSOLE: "spine-faq-console.service",
}
SET_BY_THE_UNIT = {
    settings.RASA: {"RASA_PORT": "the port in the unit's name (spine-faq-rasa@5005.service listens on 5005)"},
}
SAME_TOKEN = "the same value in rasa.env and console.env (the console calls the replicas with it)"
# What production sets instead of the table's defaults, per process: name -> (value, why); a blank
# value is the operator's to fill in (left blank, the default applies).
PRODUCTION_VALUES = {
    settings.RASA: {
        "RASA_AUTH_TOKEN": ("", f"set it (e.g. openssl rand -hex 32), {SAME_TOKEN}"),
        "ACTION_TOKEN": ("", "set it, the same value in actions.env"),
        "SESSION_SECRET": ("", "set it, the same value on every replica"),
        "TRACKER_DATABASE_URL": ("", "several replicas share PostgreSQL: postgresql://user:password@host/db"),
        "LOCK_STORE_URL": ("", "several replicas share Redis: redis://:password@host:6379/0"),
        "CORS_ORIGINS": ("https://www.clinic.example", "the clinic's website, where the widget is"),
        "CONSOLE_PUBLIC_URL": ("https://staff.clinic.example", "the console's name in nginx"),
    },
    settings.ACTIONS: {"ACTION_TOKEN": ("", "set it, the same value in rasa.env")},
    settings.CONSOLE: {
        "RASA_AUTH_TOKEN": ("", f"set it, {SAME_TOKEN}"),
        "TRACKER_DATABASE_URL": ("", "the replicas' database"),
        "ERASURE_LOG_KEY": ("", "set it, and keep a copy with the clinic's secrets"),
        "RASA_REPLICA_URLS": ("http://127.0.0.1:5005,http://127.0.0.1:5006", "every replica, as nginx lists them"),
        "REVIEWED_DATA_FILE": ("var/reviewed.yml", "the labels hold patients' words: in var/ with the other data"),
    },
}
WIDTH = 100
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def plain(meaning: str) -> str:
    """A setting's meaning from the table, without its Markdown."""
    return _LINK.sub(r"docs/\2", meaning).replace("`", "")


def comment(text: str) -> List[str]:
    return textwrap.wrap(text, WIDTH, initial_indent="# ", subsequent_indent="# ")


def env_file(process: str) -> str:
    """/etc/spine-faq/<process>.env: every variable the process reads, each with its meaning and,
    commented out, its default; the values production needs instead of the default, set."""
    production, by_unit = PRODUCTION_VALUES.get(process, {}), SET_BY_THE_UNIT.get(process, {})
    lines = [
        f"# /etc/spine-faq/{process}.env: the environment of {UNITS[process]}.",
        "# Written by `python -m bot.runtime.systemd` from bot/settings.py (docs/settings.md).",
        "# A line left commented keeps its default. Secrets live here: root:spine-faq, mode 0640.",
        f"# Paths are relative to {INSTALL_DIR}.",
    ]
    for setting in settings.read_by(process):
        lines.append("")
        if setting.name in by_unit:
            lines += comment(f"{setting.name}: set by the unit, not here: {by_unit[setting.name]}.")
            continue
        default = plain(setting.shown_default) if setting.shown_default else ""
        meaning = f"port of {setting.meaning}" if setting in settings.PORTS else setting.meaning
        lines += comment(plain(meaning) + (f". Default: {default}." if default else "."))
        if setting.name in production:
            value, why = production[setting.name]
            lines += comment(f"For production: {why}.")
            lines.append(f"{setting.name}={value}")
        else:
            lines.append(f"#{setting.name}={setting.default.replace(str(settings.PROJECT_ROOT), INSTALL_DIR)}")
    if process == settings.RASA:
        lines += ["", *comment("Messaging channels (docs/channels.md): each is on when all its variables are set.")]
        lines += [f"#{name}=" for name in channel_variables(settings.PROJECT_ROOT / "credentials.yml")]
    return "\n".join(lines) + "\n"


def env_files() -> Dict[Path, str]:
    """deploy/systemd/env/<process>.env for every process with a unit."""
    return {ENV_DIR / f"{process}.env": env_file(process) for process in UNITS}


if __name__ == "__main__":
    ENV_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in env_files().items():
        path.write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {path.relative_to(settings.PROJECT_ROOT)}\n")
