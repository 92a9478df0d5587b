from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.policies import (
    ActionFailurePolicy,
    WarningSignFollowUpPolicy,
    check_in_reply,
    follow_up,
    next_action_after_failure,
    repeated_escalation,
)

FALLBACKS = {"action_recovery_time": "utter_timeline_unavailable"}


def tracker(*events):
    return DialogueStateTracker.from_events("patient", [ActionExecuted("action_listen"), UserUttered("hi"), *events])


def test_silent_failed_action_gets_its_fallback_response():
    assert (
        next_action_after_failure(tracker(ActionExecuted("action_recovery_time")), FALLBACKS)
        == "utter_timeline_unavailable"
    )


def test_then_the_bot_listens():
    events = [ActionExecuted("action_recovery_time"), ActionExecuted("utter_timeline_unavailable"), BotUttered("sorry")]
    assert next_action_after_failure(tracker(*events), FALLBACKS) == "action_listen"


def test_an_action_that_returned_events_is_left_alone():
    events = [ActionExecuted("action_recovery_time"), BotUttered("5 weeks")]
    assert next_action_after_failure(tracker(*events), FALLBACKS) is None
    replayed = [ActionExecuted("action_recovery_time"), SlotSet("last_question", "recovery_time")]
    assert next_action_after_failure(tracker(*replayed), FALLBACKS) is None


def test_unlisted_actions_and_fresh_messages_are_left_alone():
    assert next_action_after_failure(tracker(ActionExecuted("action_other")), FALLBACKS) is None
    assert next_action_after_failure(tracker(), FALLBACKS) is None


def test_policy_predicts_the_fallback_with_full_confidence():
    domain = Domain.from_dict(
        {"actions": ["action_recovery_time"], "responses": {"utter_timeline_unavailable": [{"text": "sorry"}]}}
    )
    policy = ActionFailurePolicy(
        {**ActionFailurePolicy.get_default_config(), "fallbacks": FALLBACKS}, None, None, _context()
    )
    prediction = policy.predict_action_probabilities(tracker(ActionExecuted("action_recovery_time")), domain)
    assert prediction.max_confidence == 1.0
    assert domain.action_names_or_texts[prediction.max_confidence_index] == "utter_timeline_unavailable"
    idle = policy.predict_action_probabilities(tracker(), domain)
    assert idle.max_confidence == 0.0


def _context():
    from rasa.engine.graph import ExecutionContext, GraphSchema

    return ExecutionContext(GraphSchema({}), "test")


def broken_start(*events):
    """A conversation whose action_session_start failed (the action server was down)."""
    return DialogueStateTracker.from_events(
        "patient",
        [
            ActionExecuted("action_session_start"),
            UserUttered("my wound is oozing", intent={"name": "red_flag"}),
            *events,
        ],
    )


FIRST = {"red_flag": "utter_red_flag", "default": "utter_default"}


def test_first_message_after_a_failed_session_start_is_answered_by_intent():
    assert next_action_after_failure(broken_start(), FALLBACKS, FIRST) == "utter_red_flag"
    assert (
        next_action_after_failure(broken_start(ActionExecuted("utter_red_flag"), BotUttered("...")), FALLBACKS, FIRST)
        == "action_listen"
    )


def test_unmapped_intents_get_the_default_after_a_failed_session_start():
    tracker_ = DialogueStateTracker.from_events(
        "p", [ActionExecuted("action_session_start"), UserUttered("hi", intent={"name": "greet"})]
    )
    assert next_action_after_failure(tracker_, FALLBACKS, FIRST) == "utter_default"


def test_a_normal_start_is_left_to_the_rules():
    normal = DialogueStateTracker.from_events(
        "p",
        [
            ActionExecuted("action_session_start"),
            ActionExecuted("action_listen"),
            UserUttered("hi", intent={"name": "greet"}),
        ],
    )
    assert next_action_after_failure(normal, FALLBACKS, FIRST) is None


