"""Facebook Messenger.

Inbound: the Messenger Platform webhook, signed with X-Hub-Signature-256 (HMAC of the body with
the app secret); the GET subscription handshake checks the verify token. Outbound: the Send API,
with choices as quick replies.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Dict, Iterator, List, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.names import Channel
from bot.rasa.channels import matches, shortened
from bot.rasa.channels.payload import Fields, json_fields
from bot.rasa.channels.provider import TokenOutput, post
from bot.rasa.channels.signed_webhook import Incoming, SignedWebhookInput

QUICK_REPLY_TITLE_LIMIT = 20


class MessengerOutput(TokenOutput):
    channel = Channel.FACEBOOK

    async def _send(self, recipient_id: Text, message: Dict[str, Any]) -> None:
        url = f"{settings.provider_api_url('facebook')}/{settings.facebook_graph_version()}/me/messages"
        body = {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message}
        await post("facebook", url, json=body, headers={"Authorization": f"Bearer {self.token}"})

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, {"text": text.strip()})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        replies = [
            {
                "content_type": "text",
                "title": shortened(str(b["title"]), QUICK_REPLY_TITLE_LIMIT),
                "payload": str(b["payload"]),
            }
            for b in buttons
        ]
        await self._send(recipient_id, {"text": text.strip(), "quick_replies": replies})


def messages_in(body: Fields) -> Iterator[Incoming]:
    """Each message, quick reply or postback in a page's webhook body (the payload is the text to
    send), with its message id (mid)."""
    if body.need("object", str) != "page":
        return
    for entry in body.objects("entry"):
        for event in entry.objects("messaging"):
            sender = event.need_object("sender").need("id", str)
            message, postback = event.object("message"), event.object("postback")
            if message.get("is_echo", bool):
                continue
            choice, typed, pressed = (
                message.object("quick_reply").get("payload", str),
                message.get("text", str),
                postback.get("payload", str),
            )
            mid, postback_mid, timestamp = (
                message.get("mid", str),
                postback.get("mid", str),
                event.get("timestamp", int),
            )
            text = choice or typed or pressed
            if text:
                yield Incoming(mid or postback_mid or f"{sender}/{timestamp}", sender, text)


class MessengerInput(SignedWebhookInput):
    """Facebook Messenger: GET/POST /webhooks/facebook/webhook."""

    credential_keys = ("verify", "secret", "page-access-token")

    channel = Channel.FACEBOOK

    def __init__(self, verify_token: str, app_secret: str, page_access_token: str) -> None:
        self.verify_token, self.app_secret, self.page_access_token = verify_token, app_secret, page_access_token

    def get_output_channel(self) -> MessengerOutput:
        return MessengerOutput(self.page_access_token)

    def signed(self, request: Request) -> bool:
        given = request.headers.get("X-Hub-Signature-256", "")
        expected = "sha256=" + hmac.new(self.app_secret.encode(), request.body, hashlib.sha256).hexdigest()
        return matches(given, expected)

    def incoming(self, request: Request) -> List[Incoming]:
        return list(messages_in(json_fields(request.body)))

    def acknowledgement(self, request: Request) -> HTTPResponse:
        return response.text("EVENT_RECEIVED")

    def add_routes(self, webhook: Blueprint) -> None:
        @webhook.route("/webhook", methods=["GET"])
        async def subscribe(request: Request) -> HTTPResponse:
            if request.args.get("hub.mode") == "subscribe" and matches(
                request.args.get("hub.verify_token", ""), self.verify_token
            ):
                return response.text(request.args.get("hub.challenge", ""))
            return response.text("invalid verify token", status=403)
