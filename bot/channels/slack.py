"""Slack.

Inbound: Events API message events and interactive button presses, accepted only with a valid
X-Slack-Signature (v0 HMAC over the timestamp and body with the signing secret) no older than
five minutes; the URL verification challenge is answered. Outbound: chat.postMessage, with
choices as buttons.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.channels.provider import ProviderError, call

logger = logging.getLogger(__name__)

MAX_REQUEST_AGE_SECONDS = 5 * 60


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackOutput(OutputChannel):
    def __init__(self, bot_token: str) -> None:
        self.bot_token = bot_token

    @classmethod
    def name(cls) -> Text:
        return "slack"

    async def _post(self, channel: Text, text: Text, blocks: Optional[List[Dict[str, Any]]] = None) -> None:
        body: Dict[str, Any] = {"channel": channel, "text": text.strip()}
        if blocks:
            body["blocks"] = blocks
        answer = await call(
            "slack", f"{settings.provider_api_url('slack')}/chat.postMessage", json=body,
            headers={"Authorization": f"Bearer {self.bot_token}"},
        )
        if not (answer or {}).get("ok"):
            logger.error("slack: chat.postMessage failed (%s)", (answer or {}).get("error"))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._post(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        elements = [
            {"type": "button", "text": {"type": "plain_text", "text": str(b["title"])[:75]}, "value": str(b["payload"])}
            for b in buttons
        ]
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text.strip()}}, {"type": "actions", "elements": elements}]
        await self._post(recipient_id, text, blocks)


def is_form(request: Request) -> bool:
    return (request.content_type or "").startswith("application/x-www-form-urlencoded")


def message_of(request: Request) -> Optional[Tuple[str, str]]:
    """(channel, text) of a user's message event or button press; None for anything else."""
    if is_form(request):
        action = json.loads(request.form.get("payload") or "{}")
        if action.get("type") == "block_actions" and action.get("actions"):
            return (action.get("channel") or {}).get("id"), action["actions"][0].get("value")
        return None
    event = (request.json or {}).get("event") or {}
    if event.get("type") != "message" or event.get("bot_id") or event.get("subtype"):
        return None
    return event.get("channel"), event.get("text")


class SlackInput(InputChannel):
    """Slack app: POST /webhooks/slack/webhook for events and interactivity."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(credentials["slack_token"], credentials["slack_signing_secret"])

    def __init__(self, bot_token: str, signing_secret: str) -> None:
        self.bot_token, self.signing_secret = bot_token, signing_secret

    def get_output_channel(self) -> SlackOutput:
        return SlackOutput(self.bot_token)

    def signed_by_slack(self, request: Request) -> bool:
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        given = request.headers.get("X-Slack-Signature", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_REQUEST_AGE_SECONDS:
            return False
        return bool(given) and hmac.compare_digest(given, signature(self.signing_secret, timestamp, request.body))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("slack_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.signed_by_slack(request):
                logger.warning("slack: request without a valid X-Slack-Signature rejected")
                return response.text("invalid signature", status=403)
            if request.headers.get("X-Slack-Retry-Num"):
                return response.text("")
            if not is_form(request) and (request.json or {}).get("type") == "url_verification":
                return response.json({"challenge": request.json.get("challenge")})
            message = message_of(request)
            if message and all(message):
                channel, text = message
                try:
                    await on_new_message(UserMessage(text, self.get_output_channel(), channel, input_channel=self.name()))
                except ProviderError:
                    pass
            return response.text("")

        return webhook
