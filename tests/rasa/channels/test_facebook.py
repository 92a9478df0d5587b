"""Facebook Messenger: subscription handshake, signed webhook events in, Send API out."""

import hashlib
import hmac
import json
import uuid

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rasa.channels import ELLIPSIS, shortened
from bot.rasa.channels.facebook import QUICK_REPLY_TITLE_LIMIT, MessengerInput
from tests.conftest import CHANNEL_SECRETS
from tests.rasa.channels.in_process import in_process
from tests.rasa.channels.malformed import json_bodies

REPLY_PATH = "/me/messages"


def webhook_body(psid: str, **happening: dict) -> dict:
    """A Messenger webhook body with one messaging event, e.g. message={...}
    (https://developers.facebook.com/docs/messenger-platform/webhooks)."""
    return {
        "object": "page",
        "entry": [
            {
                "id": "107050468389291",
                "time": 1458692752478,
                "messaging": [
                    {
                        "sender": {"id": psid},
                        "recipient": {"id": "107050468389291"},
                        "timestamp": 1458692752478,
                        **happening,
                    }
                ],
            }
        ],
    }


def event(psid: str, text: str, mid: str = "") -> dict:
    return webhook_body(psid, message={"mid": mid or f"mid.{uuid.uuid4().hex}", "text": text})


def signed(raw: bytes, secret: str = CHANNEL_SECRETS["FACEBOOK_APP_SECRET"]) -> dict:
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return headers


def post(assistant, body: dict, secret: str = CHANNEL_SECRETS["FACEBOOK_APP_SECRET"]) -> requests.Response:
    raw = json.dumps(body).encode()
    url = f"{assistant.rasa_url}/webhooks/facebook/webhook"
    return requests.post(url, data=raw, headers=signed(raw, secret), timeout=60)


def deliver(assistant, sender: str, text: str, delivery_id: str = "") -> requests.Response:
    """Delivers a message as Messenger does; the same delivery_id (mid) makes it a re-delivery."""
    return post(assistant, event(sender, text, delivery_id))


def test_subscription_handshake_checks_the_verify_token(assistant):
    url = f"{assistant.rasa_url}/webhooks/facebook/webhook"
    ok = requests.get(
        url,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": CHANNEL_SECRETS["FACEBOOK_VERIFY_TOKEN"],
            "hub.challenge": "1158201444",
        },
        timeout=10,
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = requests.get(
        url, params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}, timeout=10
    )
    assert wrong.status_code == 403


def test_a_signed_message_is_answered_with_the_send_api(assistant, provider_api):
    mark = provider_api.mark()
    assert post(assistant, event("1254477777772919", "when is the clinic open?")).status_code == 200
    calls = provider_api.wait_for("/me/messages", mark, count=2)
    assert all(c.json["recipient"] == {"id": "1254477777772919"} for c in calls)
    assert any(
        c.json["message"]["text"].startswith("The clinic is open Monday to Friday, 9:00 a.m. to 5:00 p.m.")
        for c in calls
    )
    assert calls[0].headers["Authorization"] == f"Bearer {CHANNEL_SECRETS['FACEBOOK_PAGE_ACCESS_TOKEN']}"


def test_choices_become_quick_replies(assistant, provider_api):
    mark = provider_api.mark()
    post(assistant, event("1254477777772920", "how long does recovery take?"))
    message = provider_api.wait_for("/me/messages", mark, count=2)[-1].json["message"]
    assert message["quick_replies"][0] == {
        "content_type": "text",
        "title": "Microdiscectomy",
        "payload": '/inform{"procedure": "microdiscectomy"}',
    }
    assert all(len(r["title"]) <= 20 for r in message["quick_replies"])


def test_missing_or_bad_signatures_are_rejected(assistant, provider_api):
    mark = provider_api.mark()
    assert post(assistant, event("1", "hello"), secret="").status_code == 403
    assert post(assistant, event("1", "hello"), secret="not-the-app-secret").status_code == 403
    assert provider_api.calls_to("/me/messages", mark) == []


