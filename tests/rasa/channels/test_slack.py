"""Slack: signed Events API and interactivity requests in, chat.postMessage out."""

import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import urlencode

import requests

from tests.conftest import CHANNEL_SECRETS

SECRET = CHANNEL_SECRETS["SLACK_SIGNING_SECRET"]


REPLY_PATH = "/chat.postMessage"


def message_event(channel: str, text: str, event_id: str = "") -> dict:
    """An Events API message event (https://api.slack.com/events/message)."""
    return {
        "token": "XXYYZZ",
        "team_id": "T061EG9R6",
        "api_app_id": "A0PNCHHK2",
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": 1355517523,
        "event": {
            "type": "message",
            "channel": channel,
            "user": "U2147483697",
            "text": text,
            "ts": "1355517523.000005",
            "channel_type": "im",
        },
    }


def post(
    assistant, raw: bytes, content_type: str, secret: str = SECRET, timestamp: int = None, retry: int = 0
) -> requests.Response:
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return requests.post(f"{assistant.rasa_url}/webhooks/slack/webhook", data=raw, headers=headers, timeout=60)


def post_event(assistant, body: dict, **kwargs) -> requests.Response:
    return post(assistant, json.dumps(body).encode(), "application/json", **kwargs)


def deliver(assistant, sender: str, text: str, delivery_id: str = "", retry: int = 0) -> requests.Response:
    """Delivers a message event as Slack does; the same delivery_id (event_id) makes it a re-delivery,
    `retry` marks it as Slack's n-th retry."""
    body = json.dumps(message_event(sender, text, delivery_id)).encode()
    return post(assistant, body, "application/json", retry=retry)


def test_url_verification(assistant):
    body = {
        "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    answer = post_event(assistant, body)
    assert answer.status_code == 200 and answer.json() == {"challenge": body["challenge"]}


def test_a_message_is_answered_with_chat_post_message(assistant, provider_api):
    mark = provider_api.mark()
    assert post_event(assistant, message_event("D024BE91L", "where is the clinic?")).status_code == 200
    calls = provider_api.wait_for("/chat.postMessage", mark, count=2)
    assert all(c.json["channel"] == "D024BE91L" for c in calls)
    assert any("8631 W. 3rd Street, Suite 815E" in c.json["text"] for c in calls)
    assert calls[0].headers["Authorization"] == f"Bearer {CHANNEL_SECRETS['SLACK_BOT_TOKEN']}"


def test_choices_are_buttons_and_a_press_picks_one(assistant, provider_api):
    mark = provider_api.mark()
    post_event(assistant, message_event("D024BE91M", "how long does recovery take?"))
    blocks = provider_api.wait_for("/chat.postMessage", mark, count=2)[-1].json["blocks"]
    button = blocks[1]["elements"][2]
    assert button["text"]["text"] == "Minimally invasive spinal fusion"
    press = {
        "type": "block_actions",
        "user": {"id": "U2147483697"},
        "channel": {"id": "D024BE91M"},
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "actions": [{"action_id": "a", "block_id": "b", "type": "button", "value": button["value"]}],
    }
    mark = provider_api.mark()
    post(assistant, urlencode({"payload": json.dumps(press)}).encode(), "application/x-www-form-urlencoded")
    assert "8–12 weeks for bone healing" in provider_api.wait_for("/chat.postMessage", mark)[-1].json["text"]


def test_bad_stale_or_missing_signatures_are_rejected(assistant, provider_api):
    mark = provider_api.mark()
    body = message_event("D024BE91N", "hello")
    assert post_event(assistant, body, secret="wrong").status_code == 403
    assert post_event(assistant, body, timestamp=int(time.time()) - 3600).status_code == 403
    unsigned = requests.post(f"{assistant.rasa_url}/webhooks/slack/webhook", json=body, timeout=30)
    assert unsigned.status_code == 403
    assert provider_api.calls_to("/chat.postMessage", mark) == []
