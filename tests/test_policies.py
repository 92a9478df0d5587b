from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies import ActionFailurePolicy, next_action_after_failure

FALLBACKS = {"action_recovery_time": "utter_timeline_unavailable"}


def tracker(*events):
    return DialogueStateTracker.from_events("patient", [ActionExecuted("action_listen"), UserUttered("hi"), *events])


def test_silent_failed_action_gets_its_fallback_response():
    assert next_action_after_failure(tracker(ActionExecuted("action_recovery_time")), FALLBACKS) == "utter_timeline_unavailable"


def test_then_the_bot_listens():
    events = [ActionExecuted("action_recovery_time"), ActionExecuted("utter_timeline_unavailable"), BotUttered("sorry")]
    assert next_action_after_failure(tracker(*events), FALLBACKS) == "action_listen"


def test_an_action_that_replied_is_left_alone():
    events = [ActionExecuted("action_recovery_time"), BotUttered("5 weeks")]
    assert next_action_after_failure(tracker(*events), FALLBACKS) is None


def test_unlisted_actions_and_fresh_messages_are_left_alone():
    assert next_action_after_failure(tracker(ActionExecuted("action_other")), FALLBACKS) is None
    assert next_action_after_failure(tracker(), FALLBACKS) is None


def test_policy_predicts_the_fallback_with_full_confidence():
    domain = Domain.from_dict(
        {"actions": ["action_recovery_time"], "responses": {"utter_timeline_unavailable": [{"text": "sorry"}]}}
    )
    policy = ActionFailurePolicy({"priority": 7, "fallbacks": FALLBACKS}, None, None, _context())
    prediction = policy.predict_action_probabilities(tracker(ActionExecuted("action_recovery_time")), domain)
    assert prediction.max_confidence == 1.0
    assert domain.action_names_or_texts[prediction.max_confidence_index] == "utter_timeline_unavailable"
    idle = policy.predict_action_probabilities(tracker(), domain)
    assert idle.max_confidence == 0.0


def _context():
    from rasa.engine.graph import ExecutionContext, GraphSchema

    return ExecutionContext(GraphSchema({}), "test")