@pytest.mark.parametrize(
    "title, shown",
    [
        ("Microdiscectomy", "Microdiscectomy"),
        ("Lumbar decompression", "Lumbar decompression"),  # exactly 20
        ("Minimally invasive spinal fusion", "Minimally invasive…"),
        ("Nineteen characters and more", "Nineteen characters…"),  # the space right at the limit
        ("Cervical disc replacement", "Cervical disc…"),
        ("Something else entirely", "Something else…"),
        ("Supercalifragilisticexpialidocious", "Supercalifragilisti…"),  # one word longer than the limit
        ("Twentycharacterwords more", "Twentycharacterword…"),  # a first word that fits only without the ellipsis
    ],
)
def test_quick_reply_titles_are_cut_at_a_word_boundary(title, shown):
    assert shortened(title, QUICK_REPLY_TITLE_LIMIT) == shown


@given(st.lists(st.text(st.characters(blacklist_characters=" "), min_size=1, max_size=25), min_size=1, max_size=6))
def test_a_cut_title_keeps_whole_words_within_the_limit(words):
    title = " ".join(words)
    shown = shortened(title, QUICK_REPLY_TITLE_LIMIT)
    assert len(shown) <= QUICK_REPLY_TITLE_LIMIT
    if len(title) <= QUICK_REPLY_TITLE_LIMIT:
        assert shown == title
    elif len(words[0]) < QUICK_REPLY_TITLE_LIMIT:
        assert shown.endswith(ELLIPSIS)
        kept = shown[: -len(ELLIPSIS)].split(" ")
        assert kept == words[: len(kept)]
    else:
        assert shown == title[: QUICK_REPLY_TITLE_LIMIT - 1] + ELLIPSIS


@pytest.fixture(scope="module")
def webhook(provider_api, tmp_path_factory):
    channel = MessengerInput(
        *(CHANNEL_SECRETS[f"FACEBOOK_{key}"] for key in ("VERIFY_TOKEN", "APP_SECRET", "PAGE_ACCESS_TOKEN"))
    )
    with in_process(channel, provider_api.url, tmp_path_factory.mktemp("facebook")) as webhook:
        yield webhook


EVENT = ("entry", 0, "messaging", 0)
EVENT_FIELDS = [("object",), ("entry",), ("entry", 0), ("entry", 0, "messaging")] + [
    (*EVENT, *key) for key in [(), ("timestamp",), ("sender",), ("sender", "id")]
]
MESSAGE_FIELDS = [
    (*EVENT, "message", *key) for key in [(), ("mid",), ("text",), ("quick_reply",), ("quick_reply", "payload")]
]
POSTBACK_FIELDS = [(*EVENT, "postback", *key) for key in [(), ("mid",), ("payload",)]]
QUICK_REPLY = webhook_body(
    "1254477777772921",
    message={
        "mid": "mid.1457764197618:41d102a3e1ae206a38",
        "text": "Decompression",
        "quick_reply": {"payload": "/inform"},
    },
)
POSTBACK = webhook_body(
    "1254477777772921", postback={"mid": "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM", "title": "Start", "payload": "/greet"}
)


@settings(max_examples=50, deadline=None)
@given(json_bodies(QUICK_REPLY, EVENT_FIELDS + MESSAGE_FIELDS) | json_bodies(POSTBACK, POSTBACK_FIELDS))
def test_a_malformed_webhook_body_is_refused_with_400(webhook, body):
    status, reason = webhook.post(body, signed(body))
    assert status == 400 and reason.startswith("not a facebook delivery: ") and not webhook.messages


@pytest.mark.parametrize(
    "body",
    [
        webhook_body(
            "1254477777772921", delivery={"mids": ["mid.1458668856218:ed81099e15d3f4f233"], "watermark": 1458668856253}
        ),
        webhook_body("1254477777772921", read={"watermark": 1458668856253}),
        webhook_body(
            "107050468389291", message={"mid": "mid.1457764197618:41d102a3e1ae206a38", "is_echo": True, "text": "Hi"}
        ),
        {"object": "instagram", "entry": [{"id": "17841400008460056", "time": 1569262486134, "changes": []}]},
    ],
)
def test_an_event_without_a_patient_message_is_acknowledged(webhook, body):
    raw = json.dumps(body).encode()
    assert webhook.post(raw, signed(raw)) == (200, "EVENT_RECEIVED") and not webhook.messages


def test_a_signature_of_any_text_is_refused_with_403(webhook):
    raw = json.dumps(event("1254477777772921", "hello")).encode()
    assert webhook.post(raw, {"X-Hub-Signature-256": "sha256=é"})[0] == 403
