"""A small client for the running Rasa server's HTTP API (used by the evaluation and the tests)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

import requests

from bot.names import Channel, ClientMessage
from bot.rasa.channels import namespaced

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class BotReply:
    """One bot message, with the response that produced it (e.g. "utter_faq/stairs")."""

    text: str
    utter_action: Optional[str]
    buttons: List[Dict[str, Any]] = field(default_factory=list)
    metadata: Dict[str, Any] = field(default_factory=dict)


def conversation_id(sender: str) -> str:
    """The conversation of a REST sender (the REST channel keeps its own: "rest:<sender>")."""
    return namespaced(Channel.REST, sender)


class RasaClient:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = requests.Session()

    def _get(self, path: str) -> Any:
        response = self.session.get(f"{self.base_url}{path}", params={"token": self.token}, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        return response.json()

    def send(self, sender: str, text: str, **client_fields: Any) -> List[Dict[str, Any]]:
        """POST /webhooks/rest/webhook, as a clinic's server would (with the API token); returns
        the channel's messages. The conversation is `conversation_id(sender)`; `client_fields`
        are a message id and retry flag (bot/names.py ClientMessage). Marked as test traffic: a
        warning sign raises an alert marked so, which pages nobody."""
        response = self.session.post(
            f"{self.base_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, ClientMessage.TEST_TRAFFIC: True, **client_fields},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=TIMEOUT_SECONDS,
        )
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> Dict[str, Any]:
        """POST /model/parse: the NLU result for a message."""
        response = self.session.post(
            f"{self.base_url}/model/parse", params={"token": self.token}, json={"text": text}, timeout=TIMEOUT_SECONDS
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> Dict[str, Any]:
        """GET /conversations/<conversation id>/tracker of a REST sender."""
        return self._get(f"/conversations/{conversation_id(sender)}/tracker")

    def domain(self) -> Dict[str, Any]:
        """GET /domain, as JSON."""
        response = self.session.get(
            f"{self.base_url}/domain",
            params={"token": self.token},
            headers={"Accept": "application/json"},
            timeout=TIMEOUT_SECONDS,
        )
        response.raise_for_status()
        return response.json()

    def replies_to_latest_message(self, sender: str) -> List[BotReply]:
        """The bot messages sent after the sender's latest message, read from the tracker."""
        events = self.tracker(sender)["events"]
        replies: List[BotReply] = []
        for event in events:
            if event["event"] == "user":
                replies = []
            elif event["event"] == "bot":
                metadata = event.get("metadata") or {}
                replies.append(
                    BotReply(
                        text=event.get("text") or "",
                        utter_action=metadata.get("utter_action"),
                        buttons=(event.get("data") or {}).get("buttons") or [],
                        metadata=metadata.get("metadata") or {},
                    )
                )
        return replies

    def ask(self, sender: str, text: str) -> List[BotReply]:
        """Sends a message and returns the replies with the responses behind them."""
        self.send(sender, text)
        return self.replies_to_latest_message(sender)

    def ready(self) -> bool:
        """Whether the server answers /status with a loaded model."""
        return bool(self._get("/status").get("model_id"))

    def wait_until_ready(self, timeout_seconds: float) -> None:
        """Waits until the server answers /status with a loaded model."""
        poll_until(self.ready, timeout_seconds, f"Rasa server at {self.base_url}")


def poll_until(ready: Callable[[], bool], timeout_seconds: float, what: str, interval_seconds: float = 0.5) -> None:
    """Calls `ready` until it returns True (connection errors count as not yet); TimeoutError after the timeout."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            if ready():
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout_seconds:.0f} s")
        time.sleep(interval_seconds)
