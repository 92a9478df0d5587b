"""The Rasa server's part of the scheduled check-ins (bot/check_ins): it sends the messages due.

Only a Rasa server sends, because a check-in belongs in the patient's conversation: under the
conversation's lock it fills utter_check_in (the agent's generator, with the clinic profile's
values), sends it through the Twilio channel's API client (SMS; WhatsApp with the approved
template), then adds it to the conversation (`twilio:<number>`) as the assistant's message with
the enrolment's procedure and surgery date as slots, so the patient's reply, even in a later
session, is answered for their procedure and time since surgery. Each message was claimed in the
database first (bot/check_ins.claim_due), so several servers never send one twice.

`send_regularly` (a server listener) sends what is due every CHECK_SECONDS;
POST /assistant/check-ins/due {"now": ISO time} (API token) does it at once, for `make
check-ins-due`, which calls a running server (bot/check_ins/due.py). After each save of a
conversation (bot/rasa/staff.py) a patient's STOP or START stops or restarts their check-ins (the
agent stores those unanswered, bot/rasa/agent.py: Twilio confirms them on SMS) and a reply marks
the check-ins before it answered. Twilio's error 21610 (the number replied STOP to
Twilio itself) stops them too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from typing import Any, Dict, Optional

from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot import check_ins, logs
from bot.check_ins.content import check_in, template_variables
from bot.names import Channel, Response, Slot
from bot.rasa import timer
from bot.rasa.channels import channel_of, enabled_credentials
from bot.rasa.channels.provider import NoAnswer, ProviderError, Refused
from bot.rasa.channels.twilio import TwilioOutput, TwilioSMSInput, TwilioWhatsAppInput
from bot.timelines.advice import Reply
from bot.timelines.data import timeline_data

logger = logging.getLogger(__name__)

CHECK_SECONDS = 60.0
TWILIO_OPTED_OUT = 21610  # Twilio: "Attempt to send to unsubscribed recipient" (they replied STOP)
INPUTS = {Channel.TWILIO: TwilioSMSInput, Channel.TWILIO_WHATSAPP: TwilioWhatsAppInput}


def outputs() -> Dict[str, TwilioOutput]:
    """The API clients of the check-ins' channels that credentials.yml and the environment enable."""
    from bot import settings

    enabled = enabled_credentials(settings.PROJECT_ROOT / "credentials.yml")
    found = {}
    for channel, input_class in INPUTS.items():
        config = enabled.get(f"{input_class.__module__}.{input_class.__name__}")
        if config:
            values = (settings.filled(str(config[key])) for key in ("account_sid", "auth_token", "number"))
            found[channel] = TwilioOutput(*values)
    return found


async def _send(agent: Any, output: TwilioOutput, due: check_ins.Due, reply: Reply, text: str, template: str) -> None:
    """By SMS the text; on WhatsApp the approved template with the check-in's values."""
    if due.enrolment.channel == Channel.TWILIO_WHATSAPP:
        [variation] = agent.nlg.responses[Response.CHECK_IN]
        await output.send_template(due.enrolment.address, template, template_variables(str(variation["text"]), reply))
    else:
        await output.send_text_message(due.enrolment.address, text)


async def send_one(
    agent: Any,
    engine: Engine,
    due: check_ins.Due,
    clients: Dict[str, TwilioOutput],
    schedule: check_ins.Schedule,
    now: float,
) -> str:
    """Sends one claimed check-in and records it in the conversation; returns its status."""
    loop = asyncio.get_running_loop()
    enrolment, status, problem = due.enrolment, check_ins.SENT, ""
    reply = check_in(timeline_data(), enrolment.procedure, due.day)
    client = clients.get(enrolment.channel)
    async with agent.lock_store.lock(enrolment.conversation_id):
        tracker = await agent.tracker_store.get_or_create_tracker(enrolment.conversation_id)
        message = await agent.nlg.generate(reply.response, tracker, enrolment.channel, **reply.variables)
        text = str((message or {}).get("text") or "")
        try:
            if client is None or not text:
                raise LookupError(f"the {enrolment.channel} channel is not enabled" if text else "no utter_check_in")
            await _send(agent, client, due, reply, text, schedule.whatsapp_template)
        except NoAnswer:
            status, problem = check_ins.UNKNOWN, "NoAnswer"  # the patient may have it: recorded, never resent
        except Refused as refused:
            status, problem = check_ins.FAILED, f"Refused {refused.code or refused.status}"
            if refused.code == TWILIO_OPTED_OUT:
                await loop.run_in_executor(
                    None, check_ins.stop, engine, enrolment.id, check_ins.PROVIDER_OPT_OUT, check_ins.ASSISTANT, now
                )
        except (ProviderError, LookupError) as error:
            status, problem = check_ins.FAILED, type(error).__name__
        if status != check_ins.FAILED:
            cites = [*((message or {}).get("metadata") or {}).get("cites", []), *reply.cites]
            about = {"enrolment": enrolment.id, "day": due.day, **reply.about}
            metadata = {"utter_action": Response.CHECK_IN, "metadata": {"cites": cites, "check_in": about}}
            tracker.update(SlotSet(Slot.PROCEDURE, enrolment.procedure))
            tracker.update(SlotSet(Slot.SURGERY_TIME, enrolment.surgery_date.isoformat()))
            tracker.update(SlotSet(Slot.CHECK_IN, f"{enrolment.id}/{due.day}"))
            tracker.update(BotUttered(text, metadata=metadata))
            await agent.tracker_store.save(tracker)
    await loop.run_in_executor(None, check_ins.finish, engine, due.message_id, status, problem, now)
    if status != check_ins.SENT:
        logger.error("check-in %d (enrolment %d): %s (%s)", due.message_id, enrolment.id, status, problem)
    return status


