from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY

from bot.rasa.red_flags import SIGNS_KEY, RedFlagDetector
from tests.rasa.helpers import configured, message, ranked


def detect(msg, **config):
    RedFlagDetector.create(configured(RedFlagDetector, **config), None, None, None).process([msg])
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


def sure(*intents):
    """A ranking whose first intent (after the fallback) is far closer than the others."""
    return [{"name": name, "confidence": c} for name, c in zip(intents, (0.9, 0.8, 0.3, 0.2))]


def test_classifier_red_flag_survives_the_fallback(nlp):
    msg = detect(message(nlp, "something feels really wrong with my back", sure("nlu_fallback", "red_flag", "faq")))
    assert msg.get(INTENT) == {"name": "red_flag", "confidence": 1.0}
    assert warning_signs(msg) == ["unspecified"]


def test_classifier_emergency_keeps_its_severity(nlp):
    msg = detect(message(nlp, "help something is very wrong", sure("red_flag_emergency", "faq")))
    assert msg.get(INTENT)["name"] == "red_flag_emergency"


def test_a_weak_classifier_red_flag_is_no_escalation(nlp):
    msg = detect(message(nlp, "something feels really wrong with my back", ranked("red_flag", "faq")))
    assert msg.get(INTENT)["name"] == "faq"


def test_ordinary_messages_are_left_alone(nlp):
    ranking = ranked("faq", "ask_activity")
    msg = detect(message(nlp, "can i climb stairs after surgery", ranking))
    assert msg.get(INTENT) == ranking[0]
    assert warning_signs(msg) == []


def test_red_flag_ranked_second_does_not_escalate_alone(nlp):
    msg = detect(message(nlp, "what happens in the first days", ranked("faq", "red_flag")))
    assert msg.get(INTENT)["name"] == "faq"


def test_a_denied_sign_does_not_escalate_a_classifier_guess(nlp):
    msg = detect(
        message(nlp, "no fever and the wound looks clean, when can i swim?", ranked("red_flag", "ask_activity", "faq"))
    )
    assert msg.get(INTENT)["name"] == "ask_activity"
    assert msg.get(INTENT_RANKING_KEY)[0]["name"] == "ask_activity"
    assert warning_signs(msg) == []


def test_a_denied_sign_escalates_when_the_classifier_is_sure(nlp):
    ranking = [{"name": "red_flag", "confidence": 0.99}, {"name": "faq", "confidence": 0.01}]
    assert detect(message(nlp, "no fever but something is badly wrong", ranking)).get(INTENT)["name"] == "red_flag"


def test_an_unsure_guess_without_next_intent_becomes_a_clarification(nlp):
    ranking = [{"name": "red_flag", "confidence": 0.7}] + [
        {"name": n, "confidence": 0.1} for n in ("faq", "greet", "thank")
    ]
    msg = detect(message(nlp, "my husband has no fever, what now", ranking))
    assert msg.get(INTENT)["name"] == "nlu_fallback"


def test_a_guess_with_no_symptom_at_all_needs_confidence(nlp):
    unsure = [{"name": "red_flag", "confidence": 0.55}, {"name": "faq", "confidence": 0.45}]
    assert detect(message(nlp, "my husband is home now, what happens next", unsure)).get(INTENT)["name"] == "faq"
    sure = [{"name": "red_flag", "confidence": 0.8}, {"name": "faq", "confidence": 0.2}]
    assert detect(message(nlp, "my husband is home now, what happens next", sure)).get(INTENT)["name"] == "red_flag"


def test_a_reported_sign_escalates_beside_a_denied_one(nlp):
    msg = detect(message(nlp, "no fever, but my incision is leaking", ranked("ask_activity")))
    assert msg.get(INTENT)["name"] == "red_flag" and warning_signs(msg) == ["wound"]


def test_the_parse_data_says_when_a_message_asks_about_getting_care(nlp):
    asked = detect(message(nlp, "can it wait till the morning?", ranked("not_covered")))
    assert asked.get(SIGNS_KEY)["care"] and not asked.get(SIGNS_KEY)["reported"]
    other = detect(message(nlp, "when can i swim?", ranked("ask_activity")))
    assert not other.get(SIGNS_KEY)["care"]
