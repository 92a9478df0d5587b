"""Rasa component: a FallbackClassifier that also checks the FAQ answer.

Rasa's FallbackClassifier only looks at intent confidence, so a message confidently classified
as ``faq`` would be answered even when no FAQ answer fits it well. This subclass also falls back
when the selected answer's confidence (bot/rasa/nearest.py: how close the message is to that
answer's examples or cited passages) is below ``response_threshold``, so a weak FAQ match is
clarified instead of answered.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.nlu.constants import RESPONSE_SELECTOR_PREDICTION_KEY, RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.rasa.model_component import require

logger = logging.getLogger(__name__)

RESPONSE_THRESHOLD_KEY = "response_threshold"


def selected_response_confidence(message: Message) -> float:
    """Confidence of the response selected for the message's retrieval intent (1.0 if none)."""
    intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    selection = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(intent)
    if not selection:
        return 1.0
    return float(selection[RESPONSE_SELECTOR_PREDICTION_KEY][PREDICTED_CONFIDENCE_KEY])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ResponseAwareFallbackClassifier(FallbackClassifier):
    """Falls back on low intent confidence, ambiguous intents, or a low-confidence FAQ answer."""

    @classmethod
    def required_components(cls) -> list:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return FallbackClassifier.get_default_config()

    def __init__(self, config: Dict[Text, Any]) -> None:
        require(type(self).__name__, config, (RESPONSE_THRESHOLD_KEY,))
        super().__init__(config)

    def _should_fallback(self, message: Message) -> bool:
        if super()._should_fallback(message):
            return True
        confidence = selected_response_confidence(message)
        if confidence < self.component_config[RESPONSE_THRESHOLD_KEY]:
            logger.debug(
                f"Response confidence {confidence:.2f} is below the response threshold "
                f"{self.component_config[RESPONSE_THRESHOLD_KEY]:.2f}."
            )
            return True
        return False
