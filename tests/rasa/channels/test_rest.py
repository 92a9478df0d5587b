"""The REST channel: a body that is not a message is refused with 400, a message the assistant
failed to handle is answered 503 (the token is tested against the running assistant in
tests/test_server_privacy.py)."""

import json

import pytest
from hypothesis import given, settings

from bot.rasa.channels.rest import NOT_HANDLED, TokenRestInput
from bot.rasa.conversation_store import StoreUnavailable
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


def test_a_message_the_assistant_failed_to_handle_is_answered_503_not_with_its_unsaved_replies(webhook):
    body = json.dumps(MESSAGE).encode()
    webhook.failure = StoreUnavailable("conversation database unavailable (save)")
    try:
        status, text = webhook.post(body, BEARER)
    finally:
        webhook.failure = None
        webhook.messages.clear()
    assert (status, json.loads(text)) == (503, {"error": NOT_HANDLED})
    assert webhook.post(body, BEARER) == (200, "[]")  # the next message on the connection is answered
    webhook.messages.clear()