def after_escalation(text, intent, signs=None, faq_key=None, escalated="utter_red_flag"):
    """A conversation whose previous message was escalated, then this message."""
    parse = {"intent": {"name": intent, "confidence": 0.9}, "warning_signs": signs or {}, "entities": []}
    if faq_key:
        parse["response_selector"] = {"faq": {"response": {"intent_response_key": faq_key}}}
    return DialogueStateTracker.from_events(
        "patient",
        [
            ActionExecuted("action_listen"),
            UserUttered("my wound is leaking", {"name": "red_flag"}),
            ActionExecuted(escalated),
            BotUttered("contact your surgeon now"),
            ActionExecuted("action_listen"),
            UserUttered(text, parse_data=parse),
        ],
    )


CLOSING = ["thank", "goodbye"]
CARE = ["faq/clinic_address", "human_handoff"]


def test_a_message_still_about_symptoms_gets_the_escalation_again():
    answered = after_escalation("no fever, painkillers take the edge off", "not_covered", {"symptoms": True})
    assert repeated_escalation(answered, 2, CLOSING, CARE) == "utter_red_flag"
    unsure = after_escalation("she can walk on her tiptoes fine", "nlu_fallback")
    assert repeated_escalation(unsure, 2, CLOSING, CARE) == "utter_red_flag"
    where = after_escalation("the office is closed, where do we go?", "faq", faq_key="faq/clinic_address")
    assert repeated_escalation(where, 2, CLOSING, CARE) == "utter_red_flag"
    emergency = after_escalation(
        "no he can't feel anything down there", "nlu_fallback", escalated="utter_red_flag_emergency"
    )
    assert repeated_escalation(emergency, 2, CLOSING, CARE) == "utter_red_flag_emergency"


def test_an_emergency_is_not_downgraded_by_an_urgent_sign_after_it():
    detail = after_escalation(
        "no he can wee, it's his foot, he can't lift it",
        "red_flag",
        {"symptoms": True},
        escalated="utter_red_flag_emergency",
    )
    assert repeated_escalation(detail, 2, CLOSING, CARE) == "utter_red_flag_emergency"
    worse = after_escalation("and now his legs are numb", "red_flag_emergency", {"symptoms": True})
    assert repeated_escalation(worse, 2, CLOSING, CARE) is None


def test_thanks_and_other_questions_are_answered_as_usual():
    assert repeated_escalation(after_escalation("thanks", "thank", {"symptoms": False}), 2, CLOSING, CARE) is None
    assert repeated_escalation(after_escalation("when can i swim?", "ask_activity"), 2, CLOSING, CARE) is None
    new_sign = after_escalation("now i can't hold my bladder", "red_flag_emergency", {"symptoms": True})
    assert repeated_escalation(new_sign, 2, CLOSING, CARE) is None


def test_asking_whether_or_when_to_get_care_gets_the_escalation_again_even_after_thanks():
    wait = after_escalation("thanks. can it wait till my daughter is here tomorrow?", "thank", {"care": True})
    assert repeated_escalation(wait, 2, CLOSING, CARE) == "utter_red_flag"
    first = after_escalation(
        "go in or ring them first", "not_covered", {"care": True}, escalated="utter_red_flag_emergency"
    )
    assert repeated_escalation(first, 2, CLOSING, CARE) == "utter_red_flag_emergency"
    drive = after_escalation("should i drive him in now or wait?", "ask_activity", {"care": True})
    drive.latest_message.parse_data["entities"] = [{"entity": "activity", "value": "driving"}]
    assert repeated_escalation(drive, 2, CLOSING, CARE + ["inform"]) == "utter_red_flag"


def test_details_that_ask_nothing_get_the_escalation_again_an_uncovered_question_does_not():
    statements = ["not_covered"]
    detail = after_escalation("She is 71. The operation was on her neck. She was carrying the shopping.", "not_covered")
    assert repeated_escalation(detail, 2, CLOSING, CARE, statements) == "utter_red_flag"
    spoken = after_escalation("ok we are leaving now can i give him something to eat on the way", "not_covered")
    assert repeated_escalation(spoken, 2, CLOSING, CARE, statements) is None
    question = after_escalation("is the car park free there?", "not_covered")
    assert repeated_escalation(question, 2, CLOSING, CARE, statements) is None
    indirect = after_escalation("He also wants to know when he can drive the lorry.", "not_covered")
    assert repeated_escalation(indirect, 2, CLOSING, CARE, statements) is None
    thanks = after_escalation("Many thanks. I will drive her there.", "not_covered")
    assert repeated_escalation(thanks, 2, CLOSING, CARE, statements) is None
    activity = ["not_covered", "ask_activity"]
    lifting = after_escalation("I care for my husband. I need to be able to lift him", "ask_activity")
    assert repeated_escalation(lifting, 2, CLOSING, CARE, activity) == "utter_red_flag"
    asked = after_escalation("ok. when can i lift him again", "ask_activity")
    assert repeated_escalation(asked, 2, CLOSING, CARE, activity) is None


