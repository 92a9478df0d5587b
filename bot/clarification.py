""" "Did you mean ...?" suggestions for an uncertain message (two-stage fallback)."""

from __future__ import annotations

from typing import Any, Dict, List

from bot.names import FAQ_PREFIX, Intent, Metadata

SUGGESTION_LIMIT = 3
MIN_CONFIDENCE = 0.15
CANDIDATE_INTENTS = 2


def _question(responses: Dict[str, Any], utter_action: str) -> str:
    variations = responses.get(utter_action) or [{}]
    return str((variations[0].get("metadata") or {}).get(Metadata.QUESTION, ""))


def faq_suggestions(parse_data: Dict[str, Any], responses: Dict[str, Any]) -> List[Dict[str, str]]:
    """Buttons for the FAQ answers an uncertain message most likely meant.

    Only offered when ``faq`` is among the classifier's top intents; each button sends the
    FAQ's canonical question (response metadata ``question`` in domain.yml) as the payload,
    so a click is a new, confidently understood message.
    """
    top_intents = [i.get("name") for i in parse_data.get("intent_ranking", []) if i.get("name") != Intent.NLU_FALLBACK]
    if Intent.FAQ not in top_intents[:CANDIDATE_INTENTS]:
        return []
    ranking = (parse_data.get("response_selector", {}).get(Intent.FAQ) or {}).get("ranking", [])
    buttons: List[Dict[str, str]] = []
    for candidate in ranking:
        if len(buttons) == SUGGESTION_LIMIT or candidate.get("confidence", 0) < MIN_CONFIDENCE:
            break
        key = str(candidate.get("intent_response_key", "")).partition("/")[2]  # "faq/stairs" -> "stairs"
        question = _question(responses, FAQ_PREFIX + key)
        if question:
            buttons.append({"title": question, "payload": question})
    return buttons
