from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.policies import ActionFailurePolicy, next_action_after_failure

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
