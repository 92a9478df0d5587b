"""The REST channel: a body that is not a message is refused with 400, a message the assistant
failed to handle is answered 503, in process and on a real server whose shared conversation
database does not answer (the token is tested against the running assistant in
tests/test_server_privacy.py)."""

import json

import pytest
import requests
from hypothesis import given, settings

from bot.names import ClientMessage
from bot.rasa.channels.rest import NOT_HANDLED, TokenRestInput
from bot.rasa.conversation_store import StoreUnavailable
from bot.runtime.client import conversation_id
from tests.rasa.channels.in_process import in_process
from tests.rasa.channels.malformed import json_bodies
from tests.rasa.stores import held_by_another_writer

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


QUESTION = "will there be screws and rods in my back after fusion?"


def test_a_message_a_real_server_could_not_store_is_answered_503_then_once_when_sent_again(
    shared_assistant, tmp_path, sender
):
    client = shared_assistant.client()
    client.send(sender, "hello")  # the conversation is stored

    def send(**fields) -> requests.Response:
        body = {"sender": sender, "message": QUESTION, **fields}
        headers = {"Authorization": f"Bearer {shared_assistant.token}"}
        return requests.post(
            f"{shared_assistant.rasa_url}/webhooks/rest/webhook", json=body, headers=headers, timeout=90
        )

    with held_by_another_writer(tmp_path / "conversations.db"):  # reads go on, saves fail
        refused = send(**{ClientMessage.MESSAGE_ID: "outage-0001"})
    assert refused.status_code == 503 and refused.json() == {"error": NOT_HANDLED}
    again = send(**{ClientMessage.MESSAGE_ID: "outage-0001", ClientMessage.RETRY: True})
    assert again.status_code == 200 and any("rods" in reply["text"] for reply in again.json())
    tracker = client._get(f"/conversations/{conversation_id(sender)}/tracker")
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["hello", QUESTION]
