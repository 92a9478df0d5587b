"""Rasa component: intents and FAQ answers from the nearest training examples.

A message gets the label of the training examples it is closest to: for each label (an intent,
or ``faq/<key>`` for an FAQ answer), the mean similarity of its ``k`` closest examples. The
similarity mixes meaning (cosine of the sentence encoder's vectors, bot/language/sentence_vectors.py)
and spelling (cosine of character n-gram counts, hashed, so no vocabulary is fitted). Nothing is
fitted to the training data as a whole, so an example added by staff changes only the answers to
messages that are closer to it than to anything else, and the same data always gives the same
model.

Confidences are those similarities: how close the message is to the examples of the label. The
FAQ answer's confidence (the ``response_selector`` output Rasa's ``utter_faq`` reads) is checked
against that answer's own examples and the source passages it cites (domain.yml
``metadata.cites``), whichever is closer: a question near the topic but far from anything the
answer says gets a low confidence, and the fallback (bot/rasa/fallback.py) clarifies instead.

Long messages are also read sentence by sentence: a story ending in a question is matched on
its asking sentences as well, and each label keeps its best score.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text, Type

import numpy as np
import scipy.sparse
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
    SPACY_DOCS,
)
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize
from spacy.tokens import Doc, Span

from bot import settings
from bot.names import FAQ_PREFIX, Intent, Metadata
from bot.rasa.model_component import TrainedComponent
from bot.sources import passages_by_id

VECTORS_FILE = "vectors.npy"
CHARS_FILE = "chars.npz"
LABELS_FILE = "labels.json"
PASSAGES_FILE = "passages.npz"
RANKING_LENGTH = 10
MIN_SENTENCES_FOR_PARTS = 2
CHAR_FEATURES = 2**18
QUESTION_START = {"when", "can", "could", "how", "is", "am", "are", "should", "will", "would", "what", "do", "does"}


def char_vectorizer() -> HashingVectorizer:
    """Character 2-4-grams within words, hashed: the same vector for a text whatever the data."""
    return HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), n_features=CHAR_FEATURES, alternate_sign=False, norm=None
    )


def spelling(texts: Sequence[str]) -> scipy.sparse.csr_matrix:
    """Normalised log counts of the texts' character n-grams."""
    counts = char_vectorizer().transform([t.lower() for t in texts])
    counts.data = np.log1p(counts.data)
    return normalize(counts).tocsr()


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def span_vector(span: Span) -> np.ndarray:
    """The span's meaning: the normalised mean of its words' contextual vectors."""
    tensor = span.doc.tensor
    if tensor is None or not len(tensor) or not len(span):
        return np.zeros(tensor.shape[1] if tensor is not None and tensor.ndim == 2 else 0, dtype=np.float32)
    return unit(tensor[span.start : span.end].mean(axis=0)).astype(np.float32)


def parts(doc: Doc) -> List[Span]:
    """What to match: the whole message and, in a message of several sentences, each sentence
    that asks (a question mark or a question word first), else the last one."""
    whole = doc[:]
    sentences = [s for s in doc.sents if any(not t.is_punct for t in s)]
    if len(sentences) < MIN_SENTENCES_FOR_PARTS:
        return [whole]
    asking = [s for s in sentences if s[-1].text == "?" or s[0].lower_ in QUESTION_START] or sentences[-1:]
    return [whole] + asking


def label_scores(
    similarities: np.ndarray, groups: Dict[str, np.ndarray], k: int, exact: float = 1.01
) -> Dict[str, float]:
    """Each label's score: the mean of its k highest similarities (fewer if it has fewer examples),
    or its highest one where that reaches `exact` (the message is all but one of its examples).
    `groups` maps each label to the indices of its examples."""
    scores = {}
    for label, indices in groups.items():
        values = similarities[indices]
        top = values if len(values) <= k else np.partition(values, len(values) - k)[-k:]
        best = float(top.max())
        scores[label] = max(0.0, best if best >= exact else float(top.mean()))
    return scores


