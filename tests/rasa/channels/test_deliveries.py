"""Every messaging channel under real-world deliveries, with the providers' own payloads: a
re-delivery or replay is answered once, the webhook acknowledges at once even when the
provider's API is slow, replies are retried while the API fails, and nothing a provider does
turns into an error answer."""

import random
import time
import uuid

import pytest
import requests

from tests.rasa.channels import test_facebook, test_slack, test_telegram, test_twilio

CHANNELS = {"twilio": test_twilio, "telegram": test_telegram, "facebook": test_facebook, "slack": test_slack}
QUESTION = "where is the clinic?"
ANSWER = "8631 W. 3rd Street"
LAST_QUESTION, LAST_ANSWER = "when is the clinic open?", "Monday to Friday"
REPLIES = 2  # the disclaimer that opens a conversation, then the answer
ACKNOWLEDGE_SECONDS = 1.0


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
    provider_api.misbehave(module.REPLY_PATH, times=1, drop=True)  # no answer at all
    mark = provider_api.mark()
    assert module.deliver(assistant, new_sender(channel), QUESTION).status_code == 200
    calls = provider_api.wait_for(module.REPLY_PATH, mark, count=REPLIES + 2, timeout=30)
    delivered = reply_texts(module, calls[2:])
    assert len(delivered) == REPLIES and ANSWER in delivered[-1]


def test_an_unreachable_provider_api_is_counted_and_never_an_error(assistant, provider_api):
    module = test_telegram
    failed = health(assistant, "telegram")["replies"]["failed"]
    provider_api.misbehave(module.REPLY_PATH, times=4 * REPLIES, drop=True)  # every attempt of both replies
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
