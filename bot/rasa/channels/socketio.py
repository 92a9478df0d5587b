"""The website widget's channel: Rasa's socket.io channel, plus what the widget shows with a reply.

Each bot message carries `metadata.source` (the cited passages as a "Source: ..." line) and
`metadata.urgency` ("urgent" or "emergency" for escalations), so the widget can show the source
and style warnings as urgent. Browsers may connect only from the origins in CORS_ORIGINS.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import settings
from bot.names import Metadata, Response, SocketEvent
from bot.sources import source_line

logger = logging.getLogger(__name__)


def reply_metadata(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """What the widget shows with a reply, from the response's metadata in domain.yml."""
    metadata = kwargs.get("metadata") or {}
    shown = {Metadata.SOURCE: source_line(metadata.get(Metadata.CITES) or [])}
    if metadata.get(Metadata.URGENCY):
        shown[Metadata.URGENCY] = metadata[Metadata.URGENCY]
    return shown


class WidgetOutput(SocketIOOutput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        parts = text.strip().split("\n\n")
        for index, part in enumerate(parts):
            message: Dict[str, Any] = {"text": part}
            if index == len(parts) - 1:
                message["metadata"] = reply_metadata(kwargs)
            await self._send_message(recipient_id, message)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        quick_replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons]
        await self._send_message(
            recipient_id, {"text": text, "quick_replies": quick_replies, "metadata": reply_metadata(kwargs)}
        )


class WidgetInput(SocketIOInput):
    """socket.io input channel for the widget (configured as `bot.rasa.channels.socketio.WidgetInput`)."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def disclaimer(self) -> str:
        """The assistant's disclaimer as domain.yml words it (the widget shows it under its title)."""
        agent = self.app.ctx.agent if self.app is not None else None
        variations = agent.domain.responses.get(Response.DISCLAIMER) if agent and agent.domain else None
        return str((variations or [{}])[0].get("text", ""))

    def get_output_channel(self) -> Optional[WidgetOutput]:
        return WidgetOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        self.app: Optional[Any] = None
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=settings.cors_origins())
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.listener("after_server_start")
        async def remember_app(app: Any, _: Any) -> None:
            self.app = app

        @sio.on(SocketEvent.SESSION_REQUEST, namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            session_id = (data or {}).get("session_id") or uuid.uuid4().hex
            sio.enter_room(sid, session_id)
            confirmation = {"session_id": session_id, "disclaimer": self.disclaimer()}
            await sio.emit(SocketEvent.SESSION_CONFIRM, confirmation, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Dict) -> None:
            session_id = (data or {}).get("session_id")
            if not session_id:
                logger.warning("socket.io message without a session_id ignored: send session_request first")
                return
            message = UserMessage(
                str(data.get("message", "")),
                WidgetOutput(sio, self.bot_message_evt),
                session_id,
                input_channel=self.name(),
            )
            await on_new_message(message)

        return webhook
