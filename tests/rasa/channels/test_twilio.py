"""Twilio SMS and WhatsApp: a signed inbound webhook in, a Messages API call out."""

import uuid

import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.conftest import CHANNEL_SECRETS

CHANNELS = {
    "twilio": ("+14155550123", CHANNEL_SECRETS["TWILIO_SMS_NUMBER"]),
    "twilio_whatsapp": ("whatsapp:+14155550123", CHANNEL_SECRETS["TWILIO_WHATSAPP_NUMBER"]),
}


REPLY_PATH = "/Messages.json"


def inbound(sender: str, to: str, body: str, sid: str = "") -> dict:
    """Twilio's incoming-message webhook parameters (https://www.twilio.com/docs/messaging/guides/webhook-request)."""
    sid = sid or f"SM{uuid.uuid4().hex}"
    return {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "94105",
        "SmsSid": sid,
        "FromState": "CA",
        "SmsStatus": "received",
        "FromCity": "SAN FRANCISCO",
        "Body": body,
        "FromCountry": "US",
        "To": to,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": CHANNEL_SECRETS["TWILIO_ACCOUNT_SID"],
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def post(assistant, channel: str, params: dict, signature: str = None) -> requests.Response:
    url = f"{assistant.rasa_url}/webhooks/{channel}/webhook"
    if signature is None:
        signature = RequestValidator(CHANNEL_SECRETS["TWILIO_AUTH_TOKEN"]).compute_signature(url, params)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return requests.post(url, data=params, headers=headers, timeout=60)


def deliver(assistant, sender: str, text: str, delivery_id: str = "") -> requests.Response:
    """Delivers an SMS as Twilio does; the same delivery_id (MessageSid) makes it a replay."""
    return post(assistant, "twilio", inbound(sender, CHANNELS["twilio"][1], text, delivery_id))


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_signed_message_is_answered_through_the_messages_api(assistant, provider_api, channel):
    sender, number = CHANNELS[channel]
    mark = provider_api.mark()
    answer = post(assistant, channel, inbound(sender, number, "can i climb stairs after surgery?"))
    assert answer.status_code == 200 and "<Response/>" in answer.text
    calls = provider_api.wait_for("/Messages.json", mark, count=2)
    sent = [c.form for c in calls]
    assert all(m["To"] == sender and m["From"] == number for m in sent)
    assert any("within a few days, slowly and carefully" in m["Body"] for m in sent)
    assert calls[0].path == f"/2010-04-01/Accounts/{CHANNEL_SECRETS['TWILIO_ACCOUNT_SID']}/Messages.json"
    assert calls[0].headers["Authorization"].startswith("Basic ")


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl"])
def test_missing_or_bad_signatures_are_rejected(assistant, provider_api, signature):
    sender, number = CHANNELS["twilio"]
    mark = provider_api.mark()
    assert post(assistant, "twilio", inbound(sender, number, "hello"), signature).status_code == 403
    assert provider_api.calls_to("/Messages.json", mark) == []


def test_buttons_become_numbered_choices_and_a_number_picks_one(assistant, provider_api):
    sender, number = "+14155550199", CHANNELS["twilio"][1]
    mark = provider_api.mark()
    post(assistant, "twilio", inbound(sender, number, "how long does recovery take?"))
    question = provider_api.wait_for("/Messages.json", mark, count=2)[-1].form["Body"]
    assert "1. Microdiscectomy" in question and "Reply with a number." in question and "/inform" not in question
    mark = provider_api.mark()
    post(assistant, "twilio", inbound(sender, number, "1"))
    reply = provider_api.wait_for("/Messages.json", mark)[-1].form["Body"]
    assert "2–6 weeks for most patients to resume work and normal activity" in reply
