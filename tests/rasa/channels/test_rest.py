"""The REST channel: a body that is not a message is refused with 400 (the token is tested
against the running assistant in tests/test_server_privacy.py)."""

import json

import pytest
from hypothesis import given, settings

from bot.rasa.channels.rest import TokenRestInput
from tests.rasa.channels.in_process import in_process
from tests.rasa.channels.malformed import json_bodies

TOKEN = "rest-channel-token"
BEARER = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def webhook(provider_api, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RASA_AUTH_TOKEN", TOKEN)
        with in_process(TokenRestInput(), provider_api.url, tmp_path_factory.mktemp("rest")) as webhook:
            yield webhook


MESSAGE = {"sender": "clinic-server-1", "message": "where is the clinic?", "message_id": "m-1", "retry": False}


@settings(max_examples=50, deadline=None)
@given(json_bodies(MESSAGE, [("sender",), ("message",)]))
def test_a_body_that_is_not_a_message_is_refused_with_400(webhook, body):
    status, reason = webhook.post(body, BEARER)
    assert status == 400 and json.loads(reason)["error"].startswith('send {"sender": ..., "message": ...}: ')
    assert not webhook.messages


def test_the_token_is_checked_first(webhook):
    assert webhook.post(b"[]", {})[0] == 401
