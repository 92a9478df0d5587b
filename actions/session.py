"""Conversation start: the one-line disclaimer; the slots carried over."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ACTION_LISTEN_NAME as ACTION_LISTEN

from bot.names import Action as ActionName
from bot.names import Response, Slot


class ActionSessionStart(Action):
    """Starts a session like Rasa's default action, then shows the disclaimer."""

    def name(self) -> Text:
        return ActionName.SESSION_START

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        carry_over = domain.get("session_config", {}).get("carry_over_slots_to_new_session", True)
        carried_over = [
            SlotSet(name, value)
            for name, value in tracker.slots.items()
            if carry_over and value is not None and (name != Slot.CHECK_IN or check_in_unanswered(tracker.events))
        ]
        dispatcher.utter_message(response=Response.DISCLAIMER)
        return [SessionStarted(), *carried_over, ActionExecuted(ACTION_LISTEN)]


def check_in_unanswered(events: List[Dict[Text, Any]]) -> bool:
    """Whether the session ended with a check-in (or the one it carried over) no message answered."""
    for event in reversed(events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == Slot.CHECK_IN:
            return bool(event.get("value"))
    return False
