"""Rasa component: the deterministic red-flag net.

Runs last in the NLU pipeline. A message becomes a red flag when the spaCy pipeline's
warning-sign matcher (data/warning_signs.yml) finds a sign the patient does not deny or only ask
about (bot/language/sign_context.py), or when the intent classifier's best guess is a red-flag
intent, even if the FallbackClassifier judged it uncertain. Where the net finds no sign, how
sure the classifier must be depends on what the message says of symptoms: any mentioned,
``mentioned_sign_threshold``; only denied or asked about ("no fever, when can I swim?"),
``denied_sign_threshold``; none at all, ``unsupported_threshold``. Below it, the message keeps
its next intent (the classifier's confidence is how close the message is to the red-flag
examples, bot/rasa/nearest.py). The red-flag intent then
wins over every other intent with confidence 1.0, and a ``warning_sign`` entity names the most
severe sign found ("unspecified" when only the classifier noticed it).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple, Type

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
from spacy.tokens import Doc

from bot.language.sign_context import DENIED_SPANS_KEY
from bot.language.warning_signs import CARE_KEY, MENTIONS_KEY, SPANS_KEY, primary_sign
from bot.names import RED_FLAG_INTENTS, UNSPECIFIED_SIGN, Entity, Severity
from bot.rasa.model_component import ModelComponent

WARNING_SIGN_ENTITY = Entity.WARNING_SIGN
URGENT_INTENT, EMERGENCY_INTENT = RED_FLAG_INTENTS
MENTIONED_SIGN_THRESHOLD = "mentioned_sign_threshold"
DENIED_SIGN_THRESHOLD = "denied_sign_threshold"
UNSUPPORTED_THRESHOLD = "unsupported_threshold"
FALLBACK_THRESHOLD = "fallback_threshold"
# What the net read in the message, in its parse data (read by bot/rasa/policies.py): the signs
# reported and those denied or only asked about (ids), whether any symptom word was used and
# whether the message asks whether or when to get care.
SIGNS_KEY = "warning_signs"


def classifier_red_flag(message: Message) -> Tuple[Optional[Text], float]:
    """The red-flag intent the classifier ranked first (ignoring the fallback intent) and its
    confidence, or (None, 0)."""
    for candidate in message.get(INTENT_RANKING_KEY) or []:
        name = candidate.get(INTENT_NAME_KEY)
        if name == DEFAULT_NLU_FALLBACK_INTENT_NAME:
            continue
        if name in RED_FLAG_INTENTS:
            return name, float(candidate.get(PREDICTED_CONFIDENCE_KEY, 0.0))
        return None, 0.0
    return None, 0.0


def needed_confidence(doc: Optional[Doc], thresholds: Dict[Text, float]) -> float:
    """How sure the classifier must be of a red flag the net did not find: `mentioned_sign_threshold`
    when the message mentions a symptom, `denied_sign_threshold` when it only denies or asks about
    them, `unsupported_threshold` when it mentions none."""
    if doc is None or len(doc.spans.get(MENTIONS_KEY, [])):
        return thresholds[MENTIONED_SIGN_THRESHOLD]
    if len(doc.spans.get(DENIED_SPANS_KEY, [])):
        return thresholds[DENIED_SIGN_THRESHOLD]
    return thresholds[UNSUPPORTED_THRESHOLD]


def signs_read(doc: Optional[Doc]) -> Dict[Text, Any]:
    """The signs the message reports, those it denies or asks about, its symptom words and whether
    it asks about getting care."""
    if doc is None:
        return {"reported": [], "denied": [], "symptoms": False, "care": False}
    return {
        "reported": sorted({s.label_ for s in doc.spans.get(SPANS_KEY, [])}),
        "denied": sorted({s.label_ for s in doc.spans.get(DENIED_SPANS_KEY, []) if s.label_ != MENTIONS_KEY}),
        "symptoms": bool(len(doc.spans.get(MENTIONS_KEY, [])) or len(doc.spans.get(DENIED_SPANS_KEY, []))),
        "care": bool(len(doc.spans.get(CARE_KEY, []))),
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagDetector(ModelComponent, IntentClassifier, EntityExtractorMixin):
    """Makes any message describing a warning sign a red flag, whatever else it says."""

    CALIBRATED = (MENTIONED_SIGN_THRESHOLD, DENIED_SIGN_THRESHOLD, UNSUPPORTED_THRESHOLD, FALLBACK_THRESHOLD)

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, model_storage, resource)
        self.thresholds = {
            key: float(config[key]) for key in (MENTIONED_SIGN_THRESHOLD, DENIED_SIGN_THRESHOLD, UNSUPPORTED_THRESHOLD)
        }
        self.fallback_threshold = float(config[FALLBACK_THRESHOLD])

    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP, IntentClassifier]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            message.set(SIGNS_KEY, signs_read(message.get(SPACY_DOCS[TEXT])), add_to_output=True)
            self._escalate_if_red_flag(message)
        return messages

    def _escalate_if_red_flag(self, message: Message) -> None:
        doc = message.get(SPACY_DOCS[TEXT])
        sign = primary_sign(doc)
        ml_intent, confidence = classifier_red_flag(message)
        if sign is None and ml_intent and confidence < needed_confidence(doc, self.thresholds):
            self._drop_red_flag_intents(message)
            return
        if sign is None and ml_intent is None:
            return
        emergency = (sign is not None and sign.kb_id_ == Severity.EMERGENCY) or ml_intent == EMERGENCY_INTENT
        intent = {INTENT_NAME_KEY: EMERGENCY_INTENT if emergency else URGENT_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != intent[INTENT_NAME_KEY]
        ]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)

        entity = {"entity": WARNING_SIGN_ENTITY, "value": UNSPECIFIED_SIGN, "start": 0, "end": 0}
        if sign is not None:
            entity.update(value=sign.label_, start=sign.start_char, end=sign.end_char)
        others = [e for e in message.get(ENTITIES, []) if e.get("entity") != WARNING_SIGN_ENTITY]
        message.set(ENTITIES, others + self.add_extractor_name([entity]), add_to_output=True)

    def _drop_red_flag_intents(self, message: Message) -> None:
        """The message's intent without the red-flag intents: the next one, renormalised, or the
        fallback intent when that is not confident enough."""
        ranking = [
            r
            for r in message.get(INTENT_RANKING_KEY) or []
            if r.get(INTENT_NAME_KEY) not in RED_FLAG_INTENTS + (DEFAULT_NLU_FALLBACK_INTENT_NAME,)
        ]
        total = sum(float(r.get(PREDICTED_CONFIDENCE_KEY, 0.0)) for r in ranking) or 1.0
        ranking = [
            {**r, PREDICTED_CONFIDENCE_KEY: float(r.get(PREDICTED_CONFIDENCE_KEY, 0.0)) / total} for r in ranking
        ]
        best = (
            ranking[0]
            if ranking
            else {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 1.0}
        )
        if best[PREDICTED_CONFIDENCE_KEY] < self.fallback_threshold:
            best = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: self.fallback_threshold,
            }
        message.set(INTENT, dict(best), add_to_output=True)
        message.set(
            INTENT_RANKING_KEY,
            [dict(best)] + [r for r in ranking if r.get(INTENT_NAME_KEY) != best[INTENT_NAME_KEY]],
            add_to_output=True,
        )
