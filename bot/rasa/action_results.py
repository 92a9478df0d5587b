"""The action server's replies, validated against Rasa's schema compiled once.

Rasa 3.6 checks every reply of the action server with `jsonschema.validate`, which first checks
the schema itself against the JSON Schema meta-schema, on every call: a third of the Rasa
server's time per message in a profile (py-spy, docs/speed.md). The same validation
with a validator built once for the schema costs a fraction of that. Installed by the Rasa server
at start (bot/rasa/serve.py).
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Text

from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(_: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result with the compiled validator: raises the same
    ValidationError, with the same explanation, for a reply Rasa would refuse."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(result))  # the error jsonschema.validate raises
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the Action "
        f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Makes every RemoteAction validate with the compiled validator."""
    RemoteAction._validate_action_result = validate_action_result
