from rasa.shared.nlu.constants import INTENT

from bot.nlu.entities import DomainEntityExtractor
from bot.nlu.phase_router import PhaseRouter, phase_keys
from tests.nlu.helpers import message


def routed(nlp, text, selected, intent="faq"):
    msg = message(nlp, text, [{"name": intent, "confidence": 0.9}])
    msg.set("response_selector", {"faq": {"response": {
        "intent_response_key": f"faq/{selected}", "utter_action": f"utter_faq/{selected}",
        "responses": [{"text": "..."}], "confidence": 0.4}, "ranking": RANKING}})
    DomainEntityExtractor.create({}, None, None, None).process([msg])
    PhaseRouter.create({}, None, None, None).process([msg])
    return msg.get("response_selector")["faq"]["response"]


RANKING = [{"intent_response_key": f"faq/{k}"} for k in ("stairs", "first_days", "weeks_1_to_4", "weeks_4_to_8", "weeks_8_to_12")]


def test_phase_keys_are_the_phase_ids():
    assert phase_keys() == ["first_days", "weeks_1_to_4", "weeks_4_to_8", "weeks_8_to_12", "beyond"]


def test_a_phase_without_an_faq_answer_is_not_routed_to(nlp):
    assert routed(nlp, "what happens after 3 months", selected="weeks_8_to_12")["intent_response_key"] == "faq/weeks_8_to_12"


def test_named_phase_picks_the_phase_faq(nlp):
    response = routed(nlp, "what happens in weeks 4-8?", selected="weeks_8_to_12")
    assert response["intent_response_key"] == "faq/weeks_4_to_8"
    assert response["utter_action"] == "utter_faq/weeks_4_to_8"
    assert response["confidence"] == 1.0


def test_full_retrieval_intent_follows(nlp):
    msg = message(nlp, "the third month of recovery", [{"name": "faq", "confidence": 0.9}])
    msg.set("response_selector", {"faq": {"response": {"intent_response_key": "faq/weeks_1_to_4", "utter_action": "x", "confidence": 0.5}, "ranking": RANKING}})
    DomainEntityExtractor.create({}, None, None, None).process([msg])
    PhaseRouter.create({}, None, None, None).process([msg])
    assert msg.get(INTENT)["full_retrieval_intent_name"] == "faq/weeks_8_to_12"


def test_non_phase_answers_and_other_intents_are_left_alone(nlp):
    assert routed(nlp, "can i climb stairs in weeks 1 to 4", selected="stairs")["intent_response_key"] == "faq/stairs"
    assert routed(nlp, "weeks 4 to 8", selected="weeks_1_to_4", intent="ask_activity")["confidence"] == 0.4


def test_two_phases_named_means_no_routing(nlp):
    response = routed(nlp, "how do weeks 1-4 differ from weeks 4-8", selected="weeks_8_to_12")
    assert response["intent_response_key"] == "faq/weeks_8_to_12"


def test_the_patients_own_time_makes_a_phase_faq_a_stage_question(nlp):
    msg = message(nlp, "I had surgery on October 3, what stage of recovery am I in?", [{"name": "faq", "confidence": 0.9}])
    msg.set("response_selector", {"faq": {"response": {"intent_response_key": "faq/weeks_1_to_4", "utter_action": "x", "confidence": 0.5}, "ranking": RANKING}})
    DomainEntityExtractor.create({}, None, None, None).process([msg])
    PhaseRouter.create({}, None, None, None).process([msg])
    assert msg.get(INTENT) == {"name": "ask_recovery_stage", "confidence": 0.9}
