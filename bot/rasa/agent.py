"""The Rasa agent, answering a message its client sends again only once.

A client whose request was cut off (a replica died, a connection dropped) cannot know whether
its message was processed. It sends it again with the same `message_id` and `retry: true`
(bot/names.py ClientMessage). Under the conversation's lock, shared by every replica, the
agent looks for that message in the conversation: if it is there, the replies stored after it
are sent again instead of processing the message a second time. First sends cost nothing extra.
"""

from __future__ import annotations

import contextlib
import re
import time
from typing import Any, Dict, Iterator, List, Optional, Text

from rasa.core.agent import Agent
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import metrics, outcomes
from bot.clinic import load_profile
from bot.names import RED_FLAG_INTENTS, ClientMessage
from bot.rasa import check_ins, staff
from bot.rasa.channels import channel_of
from bot.rasa.channels.outbox import RESPONSE_KEY
from bot.rasa.clinic_responses import ClinicResponses

VALID_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def client_fields(payload: Any) -> Optional[Dict[str, Any]]:
    """The message id and retry flag a client sent (metadata for the message), if well-formed."""
    if not isinstance(payload, dict):
        return None
    message_id = payload.get(ClientMessage.MESSAGE_ID)
    if not isinstance(message_id, str) or not VALID_ID.fullmatch(message_id):
        return None
    return {ClientMessage.MESSAGE_ID: message_id, ClientMessage.RETRY: payload.get(ClientMessage.RETRY) is True}


def response_name(message: Dict[str, Any]) -> str:
    """The name of the response a message to the patient came from ("" if none): Rasa puts it in
    the message; a reply sent again has it in the message's metadata."""
    return str(message.get(RESPONSE_KEY) or (message.get("metadata") or {}).get(RESPONSE_KEY) or "")


@contextlib.contextmanager
def noting_responses(output: OutputChannel, names: List[str]) -> Iterator[None]:
    """While in the block, `output` (a message's own channel object) adds the response name of
    every message it sends to `names`."""
    send = output.send_response

    async def send_response(recipient_id: Text, message: Dict[Text, Any]) -> None:
        names.append(response_name(message))
        await send(recipient_id, message)

    output.send_response = send_response
    try:
        yield
    finally:
        vars(output).pop("send_response", None)


def replies_after(tracker: DialogueStateTracker, message_id: Text) -> Optional[List[Dict[str, Any]]]:
    """The bot's replies to the user message `message_id`, or None if the conversation lacks it."""
    replies: Optional[List[Dict[str, Any]]] = None
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == message_id:
                replies = []
        elif isinstance(event, BotUttered) and replies is not None:
            data = {key: value for key, value in (event.data or {}).items() if value}
            replies.append({"text": event.text, **data, "metadata": event.metadata or {}})
    return replies


class OnceAgent(Agent):
    """Agent that gives a resent message (same client message id) the replies it already got, that
    leaves a conversation with the staff to them: only a warning sign is answered (and alerts),
    every other message is stored for the staff, unanswered (bot/rasa/staff.py), and that stores
    an enrolled patient's STOP or START unanswered (bot/rasa/check_ins.py: Twilio confirms it on SMS)."""

    @staticmethod
    def _create_tracker_store(store: Optional[TrackerStore], domain: Domain) -> TrackerStore:
        """The conversation store itself. Rasa would wrap it in its FailSafeTrackerStore, which keeps
        a conversation it could not save in this server's memory without a word, and starts a new
        one when it could not read it: with several replicas the message must fail instead, and be
        sent again (bot/rasa/conversation_store.py handles its failures)."""
        chosen = store if store is not None else InMemoryTrackerStore(domain)
        chosen.domain = domain
        return chosen

    async def handle_message(self, message: UserMessage) -> Optional[List[Dict[Text, Any]]]:
        """Answers the message; counts it by channel and outcome, and how long it took (bot/metrics.py)."""
        if not self.is_ready():
            return await super().handle_message(message)
        responses: List[str] = []
        started, outcome = time.perf_counter(), metrics.ERROR
        try:
            with noting_responses(message.output_channel, responses):
                replies = await self.answer(message)
            outcome = outcomes.outcome_of(responses) or metrics.NO_REPLY
        finally:
            metrics.replied(channel_of(message.sender_id), outcome, time.perf_counter() - started)
        return replies

    async def answer(self, message: UserMessage) -> Optional[List[Dict[Text, Any]]]:
        """Answers the message (once, if resent; only a warning sign, if the staff have it)."""
        fields = client_fields(message.metadata)
        if fields is not None:
            message.message_id = fields[ClientMessage.MESSAGE_ID]
        if await check_ins.is_opt_out(message.sender_id, message.text or ""):
            async with self.lock_store.lock(message.sender_id):  # saved: the check-ins stop or restart
                await self.processor.log_message(message)
            return []
        if await staff.with_staff(message.sender_id) and not await self.is_warning_sign(message):
            async with self.lock_store.lock(message.sender_id):
                if not (fields and fields[ClientMessage.RETRY] and await self.has_message(message)):
                    await self.processor.log_message(message)
            return []
        if fields is None:
            return await super().handle_message(message)
        async with self.lock_store.lock(message.sender_id):
            tracker = await self.tracker_store.retrieve(message.sender_id) if fields[ClientMessage.RETRY] else None
            replies = replies_after(tracker, message.message_id) if tracker else None
            if replies is None:
                return await self.processor.handle_message(message)
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, reply)
        return None

    async def is_warning_sign(self, message: UserMessage) -> bool:
        """Whether the red-flag net (or the classifier) reads a warning sign in the message."""
        parsed = await self.processor.parse_message(message)
        return (parsed.get("intent") or {}).get("name") in RED_FLAG_INTENTS

    async def has_message(self, message: UserMessage) -> bool:
        """Whether the conversation holds the message already (a client sent it again)."""
        tracker = await self.tracker_store.retrieve(message.sender_id)
        return tracker is not None and replies_after(tracker, message.message_id) is not None


def load_agent(model_path: str, endpoints: Any, event_broker: Any = None) -> OnceAgent:
    """The agent for a model file, with the conversation store (streaming to `event_broker`, if
    any), lock store and action server of `endpoints` (Rasa's own load_agent, without a model
    server or remote storage), and the responses filled from the clinic profile (raises
    ClinicProfileError)."""
    from rasa.core.lock_store import LockStore

    agent = OnceAgent(
        tracker_store=TrackerStore.create(endpoints.tracker_store, event_broker=event_broker),
        lock_store=LockStore.create(endpoints.lock_store),
        action_endpoint=endpoints.action,
        generator=ClinicResponses(load_profile()),
    )
    agent.load_model(model_path)
    return agent
