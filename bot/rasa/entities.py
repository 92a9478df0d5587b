"""Rasa component: domain entities from the project's spaCy pipeline.

Reads what bot/language annotated on the message's spaCy doc and adds the entities
``procedure``, ``activity``, ``recovery_phase`` (ids from data/timelines.yml), ``spinal_level``
("L4-L5"), ``time_since_surgery`` (ISO duration, "P5W") and ``surgery_date`` ("--10-03").
The rules are deterministic, so training data needs no entity annotations.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text, Type

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.tokens import Doc, Span

from bot import spinal_levels
from bot.language import time_expressions
from bot.names import Entity
from bot.rasa.model_component import ModelComponent

RULER_LABELS = (Entity.PROCEDURE, Entity.ACTIVITY, Entity.RECOVERY_PHASE, Entity.PERSON, spinal_levels.LABEL)
NEGATIONS = {"not", "no", "never"}
NEGATION_REACH = 2


def _entity(span: Span, label: str, value: str) -> Dict[Text, Any]:
    return {"entity": label, "value": value, "start": span.start_char, "end": span.end_char}


def negated(ent: Span) -> bool:
    """Whether a negation comes just before the entity ("it was a microdiscectomy, not a fusion")."""
    return any(t.norm_ in NEGATIONS for t in ent.doc[max(0, ent.start - NEGATION_REACH) : ent.start])


def corrected(ents: List[Span]) -> List[Span]:
    """The entities without those the patient says are wrong, where another of the type remains."""
    kept = []
    for ent in ents:
        others = [e for e in ents if e.label_ == ent.label_ and e is not ent and not negated(e)]
        if not (negated(ent) and others):
            kept.append(ent)
    return kept


def domain_entities(doc: Doc) -> List[Dict[Text, Any]]:
    """The domain entities of a doc processed by the project's spaCy pipeline."""
    entities = []
    for ent in corrected(list(doc.ents)):
        if ent.label_ == spinal_levels.LABEL:
            value = spinal_levels.canonical_level(ent.text)
            if value:
                entities.append(_entity(ent, ent.label_, value))
        elif ent.label_ in RULER_LABELS:
            entities.append(_entity(ent, ent.label_, ent.ent_id_))
    for span in doc.spans.get(time_expressions.SPANS_KEY, []):
        entities.append(_entity(span, span.label_, span.kb_id_))
    return sorted(entities, key=lambda e: e["start"])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class DomainEntityExtractor(ModelComponent, EntityExtractorMixin):
    """Adds procedure, activity, spinal level and time-since-surgery entities."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                continue
            extracted = self.add_extractor_name(domain_entities(doc))
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
