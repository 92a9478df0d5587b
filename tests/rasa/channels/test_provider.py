"""One call to a provider's API, against the local stand-in: what certainly did not arrive is told
apart from a refusal and from a call that went out without an answer."""

import uuid

import pytest

from bot.rasa.channels import provider
from bot.runtime.services import free_port

TIMEOUT_SECONDS = 0.5


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch):
    monkeypatch.setenv("PROVIDER_CALL_TIMEOUT_SECONDS", str(TIMEOUT_SECONDS))


def new_path() -> str:
    return f"/bot{uuid.uuid4().hex}/sendMessage"


async def test_an_answered_call_returns_the_answer(provider_api):
    path = new_path()
    answer = await provider.post("telegram", provider_api.url + path, json={"chat_id": "1", "text": "hi"})
    assert answer["ok"] is True and provider_api.calls_to(path)[0].json == {"chat_id": "1", "text": "hi"}


TROUBLES = {
    "busy (429)": ({"status": 429}, provider.Unreachable),
    "failing (503)": ({"status": 503}, provider.Unreachable),
    "refusing (400)": ({"status": 400}, provider.Refused),
    "slower than the timeout": ({"delay": 3 * TIMEOUT_SECONDS}, provider.NoAnswer),
    "dropping the connection": ({"drop": True}, provider.NoAnswer),
}


@pytest.mark.parametrize("trouble", TROUBLES)
async def test_each_trouble_is_told_after_one_call(provider_api, trouble):
    how, error = TROUBLES[trouble]
    path = new_path()
    provider_api.misbehave(path, **how)
    with pytest.raises(error, match="telegram API"):
        await provider.post("telegram", provider_api.url + path, json={"text": "hi"})
    assert len(provider_api.calls_to(path)) == 1


async def test_a_closed_port_certainly_did_not_get_the_call():
    with pytest.raises(provider.Unreachable, match="unreachable"):
        await provider.post("twilio", f"http://127.0.0.1:{free_port()}/Messages.json", data={"Body": "hi"})


async def test_a_repeatable_call_is_tried_again_unless_refused(provider_api, monkeypatch):
    monkeypatch.setattr(provider, "RETRY_DELAYS_SECONDS", (0.01, 0.01))
    path = new_path()
    provider_api.misbehave(path, status=503)
    provider_api.misbehave(path, delay=3 * TIMEOUT_SECONDS)
    assert (await provider.call("telegram", provider_api.url + path, json={}))["ok"] is True
    assert len(provider_api.calls_to(path)) == 3
    provider_api.misbehave(path, status=403)
    with pytest.raises(provider.Refused):
        await provider.call("telegram", provider_api.url + path, json={})
    assert len(provider_api.calls_to(path)) == 4