async def send_due(
    agent: Any,
    engine: Engine,
    clients: Dict[str, TwilioOutput],
    schedule: check_ins.Schedule,
    now: Optional[float] = None,
) -> Dict[str, int]:
    """Claims the check-ins due at `now` (default: now) and sends them; counts by status."""
    loop = asyncio.get_running_loop()
    moment = time.time() if now is None else now
    counts: Dict[str, int] = {}
    for due in await loop.run_in_executor(None, check_ins.claim_due, engine, schedule, moment):
        status = await send_one(agent, engine, due, clients, schedule, moment)
        counts[status] = counts.get(status, 0) + 1
    return counts


def after_save(engine: Engine, tracker: DialogueStateTracker) -> None:
    """A patient's STOP or START (their latest message, if no check-in followed it) stops or
    restarts their check-ins (START only what they stopped, not what the staff stopped); any
    other message answers the check-ins sent before it."""
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered) and (event.metadata or {}).get("utter_action") == Response.CHECK_IN:
            return
        if isinstance(event, UserUttered):
            break
    else:
        return
    if channel_of(tracker.sender_id) not in check_ins.WRITES_FIRST:  # no enrolment possible: no query
        return
    enrolment = check_ins.of_conversation(engine, tracker.sender_id)
    if enrolment is None:
        return
    word = check_ins.opt_out_word(event.text or "")
    if word == check_ins.STOP:
        check_ins.stop(engine, enrolment.id, check_ins.BY_PATIENT, check_ins.BY_PATIENT, event.timestamp)
    elif word == check_ins.START and enrolment.stop_reason in check_ins.PATIENT_STOPS:
        check_ins.restart(engine, enrolment.id, check_ins.BY_PATIENT, event.timestamp)
    else:
        check_ins.answered(engine, tracker.sender_id, event.timestamp)


async def is_opt_out(conversation_id: str, text: str) -> bool:
    """Whether the message is an enrolled patient's STOP or START (False if the database cannot say)."""
    from bot.database import database

    if check_ins.opt_out_word(text) is None:
        return False
    try:
        found = await asyncio.get_running_loop().run_in_executor(
            None, lambda: check_ins.of_conversation(database(), conversation_id)
        )
    except Exception as error:
        logger.error("check-ins: could not look up an enrolment (%s)", logs.reason(error))
        return False
    return found is not None


def add_check_in_routes(app: Any) -> None:
    """POST /assistant/check-ins/due {"now": ISO time (optional)}: sends what is due then."""

    @app.post("/assistant/check-ins/due")
    async def due(request: Request) -> HTTPResponse:
        from bot.database import database

        body = request.json if isinstance(request.json, dict) else {}
        try:
            given = str(body.get("now") or "").replace("Z", "+00:00")
            now = datetime.fromisoformat(given).timestamp() if given else None
        except ValueError:
            return response.json({"error": 'send {"now": "2026-01-07T17:00:00+00:00"} (ISO 8601) or no now'}, 400)
        agent = getattr(app.ctx, "agent", None)
        if agent is None or not agent.is_ready():
            return response.json({"error": "the Rasa server has no model loaded yet; try again"}, status=503)
        engine = await asyncio.get_running_loop().run_in_executor(None, database)
        counts = await send_due(agent, engine, outputs(), check_ins.schedule(), now)
        return response.json({"sent": counts})


async def send_regularly(app: Any, _: Any) -> None:
    """Sends the check-ins due, every CHECK_SECONDS (a server listener)."""
    from bot.database import database

    async def send_now() -> None:
        agent = getattr(app.ctx, "agent", None)
        if agent is not None and agent.is_ready():
            engine = await asyncio.get_running_loop().run_in_executor(None, database)
            await send_due(agent, engine, outputs(), check_ins.schedule())

    timer.every(app, CHECK_SECONDS, "check-ins: sending", send_now)
