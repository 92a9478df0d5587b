"""Rasa component: the deterministic red-flag net.

Runs last in the NLU pipeline. A message becomes a red flag when the spaCy pipeline's
warning-sign matcher (data/warning_signs.yml) fires, or when the intent classifier's best
guess is a red-flag intent, even if the FallbackClassifier judged it uncertain. The red-flag
intent then wins over every other intent with confidence 1.0, and a ``warning_sign`` entity
names the most severe sign found ("unspecified" when only the classifier noticed it).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from spacy.tokens import Doc, Span

from bot.nlp.warning_signs import SPANS_KEY

WARNING_SIGN_ENTITY = "warning_sign"
UNSPECIFIED_SIGN = "unspecified"
URGENT_INTENT = "red_flag"
EMERGENCY_INTENT = "red_flag_emergency"
SEVERITY_RANK = {"emergency": 0, "urgent": 1}


def primary_sign(doc: Optional[Doc]) -> Optional[Span]:
    """The most severe warning sign in the doc (the first one among equals), or None."""
    if doc is None or SPANS_KEY not in doc.spans or not len(doc.spans[SPANS_KEY]):
        return None
    return min(doc.spans[SPANS_KEY], key=lambda s: (SEVERITY_RANK[s.kb_id_], s.start))


def classifier_red_flag(message: Message) -> Optional[Text]:
    """The red-flag intent the classifier ranked first (ignoring the fallback intent), or None."""
    for candidate in message.get(INTENT_RANKING_KEY) or []:
        name = candidate.get(INTENT_NAME_KEY)
        if name == DEFAULT_NLU_FALLBACK_INTENT_NAME:
            continue
        return name if name in (URGENT_INTENT, EMERGENCY_INTENT) else None
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagDetector(GraphComponent, IntentClassifier, EntityExtractorMixin):
    """Makes any message describing a warning sign a red flag, whatever else it says."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP, IntentClassifier]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagDetector:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._escalate_if_red_flag(message)
        return messages

    def _escalate_if_red_flag(self, message: Message) -> None:
        sign = primary_sign(message.get(SPACY_DOCS[TEXT]))
        ml_intent = classifier_red_flag(message)
        if sign is None and ml_intent is None:
            return
        emergency = (sign is not None and sign.kb_id_ == "emergency") or ml_intent == EMERGENCY_INTENT
        intent = {INTENT_NAME_KEY: EMERGENCY_INTENT if emergency else URGENT_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != intent[INTENT_NAME_KEY]]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)

        entity = {"entity": WARNING_SIGN_ENTITY, "value": UNSPECIFIED_SIGN, "start": 0, "end": 0}
        if sign is not None:
            entity.update(value=sign.label_, start=sign.start_char, end=sign.end_char)
        others = [e for e in message.get(ENTITIES, []) if e.get("entity") != WARNING_SIGN_ENTITY]
        message.set(ENTITIES, others + self.add_extractor_name([entity]), add_to_output=True)
