"""Slack.

Inbound: Events API events, a direct message to the app (message.im) or a mention of it in a
channel (app_mention), and interactive button presses, signed with X-Slack-Signature (v0 HMAC
over the timestamp and body with the signing secret) no older than five minutes; the URL
verification challenge is answered. Slack re-sends an event it thinks was not received
(X-Slack-Retry-Num): processed if its event_id is new, dropped otherwise. The conversation is the
person's, "slack:<team id>:<user id>", wherever they write. Outbound: chat.postMessage, with
choices as buttons, always in the direct message with the person (conversations.open); a channel
where they mentioned the app gets only a pointer to it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from typing import Any, Dict, List, Optional, Text

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.names import Channel
from bot.rasa.channels import matches, shortened
from bot.rasa.channels.payload import Fields, Malformed, form_fields, json_fields
from bot.rasa.channels.provider import ProviderError, Refused, TokenOutput, call, post
from bot.rasa.channels.signed_webhook import Incoming, SignedWebhookInput

logger = logging.getLogger(__name__)

MAX_REQUEST_AGE_SECONDS = 5 * 60
BUTTON_TEXT_LIMIT = 75
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")  # how a message's text mentions someone (the app)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def web_api_request(token: str, method: str, body: Dict[str, Any]) -> Dict[str, Any]:
    """The arguments of `post` or `call` for a method of Slack's Web API."""
    url = f"{settings.provider_api_url('slack')}/{method}"
    return {"url": url, "json": body, "headers": {"Authorization": f"Bearer {token}"}}


async def web_api(token: str, method: str, body: Dict[str, Any]) -> Dict[str, Any]:
    """Calls a method of Slack's Web API: its answer, or {} (logged with Slack's error) if not ok."""
    answer = await call("slack", **web_api_request(token, method, body))
    if not (answer or {}).get("ok"):
        logger.error("slack: %s failed (%s)", method, (answer or {}).get("error"))
        return {}
    return answer


class SlackOutput(TokenOutput):
    channel = Channel.SLACK

    async def _post(self, channel: Text, text: Text, blocks: Optional[List[Dict[str, Any]]] = None) -> None:
        body: Dict[str, Any] = {"channel": channel, "text": text.strip()}
        if blocks:
            body["blocks"] = blocks
        answer = await post("slack", **web_api_request(self.token, "chat.postMessage", body))
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
                "text": {"type": "plain_text", "text": shortened(str(b["title"]), BUTTON_TEXT_LIMIT)},
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


def press_of(action: Fields) -> Optional[Incoming]:
    """A button pressed (keyed by its trigger_id; the button's value is the payload)."""
    if action.need("type", str) != "block_actions":
        return None
    actions = action.objects("actions")
    first = actions[0] if actions else Fields({})
    person = f"{action.need_object('team').need('id', str)}:{action.need_object('user').need('id', str)}"
    value, trigger, pressed_at = first.get("value", str), action.get("trigger_id", str), first.get("action_ts", str)
    key = trigger or pressed_at
    return Incoming(key, person, value) if key and value else None


def message_of(request: Request) -> Optional[Incoming]:
    """A person's message to the app, keyed by its event_id: in the direct message with it, or
    mentioning it in a channel (shared: it gets only a pointer to the answer); or a button press.
    The sender is the person, "<team id>:<user id>". None for anything else."""
    if is_form(request):
        return press_of(interaction(request))
    body = json_fields(request.body)
    if body.need("type", str) != "event_callback":
        return None
    event = body.need_object("event")
    kind, channel_type = event.need("type", str), event.get("channel_type", str)
    by_a_bot_or_not_a_new_message = event.get("bot_id", str) or event.get("subtype", str)
    direct = kind == "message" and channel_type == "im"
    if by_a_bot_or_not_a_new_message or not (direct or kind == "app_mention"):
        return None
    person = f"{body.need('team_id', str)}:{event.need('user', str)}"
    key, text = body.need("event_id", str), MENTION.sub("", event.need("text", str)).strip()
    shared = "" if direct else event.need("channel", str)
    return Incoming(key, person, text, shared_chat=shared) if text else None


class SlackInput(SignedWebhookInput):
    """Slack app: POST /webhooks/slack/webhook for events and interactivity."""

    credential_keys = ("slack_token", "slack_signing_secret")

    channel = Channel.SLACK

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

    async def private_chat(self, sender: str) -> Optional[str]:
        """The direct message with the person, as conversations.open gives it."""
        try:
            opened = await web_api(self.bot_token, "conversations.open", {"users": sender.split(":")[-1]})
        except ProviderError:
            return None  # logged and counted by the provider call
        channel = (opened.get("channel") or {}).get("id")
        if not channel:
            logger.error("slack: no direct message with the person: give the app the im:write scope (docs/channels.md)")
        return channel
