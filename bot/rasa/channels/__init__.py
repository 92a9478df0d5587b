"""Messaging channels: one module per provider, plus what they share.

credentials.yml lists every channel with its secrets as ${ENVIRONMENT_VARIABLES}. A channel is
enabled only when all the variables it names are set (`enabled_credentials`), so secrets never
live in the repository and an unconfigured provider is simply off.
"""

from __future__ import annotations

import hmac
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from bot import settings

_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def variables_in(value: Any) -> List[str]:
    """The ${VARIABLES} a credentials entry refers to."""
    if isinstance(value, str):
        return _VARIABLE.findall(value)
    if isinstance(value, dict):
        return [v for item in value.values() for v in variables_in(item)]
    if isinstance(value, list):
        return [v for item in value for v in variables_in(item)]
    return []


def channel_configs(path: Path) -> Dict[str, Any]:
    """Every channel of credentials.yml with its configuration (${VARIABLE} placeholders kept)."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def channel_variables(path: Path) -> List[str]:
    """Every ${VARIABLE} of credentials.yml, once each, in the file's order: the channels' secrets
    and settings, which only the Rasa server is given."""
    return list(dict.fromkeys(v for config in channel_configs(path).values() for v in variables_in(config)))


def enabled_credentials(path: Path) -> Dict[str, Any]:
    """The channels of credentials.yml whose environment variables are all set.

    Values keep their ${VARIABLE} placeholders; Rasa fills them in when it reads the file.
    """
    return {
        name: config for name, config in channel_configs(path).items() if settings.variables_set(variables_in(config))
    }


def write_enabled_credentials(source: Path, target: Path) -> List[str]:
    """Writes the enabled channels to target (no secrets in it); returns their names."""
    enabled = enabled_credentials(source)
    target.write_text(yaml.safe_dump(enabled, sort_keys=False), encoding="utf-8")
    return list(enabled)


def has_token(request: Any, token: str) -> bool:
    """Whether a request carries the token (`Authorization: Bearer <token>` or `?token=<token>`),
    compared in constant time; a blank token never matches."""
    bearer = request.headers.get("Authorization", "")
    given = bearer[len("Bearer ") :] if bearer.startswith("Bearer ") else request.args.get("token", "")
    return matches(given, token)


def matches(given: str, expected: str) -> bool:
    """Whether a secret or signature a request carries is the expected one, compared in constant
    time and as bytes (so any header text compares); a blank one never matches."""
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def button_titles(buttons: Optional[List[Dict[str, Any]]]) -> List[str]:
    return [str(b.get("title", "")) for b in buttons or []]


ELLIPSIS = "…"


def shortened(title: str, limit: int) -> str:
    """The title within `limit` characters (a provider's button limit): if longer, its whole words
    that fit with an ellipsis after them; mid-word only when not even the first word fits."""
    if len(title) <= limit:
        return title
    space = title.rfind(" ", 0, limit)
    kept = title[:space].rstrip(" ") if space > 0 else ""
    return (kept or title[: limit - len(ELLIPSIS)]) + ELLIPSIS


def numbered_choices(text: str, buttons: List[Dict[str, Any]]) -> str:
    """Buttons as numbered lines, for channels without buttons (SMS, WhatsApp)."""
    lines = [f"{i}. {title}" for i, title in enumerate(button_titles(buttons), start=1)]
    return "\n".join([text, *lines, "Reply with a number."])


def choice_payload(text: str, buttons: List[Dict[str, Any]]) -> Optional[str]:
    """The payload of the numbered choice a reply like "2" picks, if it picks one."""
    choice = text.strip().rstrip(".")
    if choice.isdigit() and 1 <= int(choice) <= len(buttons):
        return str(buttons[int(choice) - 1].get("payload", ""))
    return None


async def last_buttons(request: Any, sender_id: str) -> List[Dict[str, Any]]:
    """The buttons of the bot's latest message to this sender, read from the tracker store."""
    agent = request.app.ctx.agent
    tracker = await agent.tracker_store.retrieve(sender_id) if agent and agent.tracker_store else None
    if tracker is None:
        return []
    for event in reversed(tracker.events):
        if event.type_name == "user":
            return []
        if event.type_name == "bot":
            buttons = (event.data or {}).get("buttons")
            if buttons:
                return buttons
    return []


def namespaced(channel: str, sender: str) -> str:
    """A conversation id of its channel's own ("telegram:123"): two channels never share one."""
    return f"{channel}:{sender}"


def channel_of(conversation_id: str) -> str:
    """The channel of a conversation id (namespaced's inverse); "unknown" for an id without one."""
    return conversation_id.split(":", 1)[0] if ":" in conversation_id else "unknown"
