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
import json
import time
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.names import Channel
from bot.rasa.channels.provider import Refused, post
from bot.rasa.channels.signed_webhook import Incoming, SignedWebhookInput

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
        answer = await post(
            "slack",
            f"{settings.provider_api_url('slack')}/chat.postMessage",
            json=body,
            headers={"Authorization": f"Bearer {self.bot_token}"},
        )
        if not (answer or {}).get("ok"):
            raise Refused(f"slack API refused chat.postMessage ({(answer or {}).get('error')})")

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


def message_of(request: Request) -> Optional[Incoming]:
    """A user's message event (keyed by its event_id) or button press (by its trigger_id; the
    button's value is the payload); None for anything else."""
    if is_form(request):
        action = json.loads(request.form.get("payload") or "{}")
        if action.get("type") == "block_actions" and action.get("actions"):
            channel, text = (action.get("channel") or {}).get("id"), action["actions"][0].get("value")
            key = action.get("trigger_id") or action["actions"][0].get("action_ts")
            return Incoming(key, channel, text) if key and channel and text else None
        return None
    body = request.json or {}
    event = body.get("event") or {}
    if event.get("type") != "message" or event.get("bot_id") or event.get("subtype"):
        return None
    key, channel, text = body.get("event_id"), event.get("channel"), event.get("text")
    return Incoming(key, channel, text) if key and channel and text else None


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
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_REQUEST_AGE_SECONDS:
            return False
        return bool(given) and hmac.compare_digest(given, signature(self.signing_secret, timestamp, request.body))

    def early_answer(self, request: Request) -> Optional[HTTPResponse]:
        if not is_form(request) and (request.json or {}).get("type") == "url_verification":
            return response.json({"challenge": request.json.get("challenge")})
        return None

    def incoming(self, request: Request) -> List[Incoming]:
        message = message_of(request)
        return [message] if message else []
