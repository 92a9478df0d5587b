"""The website widget's channel: Rasa's socket.io channel, plus what the widget shows with a reply.

Sessions are the server's: a new conversation gets an unguessable id and a key (an HMAC of the id
with SESSION_SECRET); a reconnecting widget continues its conversation only by showing that key,
and messages always go to the conversation of the socket that sent them, so nobody can join or
read a conversation they were not given. "End chat" (session_end) leaves it. The widget's
thumbs up or down under an answer (feedback) is stored with the conversation for the staff.
While the clinic's staff have the conversation (bot/handoffs.py) the session says so
(`with_staff`), even after a reload; their messages reach the socket through the relay
(bot/rasa/channels/socket_relay.py), and the patient may leave a number to be called back on
(callback_number, with consent).

Each bot message carries `metadata.source` (the cited passages as a "Source: ..." line),
`metadata.urgency` ("urgent" or "emergency" for escalations), `metadata.rateable` (an answer
the patient may rate: everything but the disclaimer) and `metadata.call` (the phone numbers it
gives, from the clinic profile), so the widget can show the source, style warnings as urgent,
ask "Was this helpful?" and make the numbers tap-to-call links; `metadata.with_staff` when the
conversation goes to the staff or back, `metadata.staff` on a staff member's own message.
Browsers may connect only from the origins in CORS_ORIGINS.

A message's replies are held until its conversation is stored, then sent (HeldOutput). A message
whose handling fails (the shared conversation database did not answer in time,
bot/rasa/conversation_store.py) shows no reply: the widget is told (`not_handled`, with the
message's id) and sends it again, marked as a retry, so it is stored and answered once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer
from sqlalchemy import insert

from bot import handoffs, logs, settings
from bot.database import FEEDBACK, database
from bot.names import Channel, ClientMessage, Metadata, Response, SocketEvent
from bot.rasa import staff
from bot.rasa.agent import client_fields
from bot.rasa.channels import namespaced
from bot.rasa.channels.bounded import bounded
from bot.rasa.channels.socket_relay import Relay
from bot.sources import source_line

logger = logging.getLogger(__name__)


def reply_metadata(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """What the widget shows with a reply, from the response's metadata in domain.yml."""
    metadata = kwargs.get("metadata") or {}
    shown: Dict[str, Any] = {
        Metadata.SOURCE: source_line(metadata.get(Metadata.CITES) or []),
        Metadata.RATEABLE: kwargs.get("utter_action") != Response.DISCLAIMER,
    }
    for key in (Metadata.URGENCY, Metadata.CALL):
        if metadata.get(key):
            shown[key] = metadata[key]
    if kwargs.get("utter_action") == Response.HUMAN_HANDOFF:
        shown[Metadata.WITH_STAFF] = True
    return shown


class WidgetOutput(SocketIOOutput):
    @classmethod
    def name(cls) -> Text:
        return Channel.SOCKETIO

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


