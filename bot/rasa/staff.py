"""The Rasa server's part of the staff in a conversation (bot/alerts, bot/handoffs.py).

After each save of a conversation (bot/rasa/conversation_store.py) its latest turn may raise an
alert (an escalation) or hand it to the staff (the patient asked for a person). While the staff
have a conversation, the agent answers only warning signs and stores every other message for
them (bot/rasa/agent.py). The staff console speaks to the patient through
POST /assistant/conversations/<id>/staff (HTTP API token): a staff message, or the notice that
staff joined or left, is added to the conversation and sent in the patient's own channel: the
widget's socket (any replica: socket.io's Redis manager in a cluster), the messaging provider
(through the outbox), or for the REST channel the reply to the client's next request.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional
from urllib.parse import unquote

from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot import handoffs, logs
from bot.names import Metadata, Response
from bot.rasa import alerting, check_ins

logger = logging.getLogger(__name__)

NOTICES = {"joined": Response.STAFF_JOINED, "left": Response.STAFF_LEFT, "message": Response.STAFF_MESSAGE}
MAX_STAFF_MESSAGE = 2000


def handoff_requested(tracker: DialogueStateTracker) -> Optional[float]:
    """When the patient sent the message the assistant answered with its handoff reply, if that
    was the conversation's latest turn."""
    asked = False
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            asked = asked or (event.metadata or {}).get("utter_action") == Response.HUMAN_HANDOFF
        elif isinstance(event, UserUttered):
            return event.timestamp if asked else None
    return None


def after_save(engine: Engine, tracker: DialogueStateTracker) -> None:
    """Raises the alert of an escalation, records a STOP, START or reply to the patient's
    check-ins (bot/rasa/check_ins.py), and hands the conversation to the staff if the patient
    asked (once: not again after the staff handed it back)."""
    alerting.raise_for(engine, tracker)
    check_ins.after_save(engine, tracker)
    asked_at = handoff_requested(tracker)
    if asked_at is not None and not handoffs.started_since(engine, tracker.sender_id, asked_at):
        handoffs.start(engine, tracker.sender_id, handoffs.PATIENT)


async def deliver(app: Any, conversation_id: str, messages: List[Dict[str, Any]]) -> None:
    """Sends messages to the patient in the conversation's channel."""
    channel_name, _, sender = conversation_id.partition(":")
    channel = app.ctx.channels.get(channel_name)
    if channel is None or not hasattr(channel, "send_to"):
        raise LookupError(f"the {channel_name or 'unknown'} channel is not enabled on this server")
    await channel.send_to(conversation_id, messages)


def add_staff_routes(app: Any) -> None:
    """POST /assistant/conversations/<id>/staff {"kind": "message" | "joined" | "left", "text",
    "staff"}: says it to the patient, in their conversation and their channel."""

    @app.post("/assistant/conversations/<conversation_id:str>/staff")
    async def speak(request: Request, conversation_id: str) -> HTTPResponse:
        conversation_id = unquote(conversation_id)  # the console quotes it: a REST sender may hold "/"
        body = request.json if isinstance(request.json, dict) else {}
        kind, staff = str(body.get("kind") or ""), str(body.get("staff") or "")
        text = " ".join(str(body.get("text") or "").split())
        if kind not in NOTICES or not staff or (kind == "message") != bool(text) or len(text) > MAX_STAFF_MESSAGE:
            return response.json(
                {"error": 'send {"kind": "message", "text": ..., "staff": ...} (or kind "joined" / "left", no text)'},
                status=400,
            )
        agent = app.ctx.agent
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.tracker_store.retrieve(conversation_id)
            if tracker is None:
                return response.json({"error": f"no such conversation: {conversation_id}"}, status=404)
            message = await agent.nlg.generate(
                NOTICES[kind], tracker, conversation_id.split(":", 1)[0], staff_message=text
            )
            if not message:
                return response.json({"error": f"domain.yml has no {NOTICES[kind]}"}, status=500)
            metadata = {  # as Rasa stores a response: its name and its metadata (the cited passages)
                "utter_action": NOTICES[kind],
                "metadata": message.get("metadata") or {},
                **({Metadata.STAFF: staff} if kind == "message" else {}),
            }
            tracker.update(BotUttered(message["text"], metadata=metadata))
            await agent.tracker_store.save(tracker)
        sent = {
            "text": message["text"],
            "metadata": {Metadata.STAFF: kind == "message", Metadata.WITH_STAFF: kind != "left"},
        }
        try:
            await deliver(app, conversation_id, [sent])
        except LookupError as missing:
            return response.json({"error": str(missing)}, status=409)
        return response.json({"sent": sent["text"]})


async def with_staff(conversation_id: str) -> bool:
    """Whether the staff have the conversation (False if the database cannot say: the assistant answers)."""
    from bot.database import database

    try:
        found = await asyncio.get_running_loop().run_in_executor(None, handoffs.active, database(), conversation_id)
    except Exception as error:
        logger.error("handoffs: could not check a conversation (%s)", logs.reason(error))
        return False
    return found is not None
