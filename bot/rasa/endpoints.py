"""Rasa's endpoints file (ENDPOINTS_FILE, endpoints.yml): the action server, the conversation store
and the lock store, read by Rasa's own reader.

Rasa fills each `${VARIABLE}` in the file from the environment and knows no defaults, so the
variables the file names that are settings are first set from bot/settings.py, the one home of
defaults. Other variables must be in the environment; a missing one stops the server with its name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot import settings

VARIABLE = re.compile(r"\$\{(\w+)\}")


def read(path: Path) -> Any:
    """The endpoints (Rasa's AvailableEndpoints) of the file at `path`; ConfigurationError for a
    missing file, a variable that is neither a setting nor in the environment, or no tracker store
    (Rasa would keep the conversations in memory)."""
    from rasa.core.utils import read_endpoints_from_path
    from rasa.shared.exceptions import RasaException

    if not path.is_file():
        raise settings.ConfigurationError(f"{path} does not exist: set ENDPOINTS_FILE to Rasa's endpoints file")
    settings.export(VARIABLE.findall(path.read_text(encoding="utf-8")))
    try:
        found = read_endpoints_from_path(path)
    except RasaException as error:
        raise settings.ConfigurationError(f"{path}: {error}") from None
    if found.tracker_store is None:
        raise settings.ConfigurationError(f"{path} has no tracker_store: conversations would be kept in memory only")
    return found