class HeldOutput(WidgetOutput):
    """The replies to one message, held until the message is handled (its conversation stored),
    then sent: a message whose handling fails shows no reply, and the widget sends it again."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text) -> None:
        super().__init__(sio, bot_message_evt)
        self.held: List[Tuple[Text, Any]] = []

    async def _send_message(self, socket_id: Text, reply: Any) -> None:
        self.held.append((socket_id, reply))

    async def release(self) -> None:
        """Sends the held replies, in order."""
        held, self.held = self.held, []
        for socket_id, reply in held:
            await super()._send_message(socket_id, reply)


class WidgetInput(SocketIOInput):
    """socket.io input channel for the widget (configured as `bot.rasa.channels.socketio.WidgetInput`)."""

    @classmethod
    def name(cls) -> Text:
        return Channel.SOCKETIO

    def disclaimer(self) -> str:
        """The assistant's disclaimer as domain.yml words it, with the clinic's values (the widget
        shows it under its title)."""
        nlg = self.app.ctx.agent.nlg if self.app is not None and self.app.ctx.agent else None
        variations = (
            nlg.responses.get(Response.DISCLAIMER) if isinstance(nlg, TemplatedNaturalLanguageGenerator) else None
        )
        return str((variations or [{}])[0].get("text", ""))

    def get_output_channel(self) -> Optional[WidgetOutput]:
        return WidgetOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        self.app: Optional[Any] = None
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=settings.cors_origins(),
            max_http_buffer_size=settings.max_request_bytes(),
        )
        handler = bounded(on_new_message)
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        async def emit(room: str, message: Dict[str, Any]) -> None:
            await sio.emit(self.bot_message_evt, message, room=room)

        self.relay = Relay(settings.lock_store_url(), emit)
        sessions: Dict[Text, Text] = {}  # socket id -> the conversation it was given
        secret = settings.session_secret()

        def key(conversation: Text) -> Text:
            return hmac.new(secret, conversation.encode(), hashlib.sha256).hexdigest()

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.listener("after_server_start")
        async def remember_app(app: Any, _: Any) -> None:
            self.app = app
            app.add_task(self.relay.listen())

        @sio.on(SocketEvent.SESSION_REQUEST, namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            """Continues the session the client proves it was given (its key), else starts a new one."""
            asked = str((data or {}).get("session_id") or "")
            proof = str((data or {}).get("session_key") or "")
            conversation = namespaced(self.name(), asked) if asked else ""
            if not (conversation and proof and hmac.compare_digest(proof, key(conversation))):
                conversation = namespaced(self.name(), secrets.token_urlsafe(24))
            sessions[sid] = conversation
            sio.enter_room(sid, conversation)
            confirmation = {
                "session_id": conversation.split(":", 1)[1],
                "session_key": key(conversation),
                "disclaimer": self.disclaimer(),
                "max_length": settings.max_message_length(),
                Metadata.WITH_STAFF: await staff.with_staff(conversation),
            }
            await sio.emit(SocketEvent.SESSION_CONFIRM, confirmation, room=sid)

        @sio.on(SocketEvent.SESSION_END, namespace=self.namespace)
        async def session_end(sid: Text, _: Any = None) -> None:
            """The patient ended the chat: this socket no longer receives that conversation."""
            conversation = sessions.pop(sid, None)
            if conversation:
                sio.leave_room(sid, conversation)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            sessions.pop(sid, None)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Dict) -> None:
            conversation = sessions.get(sid)  # never a session id the client names
            if not conversation:
                logger.warning("socket.io message before session_request ignored")
                return
            text = str((data or {}).get("message", ""))
            output = HeldOutput(sio, self.bot_message_evt)
            metadata = client_fields(data)
            try:
                await handler(UserMessage(text, output, conversation, input_channel=self.name(), metadata=metadata))
            except Exception as error:  # e.g. the shared conversation database is unreachable: nothing stored
                logger.error("socket.io: a message could not be handled (%s)", type(error).__name__, exc_info=error)
                await sio.emit(
                    SocketEvent.NOT_HANDLED,
                    {ClientMessage.MESSAGE_ID: (metadata or {}).get(ClientMessage.MESSAGE_ID)},
                    room=sid,
                )
                return
            await output.release()

        @sio.on(SocketEvent.CALLBACK_NUMBER, namespace=self.namespace)
        async def callback_number(sid: Text, data: Optional[Dict]) -> Dict[str, bool]:
            """A number the patient consented to be called back on, while the staff have the conversation."""
            conversation = sessions.get(sid)
            number = str((data or {}).get("number") or "")[:64]
            if not conversation or (data or {}).get("consent") is not True:
                return {"kept": False}
            try:
                kept = await asyncio.get_running_loop().run_in_executor(
                    None, handoffs.leave_callback_number, database(), conversation, number
                )
            except Exception as error:
                logger.error("call-back number not stored (%s)", logs.reason(error))
                kept = False
            return {"kept": kept}

        @sio.on(SocketEvent.FEEDBACK, namespace=self.namespace)
        async def feedback(sid: Text, data: Optional[Dict]) -> None:
            """The patient's thumbs up or down on an answer, kept with their conversation."""
            conversation = sessions.get(sid)
            rating = str((data or {}).get("rating") or "")
            reply = str((data or {}).get("text") or "")[: settings.max_message_length() * 10]
            if not conversation or rating not in RATINGS or not reply:
                return
            try:
                await asyncio.get_running_loop().run_in_executor(None, record_feedback, conversation, rating, reply)
            except Exception as error:  # feedback is a courtesy: never a reason to fail the chat
                logger.error("feedback not stored (%s)", logs.reason(error))

        return webhook

    async def send_to(self, conversation_id: str, messages: List[Dict[str, Any]]) -> None:
        """Sends messages (the staff's) to the conversation's widget, wherever its socket is."""
        for message in messages:
            await self.relay.send(conversation_id, message)


RATINGS = ("up", "down")


def record_feedback(conversation: Text, rating: Text, reply: Text) -> None:
    with database().begin() as connection:
        connection.execute(
            insert(FEEDBACK).values(sender_id=conversation, rating=rating, reply_text=reply, at=time.time())
        )
