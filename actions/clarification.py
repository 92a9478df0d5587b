"""The first stage of the two-stage fallback: "Did you mean ...?" with FAQ buttons."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.clarification import faq_suggestions
from bot.names import Action as ActionName
from bot.names import Intent, Response


class ActionDefaultAskAffirmation(Action):
    """Offers the FAQ answers the patient most likely meant, or asks them to rephrase."""

    def name(self) -> Text:
        return ActionName.ASK_AFFIRMATION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        responses = domain.get("responses", {})
        buttons = faq_suggestions(tracker.latest_message, responses)
        if not buttons:
            dispatcher.utter_message(response=Response.ASK_REPHRASE)
            return []
        something_else = responses[Response.BUTTON_SOMETHING_ELSE][0]["text"]
        buttons.append({"title": something_else, "payload": f"/{Intent.OUT_OF_SCOPE}"})
        dispatcher.utter_message(response=Response.ASK_AFFIRMATION, buttons=buttons)
        return []
