"""Every messaging channel under real-world deliveries, with the providers' own payloads: a
re-delivery or replay is answered once, the webhook acknowledges at once even when the
provider's API is slow, replies are retried while the API fails but never after a call without
an answer (the staff console lists them), an escalation is not held up by a failing reply, a
reply a server left unsent goes out, and nothing a provider does turns into an error answer."""

import random
import time
import uuid

import pytest
import requests

from bot.outcomes import FAILED, UNKNOWN
from bot.rasa.channels import outbox
from bot.runtime.client import poll_until
from tests.conftest import PROVIDER_CALL_TIMEOUT_SECONDS
from tests.console.staff import Staff, console_engine
from tests.rasa.channels import test_facebook, test_slack, test_telegram, test_twilio

CHANNELS = {"twilio": test_twilio, "telegram": test_telegram, "facebook": test_facebook, "slack": test_slack}
QUESTION = "where is the clinic?"
ANSWER = "8631 W. 3rd Street"
LAST_QUESTION, LAST_ANSWER = "when is the clinic open?", "Monday to Friday"
REPLIES = 2  # the disclaimer that opens a conversation, then the answer
ACKNOWLEDGE_SECONDS = 1.0
EMERGENCY = "i peed myself and didnt even feel it"
DISCLAIMER_WORD = "automated"  # in the disclaimer only
ESCALATION = "Seek emergency care now"
ESCALATION_SECONDS = 5.0  # from the delivery (a failing disclaimer once held it 13 s and more)


def new_sender(channel: str) -> str:
    number = random.randrange(10**9, 10**10)
    return {"twilio": f"+1{number}", "slack": f"U{number}"}.get(channel, str(number))


def new_delivery_id(channel: str) -> str:
    return str(random.randrange(10**8, 10**9)) if channel == "telegram" else uuid.uuid4().hex


def reply_texts(module, calls) -> list:
    if module is test_twilio:
        return [c.form.get("Body", "") for c in calls]
    if module is test_facebook:
        return [c.json["message"]["text"] for c in calls]
    return [c.json["text"] for c in calls]


def nothing_more_came(assistant, provider_api, module, sender: str, mark: int, replies: int) -> None:
    """After `replies` replies since `mark`, nothing else was sent to this sender: a last question's
    answer arrives next (one conversation's replies go out in order; anything a duplicate caused
    would come before it)."""
    module.deliver(assistant, sender, LAST_QUESTION)
    calls = provider_api.wait_for(module.REPLY_PATH, mark, count=replies + 1)
    assert len(calls) == replies + 1 and LAST_ANSWER in reply_texts(module, calls)[-1]


def health(assistant, channel: str) -> dict:
    return requests.get(f"{assistant.rasa_url}/webhooks/{channel}/", timeout=10).json()


@pytest.fixture(scope="module")
def staff(assistant):
    return Staff(assistant, "reviewer")


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_redelivery_or_replay_is_answered_once(assistant, provider_api, channel):
    module, sender, delivery = CHANNELS[channel], new_sender(channel), new_delivery_id(channel)
    duplicates = health(assistant, channel)["deliveries"]["duplicate"]
    mark = provider_api.mark()
    assert module.deliver(assistant, sender, QUESTION, delivery).status_code == 200
    assert len(provider_api.wait_for(module.REPLY_PATH, mark, count=REPLIES)) == REPLIES
    for _ in range(2):
        assert module.deliver(assistant, sender, QUESTION, delivery).status_code == 200
    nothing_more_came(assistant, provider_api, module, sender, mark, REPLIES)
    assert health(assistant, channel)["deliveries"]["duplicate"] == duplicates + 2


@pytest.mark.parametrize("channel", CHANNELS)
def test_acknowledged_at_once_while_the_provider_api_is_slow(assistant, provider_api, channel):
    module = CHANNELS[channel]
    provider_api.misbehave(module.REPLY_PATH, times=REPLIES, delay=4)  # Slack waits 3 s, then re-sends
    mark = provider_api.mark()
    started = time.monotonic()
    assert module.deliver(assistant, new_sender(channel), QUESTION).status_code == 200
    assert time.monotonic() - started < ACKNOWLEDGE_SECONDS
    calls = provider_api.wait_for(module.REPLY_PATH, mark, count=REPLIES, timeout=30)
    assert any(ANSWER in text for text in reply_texts(module, calls))


@pytest.mark.parametrize("channel", CHANNELS)
def test_replies_are_retried_while_the_provider_api_fails(assistant, provider_api, channel):
    module = CHANNELS[channel]
    provider_api.misbehave(module.REPLY_PATH, times=1, status=503)
    provider_api.misbehave(module.REPLY_PATH, times=1, status=429)
    mark = provider_api.mark()
    assert module.deliver(assistant, new_sender(channel), QUESTION).status_code == 200
    calls = provider_api.wait_for(module.REPLY_PATH, mark, count=REPLIES + 2, timeout=30)
    delivered = reply_texts(module, calls[2:])
    assert len(set(delivered)) == REPLIES and any(ANSWER in text for text in delivered)


