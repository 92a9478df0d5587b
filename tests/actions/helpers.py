"""rasa_sdk trackers as the Rasa server sends them, and a runner for actions."""

import asyncio
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


def user_event(text: str, intent: str, entities: List[Dict[str, Any]], timestamp: float) -> Dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "timestamp": timestamp,
        "parse_data": {"intent": {"name": intent, "confidence": 1.0}, "entities": entities, "text": text},
    }


def tracker(
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    intent: str = "ask_activity",
    earlier: Optional[List[Dict[str, Any]]] = None,
    timestamp: float = 1_795_000_000,
) -> Tracker:
    """A tracker whose latest user message has the given intent and entities."""
    latest = user_event("(message text)", intent, entities or [], timestamp)
    return Tracker(
        sender_id="patient",
        slots=slots or {},
        latest_message=latest["parse_data"],
        events=[*(earlier or []), latest],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Action, tracker_: Tracker, domain: Optional[Dict[str, Any]] = None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, domain or {}))
    return dispatcher.messages, events
