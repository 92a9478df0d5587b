"""The action server's replies are validated as Rasa validates them, with a validator built once."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.rasa.action_results import validate_action_result

VALID = {"events": [{"event": "slot", "name": "procedure", "value": "fusion"}], "responses": [{"text": "Hi"}]}
INVALID = {"events": [{"name": "procedure"}], "responses": "not a list"}


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_recovery_time", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_valid_replies_pass_as_with_rasa(action):
    assert RemoteAction._validate_action_result(action, VALID) is True
    assert validate_action_result(action, VALID) is True


def test_invalid_replies_are_refused_as_with_rasa(action):
    with pytest.raises(ValidationError) as rasa_error:
        RemoteAction._validate_action_result(action, INVALID)
    with pytest.raises(ValidationError) as our_error:
        validate_action_result(action, INVALID)
    assert our_error.value.message == rasa_error.value.message
