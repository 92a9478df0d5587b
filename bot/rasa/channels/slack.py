"""Slack.

Inbound: Events API message events and interactive button presses, signed with
X-Slack-Signature (v0 HMAC over the timestamp and body with the signing secret) no older than
five minutes; the URL verification challenge is answered. Slack re-sends an event it thinks was
not received (X-Slack-Retry-Num): processed if its event_id is new, dropped otherwise. Outbound: chat.postMessage, with
choices as buttons.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.names import Channel
from bot.rasa.channels import matches
from bot.rasa.channels.payload import Fields, Malformed, form_fields, json_fields
from bot.rasa.channels.provider import call
from bot.rasa.channels.signed_webhook import Incoming, SignedWebhookInput

logger = logging.getLogger(__name__)

MAX_REQUEST_AGE_SECONDS = 5 * 60
BUTTON_TEXT_LIMIT = 75


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackOutput(OutputChannel):
    def __init__(self, bot_token: str) -> None:
        self.bot_token = bot_token

    @classmethod
    def name(cls) -> Text:
        return Channel.SLACK

    async def _post(self, channel: Text, text: Text, blocks: Optional[List[Dict[str, Any]]] = None) -> None:
        body: Dict[str, Any] = {"channel": channel, "text": text.strip()}
        if blocks:
            body["blocks"] = blocks
        answer = await call(
            "slack",
            f"{settings.provider_api_url('slack')}/chat.postMessage",
            json=body,
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
            {
                "type": "button",
                "text": {"type": "plain_text", "text": str(b["title"])[:BUTTON_TEXT_LIMIT]},
                "value": str(b["payload"]),
            }
            for b in buttons
        ]
        blocks: List[Dict[str, Any]] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": text.strip()}},
            {"type": "actions", "elements": elements},
        ]
        await self._post(recipient_id, text, blocks)


def is_form(request: Request) -> bool:
    return (request.content_type or "").startswith("application/x-www-form-urlencoded")


def interaction(request: Request) -> Fields:
    """An interactivity request's payload (a form field holding JSON)."""
    payload = form_fields(request.body).get("payload")
    if payload is None:
        raise Malformed("the form has no payload field")
    return json_fields(payload, "payload")


def message_of(request: Request) -> Optional[Incoming]:
    """A user's message event (keyed by its event_id) or button press (by its trigger_id; the
    button's value is the payload); None for anything else."""
    if is_form(request):
        action = interaction(request)
        if action.need("type", str) != "block_actions":
            return None
        actions = action.objects("actions")
        if not actions:
            return None
        channel, text = action.object("channel").get("id", str), actions[0].get("value", str)
        trigger, pressed_at = action.get("trigger_id", str), actions[0].get("action_ts", str)
        key = trigger or pressed_at
        return Incoming(key, channel, text) if key and channel and text else None
    body = json_fields(request.body)
    if body.need("type", str) != "event_callback":
        return None
    event = body.need_object("event")
    by_a_bot_or_not_a_new_message = event.get("bot_id", str) or event.get("subtype", str)
    if event.need("type", str) != "message" or by_a_bot_or_not_a_new_message:
        return None
    key, channel, text = body.need("event_id", str), event.need("channel", str), event.get("text", str)
    return Incoming(key, channel, text) if text else None


class SlackInput(SignedWebhookInput):
    """Slack app: POST /webhooks/slack/webhook for events and interactivity."""

    credential_keys = ("slack_token", "slack_signing_secret")

    @classmethod
    def name(cls) -> Text:
        return Channel.SLACK

    def __init__(self, bot_token: str, signing_secret: str) -> None:
        self.bot_token, self.signing_secret = bot_token, signing_secret

    def get_output_channel(self) -> SlackOutput:
        return SlackOutput(self.bot_token)

    def signed(self, request: Request) -> bool:
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        given = request.headers.get("X-Slack-Signature", "")
        if not timestamp.isdecimal() or abs(time.time() - int(timestamp)) > MAX_REQUEST_AGE_SECONDS:
            return False
        return matches(given, signature(self.signing_secret, timestamp, request.body))

    def early_answer(self, request: Request) -> Optional[HTTPResponse]:
        """The challenge of Slack's URL verification."""
        body = None if is_form(request) else json_fields(request.body)
        if body is not None and body.need("type", str) == "url_verification":
            return response.json({"challenge": body.need("challenge", str)})
        return None

    def incoming(self, request: Request) -> List[Incoming]:
        message = message_of(request)
        return [message] if message else []