def test_details_repeat_the_escalation_but_a_question_about_an_activity_is_answered():
    care = CARE + ["inform"]
    detail = after_escalation("it's her right leg, the nurses are busy", "inform")
    assert repeated_escalation(detail, 2, CLOSING, care) == "utter_red_flag"
    question = after_escalation("ok, and she has exams in two weeks, can she sit for 3 hours?", "inform")
    question.latest_message.parse_data["entities"] = [{"entity": "activity", "value": "desk_work"}]
    assert repeated_escalation(question, 2, CLOSING, care) is None
    symptom = after_escalation("and can he sit with the leg numb?", "inform", {"symptoms": True})
    symptom.latest_message.parse_data["entities"] = [{"entity": "activity", "value": "desk_work"}]
    assert repeated_escalation(symptom, 2, CLOSING, care) == "utter_red_flag"


def test_a_reply_to_the_escalation_gets_it_again():
    """ "yes, I've pressed the call bell", "wife can drive": a yes or something uncovered is the
    patient answering the escalation, not a new topic (config.yml's `replies`)."""
    domain = Domain.from_dict({"responses": {"utter_red_flag": [{"text": "contact your surgeon now"}]}})
    config = {**WarningSignFollowUpPolicy.get_default_config(), "closing_intents": CLOSING, "replies": ["affirm"]}
    policy = WarningSignFollowUpPolicy(config, None, None, _context())
    pressed = after_escalation("yes I've pressed the call bell, they're all busy", "affirm")
    prediction = policy.predict_action_probabilities(pressed, domain)
    assert domain.action_names_or_texts[prediction.max_confidence_index] == "utter_red_flag"
    thanked = policy.predict_action_probabilities(after_escalation("thanks", "thank"), domain)
    assert thanked.max_confidence == 0.0


def test_an_old_escalation_no_longer_repeats():
    events = list(after_escalation("x", "nlu_fallback").events)
    for text in ("a", "b"):
        events += [
            ActionExecuted("utter_you_are_welcome"),
            ActionExecuted("action_listen"),
            UserUttered(text, {"name": "nlu_fallback"}),
        ]
    assert repeated_escalation(DialogueStateTracker.from_events("patient", events), 2, CLOSING, CARE) is None


def test_after_repeating_the_escalation_the_bot_listens():
    events = list(after_escalation("no fever", "nlu_fallback").events) + [ActionExecuted("utter_red_flag")]
    assert repeated_escalation(DialogueStateTracker.from_events("patient", events), 2, CLOSING, CARE) == "action_listen"


def fragment(text, entities, last_question="activity:swimming", intent="faq"):
    parse = {"intent": {"name": intent, "confidence": 0.6}, "entities": entities}
    events = [ActionExecuted("action_listen"), UserUttered("when can i swim?", {"name": "ask_activity"})]
    events += [ActionExecuted("action_activity_timing"), SlotSet("last_question", last_question)]
    events += [ActionExecuted("action_listen"), UserUttered(text, parse_data=parse)]
    return DialogueStateTracker.from_events("patient", events)


CUES = ["and", "what about"]


def test_a_fragment_after_a_timeline_answer_is_a_follow_up():
    procedure = [{"entity": "procedure", "value": "fusion"}]
    assert follow_up(fragment("and after a fusion?", procedure), CUES, 8) == "action_inform"
    assert follow_up(fragment("ok what about tennis", [{"entity": "activity", "value": "sports"}]), CUES, 8) == (
        "action_inform"
    )
    assert follow_up(fragment("and for my husband?", [{"entity": "person", "value": "husband"}]), CUES, 8) == (
        "action_inform"
    )


