"""Rasa dialogue policy: never leave the patient in silence when the action server fails.

When the action server (or its database) is unreachable, Rasa logs the error, drops the custom
action's events and waits for the next message, so the patient gets no reply at all. This
policy notices a listed custom action that returned no events at all (a successful one always
returns a message or a slot) and predicts that action's fallback response (an apology plus the general answer from
domain.yml), then listens.

If the action server is down when a conversation starts, the custom action_session_start fails
too, the first message does not follow an action_listen and no rule matches it. The policy then
answers that first message itself by intent (`first_message`: red flags are still escalated),
with `default` for any other intent, and listens.

config.yml::

    - name: bot.rasa.policies.ActionFailurePolicy
      priority: 7
      fallbacks:
        action_recovery_time: utter_timeline_unavailable
      first_message:
        red_flag: utter_red_flag
        faq: utter_faq
        default: utter_default
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.names import Action

FALLBACKS_KEY = "fallbacks"
FIRST_MESSAGE_KEY = "first_message"
DEFAULT_KEY = "default"
SESSION_START = Action.SESSION_START


def actions_since_user_message(tracker: DialogueStateTracker) -> List[Text]:
    """Names of the actions run since the latest user message, oldest first."""
    names: List[Text] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name:
            names.append(event.action_name)
    return list(reversed(names))


def produced_nothing(tracker: DialogueStateTracker) -> bool:
    """Whether the latest action returned no events at all: a custom action that ran always
    returns some (a message, a slot), one whose server failed returns none."""
    return bool(tracker.events) and isinstance(tracker.events[-1], ActionExecuted)


def session_start_failed(tracker: DialogueStateTracker) -> bool:
    """Whether the latest message came right after a failed action_session_start (no action_listen)."""
    seen_message = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            seen_message = True
        elif isinstance(event, ActionExecuted) and seen_message:
            return event.action_name == SESSION_START
    return False


def first_message_reply(tracker: DialogueStateTracker, replies: Dict[Text, Text]) -> Optional[Text]:
    """After a failed session start: the reply for the message's intent, then action_listen."""
    actions = actions_since_user_message(tracker)
    if not actions:
        intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
        return replies.get(intent or "", replies.get(DEFAULT_KEY))
    return ACTION_LISTEN_NAME


def next_action_after_failure(
    tracker: DialogueStateTracker, fallbacks: Dict[Text, Text], first_message: Optional[Dict[Text, Text]] = None
) -> Optional[Text]:
    """The fallback response to utter, action_listen after it, or None if nothing failed."""
    if first_message and session_start_failed(tracker):
        return first_message_reply(tracker, first_message)
    actions = actions_since_user_message(tracker)
    if not actions:
        return None
    latest = actions[-1]
    if latest in fallbacks and produced_nothing(tracker):
        return fallbacks[latest]
    if len(actions) >= 2 and actions[-2] in fallbacks and latest == fallbacks[actions[-2]]:
        return ACTION_LISTEN_NAME
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class ActionFailurePolicy(Policy):
    """Predicts a fallback response after a custom action that failed without replying."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 7, FALLBACKS_KEY: {}, FIRST_MESSAGE_KEY: {}}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        action = next_action_after_failure(tracker, self.config[FALLBACKS_KEY], self.config[FIRST_MESSAGE_KEY])
        probabilities = self._default_predictions(domain)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)
