import pytest
from rasa.shared.nlu.constants import INTENT

from bot.rasa.fallback import ResponseAwareFallbackClassifier
from tests.rasa.helpers import configured, message


def classify(nlp, intent_confidence, response_confidence, intent="faq"):
    classifier = ResponseAwareFallbackClassifier.create(
        configured(ResponseAwareFallbackClassifier, threshold=0.5, response_threshold=0.6),
        None,
        None,
        None,
    )
    msg = message(
        nlp, "text", [{"name": intent, "confidence": intent_confidence}, {"name": "other", "confidence": 0.0}]
    )
    msg.set("response_selector", {"faq": {"response": {"confidence": response_confidence}}})
    classifier.process([msg])
    return msg.get(INTENT)["name"]


def test_confident_faq_answer_is_kept(nlp):
    assert classify(nlp, 0.99, 0.9) == "faq"


def test_weak_faq_answer_falls_back_despite_a_confident_intent(nlp):
    assert classify(nlp, 0.99, 0.3) == "nlu_fallback"


def test_low_intent_confidence_still_falls_back(nlp):
    assert classify(nlp, 0.3, 0.99) == "nlu_fallback"


def test_other_intents_ignore_the_response_selector(nlp):
    assert classify(nlp, 0.99, 0.1, intent="greet") == "greet"


def test_a_calibrated_value_config_yml_does_not_give_is_refused_by_name():
    with pytest.raises(ValueError, match="config.yml: ResponseAwareFallbackClassifier needs response_threshold"):
        ResponseAwareFallbackClassifier.create(ResponseAwareFallbackClassifier.get_default_config(), None, None, None)