def test_a_reply_without_an_answer_is_never_sent_again_and_shows_as_unknown(assistant, provider_api, staff):
    module, sender = test_twilio, new_sender("twilio")
    unknown = health(assistant, "twilio")["replies"][UNKNOWN]
    provider_api.misbehave(module.REPLY_PATH, times=REPLIES, delay=3 * PROVIDER_CALL_TIMEOUT_SECONDS)
    mark = provider_api.mark()
    assert module.deliver(assistant, sender, QUESTION).status_code == 200
    lost = staff.lost_replies(f"twilio:{sender}", REPLIES)
    assert [reply["status"] for reply in lost] == [UNKNOWN] * REPLIES
    assert all(sender not in reply["reference"] for reply in lost)
    assert health(assistant, "twilio")["replies"][UNKNOWN] == unknown + REPLIES
    nothing_more_came(assistant, provider_api, module, sender, mark, REPLIES)  # each reply went out once


def test_a_failing_disclaimer_does_not_delay_the_escalation(assistant, provider_api, staff):
    module, sender = test_twilio, new_sender("twilio")
    provider_api.misbehave(module.REPLY_PATH, times=4, status=503, containing=DISCLAIMER_WORD)  # every attempt
    mark = provider_api.mark()
    started = time.monotonic()
    assert module.deliver(assistant, sender, EMERGENCY).status_code == 200
    first = provider_api.wait_for(module.REPLY_PATH, mark)[0]
    assert time.monotonic() - started < ESCALATION_SECONDS and ESCALATION in reply_texts(module, [first])[0]
    [disclaimer] = staff.lost_replies(f"twilio:{sender}")  # after its four attempts
    assert (disclaimer["status"], disclaimer["escalation"], disclaimer["attempts"]) == (FAILED, False, 4)


def test_whatsapp_replies_are_counted_apart_from_sms(assistant, provider_api):
    sms = health(assistant, "twilio")["replies"]
    whatsapp = health(assistant, "twilio_whatsapp")["replies"]
    provider_api.misbehave(test_twilio.REPLY_PATH, status=400, containing=DISCLAIMER_WORD)
    sender, number = f"whatsapp:{new_sender('twilio')}", test_twilio.CHANNELS["twilio_whatsapp"][1]
    assert (
        test_twilio.post(assistant, "twilio_whatsapp", test_twilio.inbound(sender, number, QUESTION)).status_code == 200
    )
    expected = {**whatsapp, "sent": whatsapp["sent"] + 1, FAILED: whatsapp[FAILED] + 1}
    poll_until(lambda: health(assistant, "twilio_whatsapp")["replies"] == expected, 30, "WhatsApp's counters")
    assert health(assistant, "twilio")["replies"] == sms


def sent_to(provider_api, chat: str, mark: int) -> list:
    return [c for c in provider_api.calls_to(test_telegram.REPLY_PATH, mark) if c.json["chat_id"] == chat]


def test_a_reply_a_server_left_unsent_is_sent_by_the_sweep(assistant, provider_api):
    chat, mark = new_sender("telegram"), provider_api.mark()
    conversation = f"telegram:{chat}"
    replies = outbox.turn(conversation, chat, [{"text": "Please call your surgeon today."}])
    outbox.record(console_engine(assistant), "telegram", conversation, replies)  # then its server died
    poll_until(lambda: sent_to(provider_api, chat, mark), 30, "the reply left unsent", interval_seconds=0.2)
    assert [call.json for call in sent_to(provider_api, chat, mark)] == [
        {"chat_id": chat, "text": "Please call your surgeon today."}
    ]


def test_an_unreachable_provider_api_is_counted_and_never_an_error(assistant, provider_api):
    module = test_telegram
    failed = health(assistant, "telegram")["replies"]["failed"]
    provider_api.misbehave(module.REPLY_PATH, times=4 * REPLIES, status=503)  # every attempt of both replies
    mark = provider_api.mark()
    assert module.deliver(assistant, new_sender("telegram"), QUESTION).status_code == 200
    provider_api.wait_for(module.REPLY_PATH, mark, count=4 * REPLIES, timeout=60)
    deadline = time.monotonic() + 10
    while health(assistant, "telegram")["replies"]["failed"] < failed + REPLIES and time.monotonic() < deadline:
        time.sleep(0.2)
    assert health(assistant, "telegram")["replies"]["failed"] == failed + REPLIES
    later = provider_api.mark()
    assert module.deliver(assistant, new_sender("telegram"), QUESTION).status_code == 200
    assert len(provider_api.wait_for(module.REPLY_PATH, later, count=REPLIES)) == REPLIES


def test_a_slack_retry_is_processed_when_the_first_delivery_never_arrived(assistant, provider_api):
    sender, event_id = new_sender("slack"), new_delivery_id("slack")
    mark = provider_api.mark()
    assert test_slack.deliver(assistant, sender, QUESTION, event_id, retry=1).status_code == 200
    assert len(provider_api.wait_for(test_slack.REPLY_PATH, mark, count=REPLIES)) == REPLIES
    assert test_slack.deliver(assistant, sender, QUESTION, event_id, retry=2).status_code == 200
    nothing_more_came(assistant, provider_api, test_slack, sender, mark, REPLIES)
