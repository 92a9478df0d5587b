"""Twilio SMS and WhatsApp: a signed inbound webhook in, a Messages API call out."""

import uuid
from urllib.parse import parse_qs, urlencode

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from bot.rasa.channels.twilio import TwilioSMSInput
from tests.conftest import CHANNEL_SECRETS
from tests.rasa.channels.in_process import in_process
from tests.rasa.channels.malformed import FORMS, JSON_BUT_NOT_AN_OBJECT, NOT_JSON_TEXT

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
    assert "Most patients return to work and normal activity within 2–6 weeks." in reply


WEBHOOK_URL = "https://chat.clinic.example/webhooks/twilio/webhook"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def webhook(provider_api, tmp_path_factory):
    keys = ("ACCOUNT_SID", "AUTH_TOKEN", "SMS_NUMBER")
    channel = TwilioSMSInput(*(CHANNEL_SECRETS[f"TWILIO_{key}"] for key in keys), WEBHOOK_URL)
    with in_process(channel, provider_api.url, tmp_path_factory.mktemp("twilio")) as webhook:
        yield webhook


def signed(body: str) -> dict:
    """Twilio's signature of the URL and the body's form fields, with Twilio's own SDK."""
    fields = {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}
    signature = RequestValidator(CHANNEL_SECRETS["TWILIO_AUTH_TOKEN"]).compute_signature(WEBHOOK_URL, fields)
    return {**FORM, "X-Twilio-Signature": signature}


READ = {"MessageSid", "SmsMessageSid", "From", "Body"}
WITHOUT_A_READ_FIELD = st.builds(
    lambda params, missing, extra: urlencode({**{k: v for k, v in params.items() if k not in missing}, **extra}),
    st.just(inbound("+14155550123", CHANNEL_SECRETS["TWILIO_SMS_NUMBER"], "hello")),
    st.sampled_from([{"MessageSid", "SmsMessageSid"}, {"From"}, {"Body"}]),
    st.dictionaries(st.text(max_size=10).filter(lambda key: key not in READ), st.text(max_size=10), max_size=3),
)


@settings(max_examples=50, deadline=None)
@given(WITHOUT_A_READ_FIELD | FORMS | NOT_JSON_TEXT | JSON_BUT_NOT_AN_OBJECT)
def test_a_signed_request_that_is_not_an_incoming_message_is_refused_with_400(webhook, body):
    status, reason = webhook.post(body.encode(), signed(body))
    assert status == 400 and reason.startswith("not a twilio delivery: ") and not webhook.messages


def test_a_body_that_is_no_form_cannot_carry_a_signature(webhook):
    assert webhook.post(b"\xff\xfe", signed(""))[0] == 403
