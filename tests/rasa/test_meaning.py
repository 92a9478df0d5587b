"""Activities and procedures recognised by meaning (bot/rasa/meaning.py), with anchors trained and
stored as in a real model."""

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, INTENT
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa.entities import DomainEntityExtractor
from bot.rasa.meaning import MeaningResolver
from tests.rasa.helpers import configured, message


@pytest.fixture(scope="module")
def resolver(nlp, tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("meaning")
    trained = MeaningResolver.create(configured(MeaningResolver), storage, resource, None)
    trained.train(TrainingData(), SpacyModel(model=nlp, model_name="en_spine"))
    return MeaningResolver.load(configured(MeaningResolver), storage, resource, None)


def resolve(nlp, resolver, text, intent="ask_activity"):
    msg = message(nlp, text)
    msg.set(INTENT, {"name": intent, "confidence": 0.9})
    DomainEntityExtractor.create({}, None, None, None).process([msg])
    resolver.process([msg])
    return [
        (e["entity"], e["value"], e["extractor"]) for e in msg.get(ENTITIES) if e["entity"] in ("activity", "procedure")
    ]


@pytest.mark.parametrize(
    "text, activity",
    [
        ("when can i play pickleball", "sports"),
        ("is it ok to use my rowing machine", "exercise"),
        ("when can I start my zumba class again", "exercise"),
        ("when can i lug heavy suitcases", "bending_lifting"),
        ("when can i play darts at the pub", "sports"),
    ],
)
def test_an_activity_in_other_words_is_the_closest_in_the_catalogue(nlp, resolver, text, activity):
    assert ("activity", activity, "MeaningResolver") in resolve(nlp, resolver, text)


def test_the_guides_own_words_win(nlp, resolver):
    assert resolve(nlp, resolver, "when can I go swimming?") == [("activity", "swimming", "DomainEntityExtractor")]


def test_only_the_activity_asked_about_counts(nlp, resolver):
    found = resolve(nlp, resolver, "I'm walking fine and there's no weakness in my legs. When can I play golf?")
    assert found == [("activity", "sports", "MeaningResolver")]


def test_uncovered_activities_compete(nlp, resolver):
    assert resolve(nlp, resolver, "when can I go for a jog again") == [("activity", "running", "DomainEntityExtractor")]
    assert ("activity", "running", "MeaningResolver") in resolve(
        nlp, resolver, "can i do sprint intervals on the track"
    )


def test_a_described_procedure_is_recognised(nlp, resolver):
    found = resolve(
        nlp,
        resolver,
        "They took out the bit of disc pressing on my nerve through a tiny cut. How long to recover?",
        "ask_recovery_time",
    )
    assert ("procedure", "microdiscectomy", "MeaningResolver") in found


def test_surgery_in_general_is_no_procedure(nlp, resolver):
    found = resolve(
        nlp, resolver, "How long does recovery take after minimally invasive spine surgery?", "ask_recovery_time"
    )
    assert not [e for e in found if e[0] == "procedure"]


def test_other_intents_are_left_alone(nlp, resolver):
    assert resolve(nlp, resolver, "when can i play pickleball", "faq") == []


def test_nothing_close_enough_is_nothing(nlp, resolver):
    assert resolve(nlp, resolver, "when can i go ice skating") == []
