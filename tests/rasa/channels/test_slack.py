"""Slack: signed Events API and interactivity requests in, chat.postMessage out."""

import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import urlencode

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from bot.rasa.channels.signed_webhook import POINTER
from bot.rasa.channels.slack import SlackInput
from tests.conftest import CHANNEL_SECRETS
from tests.rasa.channels.in_process import in_process
from tests.rasa.channels.malformed import FORMS, JSON_BUT_NOT_AN_OBJECT, NOT_JSON_TEXT, json_texts, wrong_typed
from tests.rasa.channels.provider_api import direct_message_of

SECRET = CHANNEL_SECRETS["SLACK_SIGNING_SECRET"]
JSON, FORM = "application/json", "application/x-www-form-urlencoded"

REPLY_PATH = "/chat.postMessage"


TEAM = "T061EG9R6"
APP = "U0LAN0Z89"  # the app's bot user, as a mention names it


def event_callback(event: dict, event_id: str = "") -> dict:
    """An Events API delivery of one event (https://api.slack.com/apis/events-api#callback-field)."""
    return {
        "token": "XXYYZZ",
        "team_id": TEAM,
        "api_app_id": "A0PNCHHK2",
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": 1355517523,
        "event": event,
    }


def message_event(user: str, text: str, event_id: str = "") -> dict:
    """A direct message to the app (https://api.slack.com/events/message.im)."""
    event = {"type": "message", "channel": direct_message_of(user), "user": user, "text": text}
    return event_callback({**event, "ts": "1355517523.000005", "channel_type": "im"}, event_id)


def mention_event(user: str, channel: str, text: str) -> dict:
    """A message mentioning the app in a channel (https://api.slack.com/events/app_mention)."""
    event = {"type": "app_mention", "user": user, "text": f"<@{APP}> {text}", "ts": "1515449522.000016"}
    return event_callback({**event, "channel": channel, "event_ts": "1515449522000016"})


def button_press(user: str, value: str) -> dict:
    """A button in the direct message pressed (https://api.slack.com/reference/interaction-payloads/block-actions)."""
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "clinic"},
        "user": {"id": user, "username": "patient", "team_id": TEAM},
        "api_app_id": "A0PNCHHK2",
        "token": "XXYYZZ",
        "container": {
            "type": "message",
            "message_ts": "1548261231.000200",
            "channel_id": direct_message_of(user),
            "is_ephemeral": False,
        },
        "trigger_id": f"13345224609.738474920.{uuid.uuid4().hex}",
        "channel": {"id": direct_message_of(user), "name": "directmessage"},
        "response_url": "https://hooks.slack.com/actions/A0PNCHHK2/1232321423432/D09sSasdasdAS9091209",
        "actions": [
            {
                "action_id": "WaXA",
                "block_id": "=qXel",
                "text": {"type": "plain_text", "text": "Choose", "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": "1548426417.840180",
            }
        ],
    }


def signed(raw: bytes, content_type: str, secret: str = SECRET, timestamp: int = None) -> dict:
    """The headers of a request Slack signed (with Slack's own SDK)."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=raw)
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def post(
    assistant, raw: bytes, content_type: str, secret: str = SECRET, timestamp: int = None, retry: int = 0
) -> requests.Response:
    headers = signed(raw, content_type, secret, timestamp)
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return requests.post(f"{assistant.rasa_url}/webhooks/slack/webhook", data=raw, headers=headers, timeout=60)


def post_event(assistant, body: dict, **kwargs) -> requests.Response:
    return post(assistant, json.dumps(body).encode(), JSON, **kwargs)


def deliver(assistant, sender: str, text: str, delivery_id: str = "", retry: int = 0) -> requests.Response:
    """Delivers a direct message from the user `sender` as Slack does; the same delivery_id
    (event_id) makes it a re-delivery, `retry` marks it as Slack's n-th retry."""
    body = json.dumps(message_event(sender, text, delivery_id)).encode()
    return post(assistant, body, JSON, retry=retry)


URL_VERIFICATION = {
    "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
    "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    "type": "url_verification",
}


def test_url_verification(assistant):
    answer = post_event(assistant, URL_VERIFICATION)
    assert answer.status_code == 200 and answer.json() == {"challenge": URL_VERIFICATION["challenge"]}


