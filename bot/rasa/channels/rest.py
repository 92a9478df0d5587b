"""The REST channel (POST /webhooks/rest/webhook), for servers only: it requires the API token.

Rasa's own REST channel answers anyone who knows (or guesses) a sender id, with replies built
from that patient's conversation. Here a request must carry RASA_AUTH_TOKEN, as
`Authorization: Bearer <token>` or `?token=<token>` (compared in constant time), its body must be
a JSON object with the strings "sender" and "message" (else 400), and the conversation is the
channel's own: "rest:<sender>". Messages are bounded (bot/rasa/channels/bounded.py).
A caller may send `message_id` (and `retry: true` when sending it again): a retried message is
answered once (bot/rasa/agent.py); `test_traffic: true` marks the evaluation's and tests' messages
(their alerts page nobody). Messages the clinic's staff write to a conversation (bot/rasa/staff.py)
wait in the outbox and come first in the reply to the client's next request.

A message the assistant failed to handle (the shared conversation database did not answer in
time, bot/rasa/conversation_store.py) is answered 503, never 200 with the replies made before
the failure: those replies were not saved, and a client told 200 would not send the message
again (Rasa's own REST channel logs the failure and answers 200 with whatever was collected).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from types import SimpleNamespace
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.database import database
from bot.names import Channel, ClientMessage
from bot.rasa.agent import client_fields
from bot.rasa.channels import has_token, namespaced, outbox
from bot.rasa.channels.bounded import Handler, bounded
from bot.rasa.channels.payload import Malformed, json_fields

NOT_HANDLED = (
    "the assistant could not handle this message just now: send it again with the same message_id and retry: true"
)
_request_context: contextvars.ContextVar[SimpleNamespace] = contextvars.ContextVar("rest_request_context")


def noting_failure(on_new_message: Handler) -> Handler:
    """Wraps the handler so that a failure is noted on the request's context (`failed`) before
    Rasa's channel swallows it."""

    async def handle(message: UserMessage) -> Any:
        try:
            return await on_new_message(message)
        except Exception:
            _request_context.get(SimpleNamespace()).failed = True
            raise

    return handle


class TokenRestInput(RestInput):
    """REST channel requiring RASA_AUTH_TOKEN."""

    @classmethod
    def name(cls) -> Text:
        return Channel.REST

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = await super()._extract_sender(req)
        return namespaced(self.name(), str(sender)) if sender else None

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        """The client's message id and retry flag, and whether it is test traffic (no staff pages)."""
        fields = client_fields(request.json) or {}
        if isinstance(request.json, dict) and request.json.get(ClientMessage.TEST_TRAFFIC) is True:
            fields[ClientMessage.TEST_TRAFFIC] = True
        return fields or None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(noting_failure(bounded(on_new_message)))
        token = settings.server_settings().auth_token

        @webhook.middleware("request")
        async def require_token_and_message(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            if not has_token(request, token):
                return response.json({"error": "the REST channel needs the API token"}, status=401)
            try:
                body = json_fields(request.body)
                for key in ("sender", "message"):
                    body.need(key, str)
            except Malformed as problem:
                return response.json({"error": f'send {{"sender": ..., "message": ...}}: {problem}'}, status=400)
            request.ctx.failed = False
            _request_context.set(request.ctx)
            return None

        @webhook.middleware("response")
        async def with_staff_messages(request: Request, reply: HTTPResponse) -> Optional[HTTPResponse]:
            """The staff's messages since the client's last request come first in the reply; a
            message whose handling failed is answered 503 (its replies, if any, were not saved)."""
            if getattr(request.ctx, "failed", False):
                return response.json({"error": NOT_HANDLED}, status=503)
            if request.method != "POST" or reply.status != 200 or not isinstance(request.json, dict):
                return None
            sender = str(request.json.get("sender") or "")
            waiting = await asyncio.get_running_loop().run_in_executor(
                None, outbox.collect, database(), self.name(), namespaced(self.name(), sender)
            )
            if not waiting:
                return None
            return response.json(
                [{"recipient_id": sender, **message} for message in waiting] + json.loads(reply.body or b"[]")
            )

        return webhook

    async def send_to(self, conversation_id: str, messages: List[Dict[str, Any]]) -> None:
        """Keeps staff messages for the client's next request: the REST channel cannot reach it."""
        replies = outbox.turn(conversation_id, conversation_id.split(":", 1)[1], messages)
        await asyncio.get_running_loop().run_in_executor(
            None, outbox.record, database(), self.name(), conversation_id, replies
        )
