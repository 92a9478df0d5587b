from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY

from bot.nlu.red_flags import RedFlagDetector
from tests.nlu.helpers import message, ranked


def detect(msg):
    RedFlagDetector.create({}, None, None, None).process([msg])
    return msg


def warning_signs(msg):
    return [e["value"] for e in msg.get(ENTITIES, []) if e["entity"] == "warning_sign"]


def test_matcher_wins_over_the_classifier(nlp):
    msg = detect(message(nlp, "when can I swim? my incision is oozing", ranked("ask_activity", "faq")))
    assert msg.get(INTENT) == {"name": "red_flag", "confidence": 1.0}
    assert msg.get(INTENT_RANKING_KEY)[0]["name"] == "red_flag"
    assert warning_signs(msg) == ["wound"]


def test_emergency_sign_beats_urgent_sign(nlp):
    msg = detect(message(nlp, "I have a fever and I peed myself", ranked("faq")))
    assert msg.get(INTENT)["name"] == "red_flag_emergency"
    assert warning_signs(msg) == ["bladder_bowel"]


def test_classifier_red_flag_survives_the_fallback(nlp):
    msg = detect(message(nlp, "something feels really wrong with my back", ranked("nlu_fallback", "red_flag", "faq")))
    assert msg.get(INTENT) == {"name": "red_flag", "confidence": 1.0}
    assert warning_signs(msg) == ["unspecified"]


def test_classifier_emergency_keeps_its_severity(nlp):
    msg = detect(message(nlp, "help something is very wrong", ranked("red_flag_emergency", "faq")))
    assert msg.get(INTENT)["name"] == "red_flag_emergency"


def test_ordinary_messages_are_left_alone(nlp):
    ranking = ranked("faq", "ask_activity")
    msg = detect(message(nlp, "can i climb stairs after surgery", ranking))
    assert msg.get(INTENT) == ranking[0]
    assert warning_signs(msg) == []


def test_red_flag_ranked_second_does_not_escalate_alone(nlp):
    msg = detect(message(nlp, "what happens in the first days", ranked("faq", "red_flag")))
    assert msg.get(INTENT)["name"] == "faq"