def test_a_direct_message_is_answered_in_the_direct_message(assistant, provider_api):
    mark = provider_api.mark()
    assert post_event(assistant, message_event("U0DIRECT1", "where is the clinic?")).status_code == 200
    calls = provider_api.wait_for(REPLY_PATH, mark, count=2)
    assert all(c.json["channel"] == direct_message_of("U0DIRECT1") for c in calls)
    assert any("8631 W. 3rd Street, Suite 815E" in c.json["text"] for c in calls)
    assert calls[0].headers["Authorization"] == f"Bearer {CHANNEL_SECRETS['SLACK_BOT_TOKEN']}"
    assert [c.json for c in provider_api.calls_to("/conversations.open", mark)] == [{"users": "U0DIRECT1"}]


def test_a_mention_in_a_channel_is_answered_in_a_direct_message_and_the_channel_gets_a_pointer(assistant, provider_api):
    mark = provider_api.mark()
    assert post_event(assistant, mention_event("U0MENTION1", "C0SHARED1", "where is the clinic?")).status_code == 200
    calls = provider_api.wait_for(REPLY_PATH, mark, count=3)
    private = [c.json["text"] for c in calls if c.json["channel"] == direct_message_of("U0MENTION1")]
    assert len(private) == 2 and "8631 W. 3rd Street, Suite 815E" in private[-1]
    assert [c.json["text"] for c in calls if c.json["channel"] == "C0SHARED1"] == [POINTER]


def test_a_direct_message_and_a_mention_are_one_conversation(assistant, client, provider_api):
    user, mark = "U0BOTH1", provider_api.mark()
    post_event(assistant, message_event(user, "i had a microdiscectomy 3 weeks ago"))
    provider_api.wait_for(REPLY_PATH, mark, count=2)
    mark = provider_api.mark()
    post_event(assistant, mention_event(user, "C0SHARED1", "what stage of recovery am i in?"))
    provider_api.wait_for(REPLY_PATH, mark, count=3)  # the two replies, then the channel's pointer
    tracker = client._get(f"/conversations/slack:{TEAM}:{user}/tracker")
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == [
        "i had a microdiscectomy 3 weeks ago",
        "what stage of recovery am i in?",
    ]


def test_two_people_in_one_channel_have_separate_conversations(assistant, client, provider_api):
    mark = provider_api.mark()
    post_event(assistant, mention_event("U0SHARE1", "C0SHARED2", "i had a fusion 6 weeks ago"))
    post_event(assistant, mention_event("U0SHARE2", "C0SHARED2", "how long is recovery?"))
    provider_api.wait_for(REPLY_PATH, mark, count=6)
    for user, own in (("U0SHARE1", "i had a fusion 6 weeks ago"), ("U0SHARE2", "how long is recovery?")):
        tracker = client._get(f"/conversations/slack:{TEAM}:{user}/tracker")
        assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == [own]


def test_choices_are_buttons_and_a_press_picks_one(assistant, provider_api):
    mark = provider_api.mark()
    post_event(assistant, message_event("U0CHOICE1", "how long does recovery take?"))
    blocks = provider_api.wait_for(REPLY_PATH, mark, count=2)[-1].json["blocks"]
    button = blocks[1]["elements"][2]
    assert button["text"]["text"] == "Minimally invasive spinal fusion"
    mark = provider_api.mark()
    post(assistant, urlencode({"payload": json.dumps(button_press("U0CHOICE1", button["value"]))}).encode(), FORM)
    answer = provider_api.wait_for(REPLY_PATH, mark)[-1].json
    assert (
        answer["channel"] == direct_message_of("U0CHOICE1")
        and "Bone healing and regaining strength take 8–12 weeks." in answer["text"]
    )


def test_bad_stale_or_missing_signatures_are_rejected(assistant, provider_api):
    mark = provider_api.mark()
    body = message_event("U0SIGNED1", "hello")
    assert post_event(assistant, body, secret="wrong").status_code == 403
    assert post_event(assistant, body, timestamp=int(time.time()) - 3600).status_code == 403
    unsigned = requests.post(f"{assistant.rasa_url}/webhooks/slack/webhook", json=body, timeout=30)
    assert unsigned.status_code == 403
    assert provider_api.calls_to("/chat.postMessage", mark) == []


