"""Intents and FAQ answers by the nearest training examples (bot/rasa/nearest.py), trained and
stored as in a real model."""

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa.nearest import NearestExampleClassifier, grouped, label_scores, parts
from tests.rasa.helpers import configured, message

EXAMPLES = {
    "faq/hospital_stay": ["how long will i be in hospital", "when do i go home after the operation"],
    "faq/fusion_hardware": ["will there be screws in my back", "do they put metal rods in"],
    "ask_activity": ["when can i go swimming", "when can i climb stairs"],
    "greet": ["hello", "hi there"],
}


def examples(nlp, extra=()):
    found = []
    for label, texts in list(EXAMPLES.items()) + list(extra):
        for text in texts:
            intent, _, _ = label.partition("/")
            example = Message(data={TEXT: text, INTENT: intent})
            if "/" in label:
                example.set(INTENT_RESPONSE_KEY, label)
            example.set(SPACY_DOCS[TEXT], nlp(text))
            found.append(example)
    return TrainingData(found)


def trained(nlp, storage_dir, extra=()):
    storage_dir.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(storage_dir)
    resource = Resource("nearest")
    config = configured(NearestExampleClassifier)
    classifier = NearestExampleClassifier.create(config, storage, resource, None)
    classifier.train(examples(nlp, extra), SpacyModel(model=nlp, model_name="en_spine"))
    return NearestExampleClassifier.load(config, storage, resource, None)


@pytest.fixture(scope="module")
def classifier(nlp, tmp_path_factory):
    return trained(nlp, tmp_path_factory.mktemp("model"))


def classify(nlp, classifier, text):
    msg = message(nlp, text)
    classifier.process([msg])
    return msg


def answer(msg):
    selected = (msg.get("response_selector") or {}).get("faq", {}).get("response", {})
    return msg.get(INTENT)["name"], selected.get("intent_response_key") if msg.get(INTENT)["name"] == "faq" else None


def confidence(msg):
    return msg.get("response_selector")["faq"]["response"]["confidence"]


def test_a_label_scores_the_mean_of_its_closest_examples():
    similarities = np.array([0.9, 0.1, 0.5, 0.7])
    scores = label_scores(similarities, grouped(["a", "a", "b", "a"]), k=2)
    assert scores == pytest.approx({"a": 0.8, "b": 0.5})
    assert label_scores(similarities, grouped(["a", "a", "b", "a"]), k=2, exact=0.85)["a"] == pytest.approx(0.9)


def test_the_nearest_examples_give_the_intent_and_the_faq_answer(nlp, classifier):
    msg = classify(nlp, classifier, "how many nights in hospital after surgery?")
    assert msg.get(INTENT)["name"] == "faq"
    selected = msg.get("response_selector")["faq"]["response"]
    assert selected["intent_response_key"] == "faq/hospital_stay"
    assert selected["utter_action"] == "utter_faq/hospital_stay"
    assert 0 < selected["confidence"] <= 1
    assert classify(nlp, classifier, "when can I go for a swim?").get(INTENT)["name"] == "ask_activity"


def test_confidence_says_how_close_the_message_is(nlp, classifier):
    close = classify(nlp, classifier, "will there be screws in my back?").get(INTENT)["confidence"]
    far = classify(nlp, classifier, "what's the capital of australia").get(INTENT)["confidence"]
    assert close > far + 0.2


def test_a_story_is_matched_on_its_question(nlp):
    doc = nlp("I had my op on Monday. My wife is worried. The kids are off school. When can I climb stairs?")
    assert [p.text for p in parts(doc)][1:] == ["When can I climb stairs?"]
    assert len(parts(nlp("when can I climb stairs?"))) == 1


def test_an_added_example_changes_only_what_is_closest_to_it(nlp, tmp_path):
    before = trained(nlp, tmp_path / "before")
    after = trained(nlp, tmp_path / "after", [("faq/hospital_stay", ["how many sleeps will i be in the ward"])])
    unrelated = ["do they put screws in?", "hello!", "can I swim yet?", "when can i take the stairs"]
    for text in unrelated:
        assert answer(classify(nlp, before, text)) == answer(classify(nlp, after, text)), text
    near = "how many sleeps on the ward?"
    assert confidence(classify(nlp, after, near)) > confidence(classify(nlp, before, near))


def test_the_same_data_gives_the_same_model(nlp, tmp_path):
    first, second = trained(nlp, tmp_path / "one"), trained(nlp, tmp_path / "two")
    for text in ("how long in hospital", "metal in my spine?", "hiya"):
        one, two = classify(nlp, first, text), classify(nlp, second, text)
        assert answer(one) == answer(two) and one.get(INTENT) == two.get(INTENT)
