""""Did you mean ...?" suggestions for an uncertain message (two-stage fallback)."""
from __future__ import annotations

from typing import Any, Dict, List

FAQ_INTENT = "faq"
SUGGESTION_LIMIT = 3
MIN_CONFIDENCE = 0.15
CANDIDATE_INTENTS = 2


def _question(responses: Dict[str, Any], utter_action: str) -> str:
    variations = responses.get(utter_action) or [{}]
    return str((variations[0].get("metadata") or {}).get("question", ""))


def faq_suggestions(parse_data: Dict[str, Any], responses: Dict[str, Any]) -> List[Dict[str, str]]:
    """Buttons for the FAQ answers an uncertain message most likely meant.

    Only offered when ``faq`` is among the classifier's top intents; each button sends the
    FAQ's canonical question (response metadata ``question`` in domain.yml) as the payload,
    so a click is a new, confidently understood message.
    """
    top_intents = [i.get("name") for i in parse_data.get("intent_ranking", []) if i.get("name") != "nlu_fallback"]
    if FAQ_INTENT not in top_intents[:CANDIDATE_INTENTS]:
        return []
    ranking = (parse_data.get("response_selector", {}).get(FAQ_INTENT) or {}).get("ranking", [])
    buttons = []
    for candidate in ranking:
        if len(buttons) == SUGGESTION_LIMIT or candidate.get("confidence", 0) < MIN_CONFIDENCE:
            break
        question = _question(responses, f"utter_{candidate.get('intent_response_key')}")
        if question:
            buttons.append({"title": question, "payload": question})
    return buttons
