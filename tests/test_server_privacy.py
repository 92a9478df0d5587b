"""The running assistant against prying eyes: tokens, other patients' conversations, open ports,
the processes' environments, and what reaches the logs on every error path."""

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import pytest
import requests
import socketio

from bot.names import SocketEvent
from tests.rasa.channels import test_slack, test_telegram

CANARY = "CANARY-7f3a9c"
JSON = {"Accept": "application/json"}


def test_the_rest_channel_needs_the_api_token(assistant):
    url, body = f"{assistant.rasa_url}/webhooks/rest/webhook", {"sender": "someone", "message": "hello"}
    for refused in ({}, {"params": {"token": ""}}, {"headers": {"Authorization": "Bearer guessed"}}):
        assert requests.post(url, json=body, timeout=30, **refused).status_code == 401
    for accepted in (
        {"params": {"token": assistant.token}},
        {"headers": {"Authorization": f"Bearer {assistant.token}"}},
    ):
        assert requests.post(url, json=body, timeout=30, **accepted).status_code == 200


@pytest.mark.parametrize("path", ["/status", "/domain", "/conversations/rest:someone/tracker"])
def test_the_http_api_needs_the_api_token(assistant, path):
    for token in (None, "", "guessed"):
        params = {} if token is None else {"token": token}
        assert requests.get(f"{assistant.rasa_url}{path}", params=params, headers=JSON, timeout=30).status_code == 401
    assert requests.get(f"{assistant.rasa_url}{path}", params={"token": assistant.token}, headers=JSON, timeout=30).ok


def test_a_sender_id_reaches_only_its_own_channels_conversation(assistant, client, provider_api):
    user, mark = "U0SHARED1", provider_api.mark()
    test_slack.deliver(assistant, user, "i had a microdiscectomy 3 weeks ago")
    provider_api.wait_for(test_slack.REPLY_PATH, mark)
    chat = f"{test_slack.TEAM}:{user}"
    client.send(chat, "what stage of recovery am i in?")  # REST, with the same id
    slack = client._get(f"/conversations/slack:{chat}/tracker")
    rest = client._get(f"/conversations/rest:{chat}/tracker")
    assert slack["slots"]["procedure"] == "microdiscectomy"
    assert rest["slots"]["procedure"] is None
    assert [e["text"] for e in rest["events"] if e["event"] == "user"] == ["what stage of recovery am i in?"]


def listening_addresses(port: int) -> Set[str]:
    """The local addresses listening on a TCP port (from /proc/net/tcp and tcp6)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                if width == 8:
                    found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
                else:
                    found.add("::1" if address == "0" * 24 + "01000000" else f"ipv6:{address}")
    return found


def test_every_port_listens_on_loopback_only(assistant):
    for url in (assistant.rasa_url, assistant.action_url, assistant.web_url):
        assert listening_addresses(int(url.rsplit(":", 1)[1])) == {"127.0.0.1"}, url


def process_environment(pid: int) -> Dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def test_each_process_gets_only_the_environment_it_needs(assistant):
    rasa, actions, web = (process_environment(assistant.processes[name].pid) for name in ("rasa", "actions", "web"))
    assert {"RASA_AUTH_TOKEN", "ACTION_TOKEN", "TRACKER_DATABASE_URL", "SLACK_SIGNING_SECRET"} <= set(rasa)
    assert "ACTION_TOKEN" in actions  # and no database: the action server reads data/timelines.yml
    assert not {"RASA_AUTH_TOKEN", "TRACKER_DATABASE_URL", "SLACK_SIGNING_SECRET", "TWILIO_AUTH_TOKEN"} & set(actions)
    assert not {"RASA_AUTH_TOKEN", "ACTION_TOKEN", "TRACKER_DATABASE_URL", "SLACK_SIGNING_SECRET"} & set(web)


class WidgetClient:
    """A socket.io client speaking the widget's protocol (python-socketio, websocket transport)."""

    def __init__(self, **options: Any) -> None:
        """`options` for python-socketio's client (e.g. `http_session`)."""
        self.sio = socketio.AsyncClient(reconnection=False, **options)
        self.replies: List[Dict[str, Any]] = []
        self.session: Dict[str, Any] = {}
        self.sio.on(SocketEvent.BOT_UTTERED, self.replies.append)
        self.sio.on(SocketEvent.SESSION_CONFIRM, self.session.update)

    async def start(self, url: str, session_id: Optional[str] = None, session_key: Optional[str] = None) -> None:
        await self.sio.connect(url, transports=["websocket"], socketio_path="/socket.io")
        await self.sio.emit(SocketEvent.SESSION_REQUEST, {"session_id": session_id, "session_key": session_key})
        await wait_for(lambda: self.session)

    async def say(self, text: str, replies: int = 1) -> None:
        expected = len(self.replies) + replies
        await self.sio.emit(SocketEvent.USER_UTTERED, {"message": text, "session_id": self.session.get("session_id")})
        await wait_for(lambda: len(self.replies) >= expected)


def ignored_widget_messages(assistant) -> int:
    """How many widget messages without a session the server has read and ignored (its log says)."""
    return assistant.logs().count("socket.io message before session_request ignored")


async def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("no answer from the widget channel")
        await asyncio.sleep(0.05)


