"""Rasa component: the recovery phase a message names decides which phase FAQ answers it.

Word and character counts cannot reliably tell "weeks 1-4" from "weeks 4-8" or "the third
month", so when the ResponseSelector picks one of the phase FAQs and the message names exactly
one recovery phase that has an FAQ answer (the ``recovery_phase`` entity, whose values are the
phase FAQ keys), that phase's FAQ is selected. Any other selection is left as the
ResponseSelector made it.

When the message instead tells the patient's own time since surgery or surgery date ("I had
surgery on October 3, what stage am I in?"), a phase FAQ is the wrong answer: the intent becomes
ask_recovery_stage, whose look-up works out the patient's own phase.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import (
    ENTITIES,
    FULL_RETRIEVAL_INTENT_NAME_KEY,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from bot.timelines.data import load_timeline_data

PHASE_ENTITY = "recovery_phase"
RETRIEVAL_INTENT = "faq"
STAGE_INTENT = "ask_recovery_stage"
OWN_TIME_ENTITIES = {"time_since_surgery", "surgery_date"}


def phase_keys() -> List[str]:
    """The ids of the recovery phases (data/timelines.yml), which are their FAQ keys."""
    return [phase.id for phase in load_timeline_data().phases]


def route_to_named_phase(message: Message, phases: List[str]) -> None:
    """If the selector chose a phase FAQ: the patient's own time makes it a stage question, else
    the phase the message names picks the FAQ."""
    if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) != RETRIEVAL_INTENT:
        return
    selection = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(RETRIEVAL_INTENT)
    if not selection:
        return
    response = selection[RESPONSE_SELECTOR_PREDICTION_KEY]
    if response.get(INTENT_RESPONSE_KEY) not in {f"{RETRIEVAL_INTENT}/{p}" for p in phases}:
        return
    entities = {e.get("entity") for e in message.get(ENTITIES, [])}
    if entities & OWN_TIME_ENTITIES:
        intent = message.get(INTENT)
        message.set(INTENT, {INTENT_NAME_KEY: STAGE_INTENT, PREDICTED_CONFIDENCE_KEY: intent[PREDICTED_CONFIDENCE_KEY]}, add_to_output=True)
        return
    named = {e["value"] for e in message.get(ENTITIES, []) if e.get("entity") == PHASE_ENTITY}
    if len(named) != 1:
        return
    key = f"{RETRIEVAL_INTENT}/{named.pop()}"
    answerable = {r.get(INTENT_RESPONSE_KEY) for r in selection.get(RESPONSE_SELECTOR_RANKING_KEY, [])}
    if key == response.get(INTENT_RESPONSE_KEY) or key not in answerable:
        return
    response.update(
        {
            INTENT_RESPONSE_KEY: key,
            RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{key}",
            RESPONSE_SELECTOR_RESPONSES_KEY: [],
            PREDICTED_CONFIDENCE_KEY: 1.0,
        }
    )
    message.get(INTENT)[FULL_RETRIEVAL_INTENT_NAME_KEY] = key


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PhaseRouter(GraphComponent):
    """Lets the named recovery phase pick between the phase FAQs."""

    def __init__(self, phases: List[str]) -> None:
        self.phases = phases

    @classmethod
    def required_components(cls) -> List[Type]:
        return [ResponseSelector]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PhaseRouter:
        return cls(phase_keys())

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            route_to_named_phase(message, self.phases)
        return messages
