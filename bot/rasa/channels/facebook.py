"""Facebook Messenger.

Inbound: the Messenger Platform webhook, signed with X-Hub-Signature-256 (HMAC of the body with
the app secret); the GET subscription handshake checks the verify token. Outbound: the Send API,
with choices as quick replies.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Dict, Iterator, List, Text

from rasa.core.channels.channel import OutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.names import Channel
from bot.rasa.channels.provider import post
from bot.rasa.channels.signed_webhook import Incoming, SignedWebhookInput

QUICK_REPLY_TITLE_LIMIT = 20


class MessengerOutput(OutputChannel):
    def __init__(self, page_access_token: str) -> None:
        self.page_access_token = page_access_token

    @classmethod
    def name(cls) -> Text:
        return Channel.FACEBOOK

    async def _send(self, recipient_id: Text, message: Dict[str, Any]) -> None:
        url = f"{settings.provider_api_url('facebook')}/{settings.facebook_graph_version()}/me/messages"
        body = {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message}
        await post("facebook", url, json=body, headers={"Authorization": f"Bearer {self.page_access_token}"})

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, {"text": text.strip()})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        replies = [
            {"content_type": "text", "title": str(b["title"])[:QUICK_REPLY_TITLE_LIMIT], "payload": str(b["payload"])}
            for b in buttons
        ]
        await self._send(recipient_id, {"text": text.strip(), "quick_replies": replies})


def messages_in(body: Dict[str, Any]) -> Iterator[Incoming]:
    """Each message, quick reply or postback in a webhook body (the payload is the text to send),
    with its message id (mid)."""
    for entry in body.get("entry", []):
        for event in entry.get("messaging", []):
            sender = (event.get("sender") or {}).get("id")
            message, postback = event.get("message") or {}, event.get("postback") or {}
            if message.get("is_echo"):
                continue
            text = (message.get("quick_reply") or {}).get("payload") or message.get("text") or postback.get("payload")
            mid = message.get("mid") or postback.get("mid") or f"{sender}/{event.get('timestamp')}"
            if sender and text:
                yield Incoming(mid, sender, text)


class MessengerInput(SignedWebhookInput):
    """Facebook Messenger: GET/POST /webhooks/facebook/webhook."""

    credential_keys = ("verify", "secret", "page-access-token")

    @classmethod
    def name(cls) -> Text:
        return Channel.FACEBOOK

    def __init__(self, verify_token: str, app_secret: str, page_access_token: str) -> None:
        self.verify_token, self.app_secret, self.page_access_token = verify_token, app_secret, page_access_token

    def get_output_channel(self) -> MessengerOutput:
        return MessengerOutput(self.page_access_token)

    def signed(self, request: Request) -> bool:
        given = request.headers.get("X-Hub-Signature-256", "")
        expected = "sha256=" + hmac.new(self.app_secret.encode(), request.body, hashlib.sha256).hexdigest()
        return bool(given) and hmac.compare_digest(given, expected)

    def incoming(self, request: Request) -> List[Incoming]:
        return list(messages_in(request.json or {}))

    def acknowledgement(self, request: Request) -> HTTPResponse:
        return response.text("EVENT_RECEIVED")

    def add_routes(self, webhook: Blueprint) -> None:
        @webhook.route("/webhook", methods=["GET"])
        async def subscribe(request: Request) -> HTTPResponse:
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
                request.args.get("hub.verify_token", ""), self.verify_token
            ):
                return response.text(request.args.get("hub.challenge", ""))
            return response.text("invalid verify token", status=403)