def test_a_session_id_without_its_key_gives_nothing_of_that_conversation(assistant, client):
    async def scenario() -> None:
        patient, intruder = WidgetClient(), WidgetClient()
        await patient.start(assistant.rasa_url)
        await patient.say("i had a fusion 6 weeks ago", replies=2)
        stolen = patient.session["session_id"]
        real = patient.session["session_key"]
        forged = real[:-1] + ("1" if real.endswith("0") else "0")  # one character off
        for key in (None, "", "0" * 64, forged):
            await intruder.start(assistant.rasa_url, session_id=stolen, session_key=key)
            assert intruder.session["session_id"] != stolen
            await intruder.sio.disconnect()
            intruder = WidgetClient()
        await intruder.start(assistant.rasa_url, session_id=stolen)
        seen = len(intruder.replies)
        await patient.say("where is the clinic?")
        # Its own conversation. A leaked answer to the patient would have been sent to the intruder's
        # socket before this reply (one socket's messages arrive in order), so it would be here.
        await intruder.say("what stage of recovery am i in?", replies=1)
        assert all("8631 W. 3rd Street" not in reply.get("text", "") for reply in intruder.replies[seen:])
        tracker = client._get(f"/conversations/socketio:{stolen}/tracker")
        assert "what stage of recovery am i in?" not in [e.get("text") for e in tracker["events"]]

        returning = WidgetClient()  # the patient after a reload: same id, with its key
        await returning.start(assistant.rasa_url, stolen, patient.session["session_key"])
        assert returning.session["session_id"] == stolen
        await returning.say("what stage of recovery am i in?")
        assert any("weeks" in r.get("text", "") for r in returning.replies)

        await returning.sio.emit(SocketEvent.SESSION_END)
        ended, ignored = len(returning.replies), ignored_widget_messages(assistant)
        await returning.sio.emit(SocketEvent.USER_UTTERED, {"message": "hello", "session_id": stolen})
        await wait_for(lambda: ignored_widget_messages(assistant) > ignored)  # the server has read it
        assert len(returning.replies) == ended  # an ended session sends nothing anywhere
        for widget in (patient, intruder, returning):
            await widget.sio.disconnect()

    asyncio.run(scenario())


LOST_CHAT = "987654321"


def test_nothing_of_a_patient_reaches_the_logs_on_any_error_path(assistant, client, provider_api):
    """Canary strings through every error path: bad numbers, absurd times, refused tokens, broken
    bodies, oversized requests, a provider refusing a reply, direct calls to the action server,
    widget messages without a session; none may appear in any log line."""
    rest = f"{assistant.rasa_url}/webhooks/rest/webhook"
    bearer = {"Authorization": f"Bearer {assistant.token}"}
    sender = f"{CANARY}-sender"
    for text in (
        f"{CANARY} my incision has been leaking for inf days",
        f"my fusion was 3000 years ago {CANARY}",
        f"{CANARY} what stage of recovery am i in? I had surgery 1e999 days ago",
        f"{CANARY} " * 300,  # over the length limit
    ):
        assert requests.post(rest, json={"sender": sender, "message": text}, headers=bearer, timeout=60).ok
    requests.post(rest, params={"token": CANARY}, json={"sender": sender, "message": CANARY}, timeout=30)
    requests.post(rest, data=f'{{"sender": "{CANARY}", "message": ', headers=bearer, timeout=30)
    requests.post(rest, data=f'{{"sender": "{CANARY}", "message": "{"x" * 400_000}"}}', headers=bearer, timeout=30)
    requests.get(f"{assistant.rasa_url}/conversations/{CANARY}/tracker", params={"token": CANARY}, timeout=30)
    requests.get(f"{assistant.rasa_url}/conversations/{CANARY}/tracker", params={"token": assistant.token}, timeout=30)

    provider_api.misbehave(test_telegram.REPLY_PATH, times=2, status=400)
    mark = provider_api.mark()
    test_telegram.deliver(assistant, LOST_CHAT, f"{CANARY} where is the clinic?")
    provider_api.wait_for(test_telegram.REPLY_PATH, mark, count=2)

    action_token = assistant.env["actions"]["ACTION_TOKEN"]
    webhook = f"{assistant.action_url}/webhook"
    broken = {
        "next_action": "action_recovery_stage",
        "sender_id": CANARY,
        "tracker": {"sender_id": CANARY, "slots": CANARY},
    }
    requests.post(webhook, params={"token": action_token}, json=broken, timeout=30)
    requests.post(webhook, params={"token": CANARY}, json=broken, timeout=30)
    requests.post(webhook, params={"token": action_token}, data=f"{{{CANARY}", timeout=30)

    async def widget_without_session() -> None:
        ignored = ignored_widget_messages(assistant)
        sio = socketio.AsyncClient(reconnection=False)
        await sio.connect(assistant.rasa_url, transports=["websocket"], socketio_path="/socket.io")
        await sio.emit(SocketEvent.USER_UTTERED, {"message": CANARY, "session_id": CANARY})
        await wait_for(lambda: ignored_widget_messages(assistant) > ignored)  # the last error path, logged
        await sio.disconnect()

    asyncio.run(widget_without_session())
    logs = assistant.logs()
    withheld = (CANARY, assistant.token, action_token, LOST_CHAT)  # the chat id: lost replies log a pseudonym
    leaked = [line for line in logs.splitlines() if any(secret in line for secret in withheld)]
    assert leaked == [], json.dumps(leaked[:5], indent=1)
