"""The first stage of the two-stage fallback: "Did you mean ...?" with FAQ buttons."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.clarification import faq_suggestions


class ActionDefaultAskAffirmation(Action):
    """Offers the FAQ answers the patient most likely meant, or asks them to rephrase."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        responses = domain.get("responses", {})
        buttons = faq_suggestions(tracker.latest_message, responses)
        if not buttons:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        something_else = responses["utter_button_something_else"][0]["text"]
        buttons.append({"title": something_else, "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return []