@pytest.fixture(scope="module")
def webhook(provider_api, tmp_path_factory):
    channel = SlackInput(CHANNEL_SECRETS["SLACK_BOT_TOKEN"], SECRET)
    with in_process(channel, provider_api.url, tmp_path_factory.mktemp("slack")) as webhook:
        yield webhook


EVENT_FIELDS = [("type",), ("team_id",), ("event_id",), ("event",)]
EVENT_FIELDS += [("event", key) for key in ("type", "user", "text", "channel_type")]
MENTION_FIELDS = [("event", key) for key in ("type", "user", "text", "channel")]
PRESS_FIELDS = [("type",), ("trigger_id",), ("team",), ("team", "id"), ("user",), ("user", "id")]
PRESS_FIELDS += [("actions",), ("actions", 0), ("actions", 0, "value"), ("actions", 0, "action_ts")]
EVENTS = json_texts(message_event("U0HYPO1", "hello"), EVENT_FIELDS)
EVENTS |= json_texts(mention_event("U0HYPO1", "C0SHARED1", "hello"), MENTION_FIELDS)
EVENTS |= json_texts(URL_VERIFICATION, [("type",), ("challenge",)])
PRESSES = FORMS | (
    NOT_JSON_TEXT | JSON_BUT_NOT_AN_OBJECT | wrong_typed(button_press("U0HYPO1", "1"), PRESS_FIELDS)
).map(lambda payload: urlencode({"payload": payload}))


@settings(max_examples=50, deadline=None)
@given(st.tuples(EVENTS, st.just(JSON)) | st.tuples(PRESSES, st.just(FORM)))
def test_a_malformed_event_or_interaction_is_refused_with_400(webhook, delivery):
    body, content_type = delivery[0].encode(), delivery[1]  # Slack's SDK signs text only
    status, reason = webhook.post(body, signed(body, content_type))
    assert status == 400 and reason.startswith("not a slack delivery: ") and not webhook.messages


def with_event(**changes) -> str:
    event = message_event("U0HYPO1", "hello")
    return json.dumps({**event, "event": {**event["event"], **changes}})


RATE_LIMITED = {"token": "XXYYZZ", "team_id": TEAM, "minute_rate_limited": 1518467820, "type": "app_rate_limited"}
REACTION = {"type": "reaction_added", "user": "U0HYPO1", "reaction": "thumbsup", "event_ts": "1360782804.083113"}
VIEW_SUBMISSION = {
    "type": "view_submission",
    "team": {"id": TEAM},
    "user": {"id": "U0HYPO1"},
    "view": {"id": "VNHU13V"},
}


@pytest.mark.parametrize(
    "body, content_type",
    [
        (json.dumps(RATE_LIMITED), JSON),
        (json.dumps(event_callback(REACTION)), JSON),
        (with_event(subtype="message_changed"), JSON),
        (with_event(bot_id="B0HYPO1"), JSON),
        (with_event(channel="C0SHARED1", channel_type="channel"), JSON),  # answered as its app_mention
        (urlencode({"payload": json.dumps(VIEW_SUBMISSION)}), FORM),
    ],
)
def test_an_event_without_a_patient_message_is_acknowledged(webhook, body, content_type):
    raw = body.encode()
    assert webhook.post(raw, signed(raw, content_type)) == (200, "") and not webhook.messages


def test_a_signature_or_timestamp_of_any_text_is_refused_with_403(webhook):
    raw = json.dumps(message_event("U0HYPO1", "hello")).encode()
    assert webhook.post(raw, {**signed(raw, JSON), "X-Slack-Signature": "v0=é"})[0] == 403
    assert webhook.post(raw, {**signed(raw, JSON), "X-Slack-Request-Timestamp": "²"})[0] == 403


@pytest.mark.parametrize("content_type", [JSON, FORM])
def test_a_signed_body_that_is_not_utf8_is_refused_with_400(webhook, content_type):
    """Signed by hand: Slack's SDK signs text only."""
    raw, timestamp = b"\xff\xfe payload", str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{timestamp}:".encode() + raw, hashlib.sha256).hexdigest()
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    assert webhook.post(raw, headers)[0] == 400
