"""Facebook Messenger: subscription handshake, signed webhook events in, Send API out."""

import hashlib
import hmac
import json
import uuid

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from bot.rasa.channels.facebook import ELLIPSIS, QUICK_REPLY_TITLE_LIMIT, shortened
from tests.conftest import CHANNEL_SECRETS

REPLY_PATH = "/me/messages"


def event(psid: str, text: str, mid: str = "") -> dict:
    """A Messenger webhook event (https://developers.facebook.com/docs/messenger-platform/webhooks)."""
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
                        "message": {"mid": mid or f"mid.{uuid.uuid4().hex}", "text": text},
                    }
                ],
            }
        ],
    }


def post(assistant, body: dict, secret: str = CHANNEL_SECRETS["FACEBOOK_APP_SECRET"]) -> requests.Response:
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return requests.post(f"{assistant.rasa_url}/webhooks/facebook/webhook", data=raw, headers=headers, timeout=60)


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
        c.json["message"]["text"] == "The clinic is open Monday to Friday, 9:00 a.m. to 5:00 p.m." for c in calls
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
    assert shortened(title) == shown


@given(st.lists(st.text(st.characters(blacklist_characters=" "), min_size=1, max_size=25), min_size=1, max_size=6))
def test_a_cut_title_keeps_whole_words_within_the_limit(words):
    title = " ".join(words)
    shown = shortened(title)
    assert len(shown) <= QUICK_REPLY_TITLE_LIMIT
    if len(title) <= QUICK_REPLY_TITLE_LIMIT:
        assert shown == title
    elif len(words[0]) < QUICK_REPLY_TITLE_LIMIT:
        assert shown.endswith(ELLIPSIS)
        kept = shown[: -len(ELLIPSIS)].split(" ")
        assert kept == words[: len(kept)]
    else:
        assert shown == title[: QUICK_REPLY_TITLE_LIMIT - 1] + ELLIPSIS