def test_questions_that_are_not_fragments_are_left_to_the_rules():
    procedure = [{"entity": "procedure", "value": "fusion"}]
    assert follow_up(fragment("what is a fusion exactly, and does it hurt?", procedure), CUES, 5) is None
    assert follow_up(fragment("and what are the clinic's hours?", []), CUES, 8) is None
    assert follow_up(fragment("and after a fusion?", procedure, last_question=None), CUES, 8) is None
    assert follow_up(fragment("and my wound is oozing", procedure, intent="red_flag"), CUES, 8) is None


REPLIES = {"affirm": "utter_red_flag_check_in", "deny": "utter_check_in_thanks"}
CHECK_IN = [
    SlotSet("check_in", "4/7"),
    BotUttered(
        "Any fever, wound redness or drainage ...? If so, contact your surgeon now.",
        {},
        {"utter_action": "utter_check_in"},
    ),
]


def reply(intent, *before):
    """The patient's message with this intent, after `before`."""
    return DialogueStateTracker.from_events(
        "twilio:+13105550123", [*before, ActionExecuted("action_listen"), UserUttered("yes", {"name": intent})]
    )


def test_a_yes_to_a_check_in_escalates_and_a_no_is_thanked():
    assert check_in_reply(reply("affirm", *CHECK_IN), REPLIES) == "utter_red_flag_check_in"
    assert check_in_reply(reply("deny", *CHECK_IN), REPLIES) == "utter_check_in_thanks"
    answered = reply("affirm", *CHECK_IN)
    answered.update(ActionExecuted("utter_red_flag_check_in"))
    assert check_in_reply(answered, REPLIES) == "action_listen"


def test_a_reply_in_a_new_session_still_answers_the_check_in_it_carried_over():
    new_session = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("procedure", "fusion"),
        SlotSet("check_in", "4/7"),
        BotUttered("This assistant answers from the clinic's guides.", {}, {"utter_action": "utter_disclaimer"}),
    ]
    assert check_in_reply(reply("affirm", *new_session), REPLIES) == "utter_red_flag_check_in"


def test_symptoms_the_classifier_cannot_place_in_a_reply_to_a_check_in_escalate():
    unclear = reply("nlu_fallback", *CHECK_IN)
    unclear.latest_message.parse_data["warning_signs"] = {"symptoms": True}
    assert check_in_reply(unclear, REPLIES, "utter_red_flag") == "utter_red_flag"
    assert check_in_reply(reply("nlu_fallback", *CHECK_IN), REPLIES, "utter_red_flag") is None  # no symptom named


def test_a_reply_it_cannot_place_or_a_no_with_a_symptom_gets_the_question_again():
    unclear = ("utter_red_flag", "utter_check_in_unclear")
    assert check_in_reply(reply("nlu_fallback", *CHECK_IN), REPLIES, *unclear) == "utter_check_in_unclear"
    no_but = reply("deny", *CHECK_IN)
    no_but.latest_message.parse_data["warning_signs"] = {"symptoms": True, "denied": []}
    assert check_in_reply(no_but, REPLIES, *unclear) == "utter_check_in_unclear"
    no_fever = reply("deny", *CHECK_IN)
    no_fever.latest_message.parse_data["warning_signs"] = {"symptoms": True, "denied": ["fever"]}
    assert check_in_reply(no_fever, REPLIES, *unclear) == "utter_check_in_thanks"


def test_other_replies_and_later_yeses_are_left_to_the_rules():
    assert check_in_reply(reply("ask_activity", *CHECK_IN), REPLIES) is None
    assert check_in_reply(reply("red_flag", *CHECK_IN), REPLIES) is None
    later = [*CHECK_IN, ActionExecuted("action_listen"), UserUttered("can I drive?"), BotUttered("Not yet.")]
    assert check_in_reply(reply("affirm", *later), REPLIES) is None
    assert (
        check_in_reply(
            reply("affirm", BotUttered("Anything else?", {}, {"utter_action": "utter_anything_else"})), REPLIES
        )
        is None
    )