def grouped(labels: Sequence[str]) -> Dict[str, np.ndarray]:
    """The indices of each label's examples."""
    groups: Dict[str, List[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    return {label: np.array(indices) for label, indices in groups.items()}


def intent_of(label: str) -> str:
    return label.split("/", 1)[0]


@dataclass
class ExampleIndex:
    """The training examples as the classifier compares them, and the FAQ answers' passages."""

    labels: List[str]
    vectors: np.ndarray  # [examples, dimensions], unit length
    chars: scipy.sparse.csr_matrix  # [examples, CHAR_FEATURES], unit length
    passages: Dict[str, np.ndarray]  # FAQ label -> [sentences, dimensions] of its cited passages

    def __post_init__(self) -> None:
        self.groups = grouped(self.labels)
        self.by_feature = self.chars.T.tocsr()  # [CHAR_FEATURES, examples]: a message's few n-grams are rows

    def similarities(self, vector: np.ndarray, chars: scipy.sparse.csr_matrix, vector_weight: float) -> np.ndarray:
        meaning = self.vectors @ vector
        spelt = (chars @ self.by_feature).toarray().ravel()
        return vector_weight * meaning + (1.0 - vector_weight) * spelt

    def passage_similarity(self, label: str, vector: np.ndarray) -> float:
        sentences = self.passages.get(label)
        return float((sentences @ vector).max()) if sentences is not None and len(sentences) else 0.0


def faq_passages() -> Dict[str, List[str]]:
    """The sentences of the passages each FAQ answer cites, from domain.yml and the passages file."""
    domain = yaml.safe_load(settings.DOMAIN_FILE.read_text(encoding="utf-8"))
    passages = passages_by_id()
    cited: Dict[str, List[str]] = {}
    for name, variations in (domain.get("responses") or {}).items():
        if not name.startswith(FAQ_PREFIX):
            continue
        ids = [c for v in variations for c in (v.get("metadata") or {}).get(Metadata.CITES, [])]
        label = f"{Intent.FAQ}/{name[len(FAQ_PREFIX) :]}"
        cited[label] = [passages[i].text for i in dict.fromkeys(ids) if i in passages]
    return cited


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True, model_from="SpacyNLP")
class NearestExampleClassifier(TrainedComponent, IntentClassifier):
    """Intents and FAQ answers by the nearest training examples, with confidences that say how near."""

    CALIBRATED = ("k", "vector_weight", "exact_similarity")

    index: Optional[ExampleIndex] = None

    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def train(self, training_data: TrainingData, model: SpacyModel) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(SPACY_DOCS[TEXT]) is not None]
        if not examples:
            raise ValueError("No intent examples to train on: add examples to data/nlu/")
        labels = [str(m.get(INTENT_RESPONSE_KEY) or m.get(INTENT)) for m in examples]
        vectors = np.stack([span_vector(m.get(SPACY_DOCS[TEXT])[:]) for m in examples])
        chars = spelling([m.get(TEXT) for m in examples])
        passages = {}
        for label, texts in faq_passages().items():
            sentences = [s for doc in model.model.pipe(texts) for s in doc.sents if len(s) > 3]
            if sentences:
                passages[label] = np.stack([span_vector(s) for s in sentences])
        self.index = ExampleIndex(labels, vectors, chars, passages)
        with self._model_storage.write_to(self._resource) as directory:
            np.save(directory / VECTORS_FILE, vectors)
            scipy.sparse.save_npz(directory / CHARS_FILE, chars)
            np.savez(directory / PASSAGES_FILE, **passages)
            (directory / LABELS_FILE).write_text(json.dumps(labels), encoding="utf-8")
        return self._resource

    def read(self, directory: Path) -> None:
        labels = json.loads((directory / LABELS_FILE).read_text(encoding="utf-8"))
        passages = dict(np.load(directory / PASSAGES_FILE))
        self.index = ExampleIndex(
            labels,
            np.load(directory / VECTORS_FILE),
            scipy.sparse.load_npz(directory / CHARS_FILE).tocsr(),
            passages,
        )

    def scores(self, doc: Doc) -> Dict[str, float]:
        """Every label's score for the message: its best over the message's parts."""
        assert self.index is not None
        spans = parts(doc)
        chars = spelling([s.text for s in spans])
        best: Dict[str, float] = {}
        for row, span in enumerate(spans):
            similarities = self.index.similarities(span_vector(span), chars[row], self.config["vector_weight"])
            scored = label_scores(similarities, self.index.groups, self.config["k"], self.config["exact_similarity"])
            for label, score in scored.items():
                best[label] = max(best.get(label, 0.0), score)
        return best

    def process(self, messages: List[Message], model: Optional[SpacyModel] = None) -> List[Message]:
        """Classifies each message (`model`: given by Rasa, unused: the message's doc has the vectors).
        A message with no words (only control characters, say) is near nothing: the fallback."""
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if self.index is None or doc is None or not len(doc):
                message.set(INTENT, {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            self._set_predictions(message, doc, self.scores(doc))
        return messages

    def _set_predictions(self, message: Message, doc: Doc, scores: Dict[str, float]) -> None:
        intents: Dict[str, float] = {}
        for label, score in scores.items():
            intents[intent_of(label)] = max(intents.get(intent_of(label), 0.0), score)
        ranking = sorted(intents.items(), key=lambda item: (-item[1], item[0]))[:RANKING_LENGTH]
        intent_ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: round(score, 4)} for name, score in ranking]
        message.set(INTENT, dict(intent_ranking[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, intent_ranking, add_to_output=True)

        faq = sorted(
            ((label, score) for label, score in scores.items() if intent_of(label) == Intent.FAQ),
            key=lambda item: (-item[1], item[0]),
        )
        if not faq:
            return
        chosen, example_score = faq[0]
        assert self.index is not None
        checked = max(example_score, self.index.passage_similarity(chosen, span_vector(doc[:])))
        selection = {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: [],
                PREDICTED_CONFIDENCE_KEY: round(checked, 4),
                INTENT_RESPONSE_KEY: chosen,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{chosen}",
            },
            RESPONSE_SELECTOR_RANKING_KEY: [
                {INTENT_RESPONSE_KEY: label, PREDICTED_CONFIDENCE_KEY: round(score, 4)}
                for label, score in faq[:RANKING_LENGTH]
            ],
        }
        message.set(
            RESPONSE_SELECTOR_PROPERTY_NAME,
            {RESPONSE_SELECTOR_RETRIEVAL_INTENTS: [Intent.FAQ], Intent.FAQ: selection},
            add_to_output=True,
        )
