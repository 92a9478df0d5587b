"""Rasa component: the activity or procedure a timeline question is about, also in other words.

Patients rarely use the guide's words ("can my husband get back to pickleball?", "they took out
the bit of disc pressing on my nerve"). For a timeline question, this component decides:

* which sentences ask: those with a question mark or a question word first ("when", "can",
  "how"...), else all. An activity the exact phrases of data/timelines.yml found only outside
  them ("I'm walking fine. When can I play golf?") is dropped.
* when the asking sentences name no activity (or the message no procedure) exactly, the
  closest one in meaning: the cosine similarity of the sentence encoder's vectors
  (bot/language/sentence_vectors.py), pooled over content words only, between each asking
  sentence and questions built from the catalogue's `examples`. It becomes the entity if close
  enough and clearly closer than any other (`*_threshold`, `*_margin`, calibrated on the
  development set). Uncovered activities compete
  too, so a question about driving is never taken for a covered activity that sounds close, and
  so do the `general_examples`: "minimally invasive spine surgery" is no particular procedure.

Entities found by meaning have this class as `extractor`, so the reply can say which activity or
procedure it took the question for. The anchors are encoded when the model is trained and are
stored in it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Text, Tuple, Type

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.tokens import Doc, Span

from bot.names import TIMELINE_INTENTS, Entity
from bot.rasa.model_component import TrainedComponent
from bot.timelines.data import load_timeline_data

ANCHORS_FILE = "anchors.npz"
IDS_FILE = "anchor_ids.json"
ACTIVITY, PROCEDURE = Entity.ACTIVITY, Entity.PROCEDURE
# What the patient asks, as the anchors are phrased: "when can I <example>?", "I had <example>".
QUESTIONS = {ACTIVITY: "when can i {}?", PROCEDURE: "i had {}."}
NO_PROCEDURE = ""
MIN_CONTENT_WORDS = 1
QUESTION_WORDS = {
    "when",
    "can",
    "could",
    "how",
    "is",
    "am",
    "are",
    "should",
    "will",
    "would",
    "may",
    "what",
    "do",
    "does",
    "any",
}
# Words every question shares: pooled, they would make every question look alike.
NOT_CONTENT = {
    "ok",
    "okay",
    "yet",
    "again",
    "soon",
    "long",
    "safe",
    "allowed",
    "able",
    "start",
    "surgery",
    "op",
    "operation",
    "back",
    "get",
    "go",
    "can",
    "when",
    "time",
    "recovery",
    "recover",
    "take",
    "takes",
    "return",
    "resume",
    "restart",
    "continue",
    "things",
    "stuff",
    "everything",
    "anything",
    "normal",
    "fine",
    "thanks",
}


def catalogue() -> Dict[str, List[Tuple[str, str]]]:
    """(id, anchor question) per entity type, from the examples in data/timelines.yml."""
    data = load_timeline_data()
    procedures = [(p.id, e) for p in data.procedures for e in p.examples]
    procedures += [(NO_PROCEDURE, e) for e in data.general_examples]
    return {
        ACTIVITY: [(a.id, QUESTIONS[ACTIVITY].format(e)) for a in data.activities for e in a.examples],
        PROCEDURE: [(pid, QUESTIONS[PROCEDURE].format(e)) for pid, e in procedures],
    }


def content_words(span: Span) -> List[int]:
    return [t.i for t in span if not (t.is_stop or t.is_punct or t.like_num or t.lower_ in NOT_CONTENT)]


def content_vector(span: Span) -> Optional[np.ndarray]:
    """The normalised mean of the contextual vectors of the span's content words (all its words
    if it has none)."""
    doc = span.doc
    if doc.tensor is None or not len(doc.tensor) or not len(span):
        return None
    vector = doc.tensor[content_words(span) or [t.i for t in span]].mean(axis=0)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else None


def asking_sentences(doc: Doc) -> List[Span]:
    """The sentences that ask something, or all of them if none looks like a question."""
    sentences = list(doc.sents)
    asking = [s for s in sentences if any(t.text == "?" for t in s) or (len(s) and s[0].lower_ in QUESTION_WORDS)]
    return asking or sentences


def closest(vectors: np.ndarray, anchors: np.ndarray, ids: Sequence[str]) -> Tuple[int, str, float, float]:
    """(sentence index, id, similarity, margin over the best other id) of the closest anchor."""
    similarities = vectors @ anchors.T
    sentence, anchor = np.unravel_index(int(similarities.argmax()), similarities.shape)
    best_id = ids[int(anchor)]
    others = [s for s, i in zip(similarities[sentence], ids) if i != best_id]
    best = float(similarities[sentence, anchor])
    return int(sentence), best_id, best, best - (max(others) if others else 0.0)


def within(entity: Dict[Text, Any], sentences: Sequence[Span]) -> bool:
    return any(s.start_char <= entity["start"] < s.end_char for s in sentences)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True, model_from="SpacyNLP")
class MeaningResolver(TrainedComponent, EntityExtractorMixin):
    """Keeps the activity a timeline question asks about and adds one (or a procedure) it means."""

    CALIBRATED = ("activity_threshold", "activity_margin", "procedure_threshold", "procedure_margin")

    # (anchor vectors, their ids) by entity type: none until trained or loaded
    anchors: Mapping[str, Tuple[np.ndarray, List[str]]] = {}

    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intents": list(TIMELINE_INTENTS)}

    def train(self, training_data: TrainingData, model: SpacyModel) -> Resource:
        ids: Dict[str, List[str]] = {}
        arrays: Dict[str, np.ndarray] = {}
        for kind, anchors in catalogue().items():
            docs = model.model.pipe([text for _, text in anchors])
            vectors = [content_vector(doc[:]) for doc in docs]
            if any(v is None for v in vectors):
                raise ValueError(f"data/timelines.yml: an example of a {kind} has no words to encode")
            arrays[kind] = np.stack([v for v in vectors if v is not None]).astype(np.float32)
            ids[kind] = [anchor_id for anchor_id, _ in anchors]
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / ANCHORS_FILE, **arrays)
            (directory / IDS_FILE).write_text(json.dumps(ids), encoding="utf-8")
        self.anchors = {kind: (arrays[kind], ids[kind]) for kind in arrays}
        return self._resource

    def read(self, directory: Path) -> None:
        arrays = np.load(directory / ANCHORS_FILE)
        ids = json.loads((directory / IDS_FILE).read_text(encoding="utf-8"))
        self.anchors = {kind: (arrays[kind], ids[kind]) for kind in ids}

    def process(self, messages: List[Message], model: Optional[SpacyModel] = None) -> List[Message]:
        """Resolves the entities of each message of a timeline intent (`model`: given by Rasa, unused)."""
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            doc = message.get(SPACY_DOCS[TEXT])
            if intent in self.config["intents"] and doc is not None and len(doc):
                message.set(ENTITIES, self.resolve(doc, message.get(ENTITIES, [])), add_to_output=True)
        return messages

    def resolve(self, doc: Doc, entities: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
        """The entities, with activities outside the asking sentences dropped when one is asked
        about, and activities and procedures by meaning added where none is named."""
        asking = asking_sentences(doc)
        asked = [e for e in entities if e.get("entity") == ACTIVITY and within(e, asking)]
        if asked:
            entities = [e for e in entities if e.get("entity") != ACTIVITY or e in asked]
        named: Set[str] = {str(e.get("entity")) for e in entities if e.get("entity") != ACTIVITY or e in asked}
        # an activity is what a sentence asks about (or, failing that, mentions); a procedure is
        # often described in another sentence
        sentences = list(doc.sents)
        found = [
            (self.by_meaning(kind, asking) if kind == ACTIVITY else None) or self.by_meaning(kind, sentences)
            for kind in self.anchors
            if kind not in named
        ]
        meant = [e for e in found if e is not None]
        if any(e["entity"] == ACTIVITY for e in meant):
            entities = [e for e in entities if e.get("entity") != ACTIVITY]
        return entities + self.add_extractor_name(meant)

    def by_meaning(self, kind: str, sentences: Sequence[Span]) -> Optional[Dict[Text, Any]]:
        # a sentence without content words ("when could I get back to it?") means nothing by itself
        vectors = [(s, content_vector(s)) for s in sentences if len(content_words(s)) >= MIN_CONTENT_WORDS]
        found = [(s, v) for s, v in vectors if v is not None]
        if not found:
            return None
        anchors, ids = self.anchors[kind]
        index, value, similarity, margin = closest(np.stack([v for _, v in found]), anchors, ids)
        if (
            value == NO_PROCEDURE
            or similarity < self.config[f"{kind}_threshold"]
            or margin < self.config[f"{kind}_margin"]
        ):
            return None
        sentence = found[index][0]
        return {
            "entity": kind,
            "value": value,
            "start": sentence.start_char,
            "end": sentence.end_char,
            "confidence_entity": round(similarity, 3),
        }
