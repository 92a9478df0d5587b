"""Rasa dialogue policy: never leave the patient in silence when the action server fails.

When the action server (or its database) is unreachable, Rasa logs the error, drops the custom
action's events and waits for the next message, so the patient gets no reply at all. This
policy notices a listed custom action that ran without uttering anything since the patient's
message and predicts that action's fallback response (an apology plus the general answer from
domain.yml), then listens.

config.yml::

    - name: bot.policies.ActionFailurePolicy
      priority: 7
      fallbacks:
        action_two_stage_fallback: utter_default
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

FALLBACKS_KEY = "fallbacks"


def actions_since_user_message(tracker: DialogueStateTracker) -> List[Text]:
    """Names of the actions run since the latest user message, oldest first."""
    names: List[Text] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name:
            names.append(event.action_name)
    return list(reversed(names))


def bot_uttered_since_user_message(tracker: DialogueStateTracker) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered):
            return True
    return False


def next_action_after_failure(tracker: DialogueStateTracker, fallbacks: Dict[Text, Text]) -> Optional[Text]:
    """The fallback response to utter, action_listen after it, or None if nothing failed."""
    actions = actions_since_user_message(tracker)
    if not actions:
        return None
    latest = actions[-1]
    if latest in fallbacks and not bot_uttered_since_user_message(tracker):
        return fallbacks[latest]
    if len(actions) >= 2 and actions[-2] in fallbacks and latest == fallbacks[actions[-2]]:
        return ACTION_LISTEN_NAME
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class ActionFailurePolicy(Policy):
    """Predicts a fallback response after a custom action that failed without replying."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 7, FALLBACKS_KEY: {}}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        action = next_action_after_failure(tracker, self.config[FALLBACKS_KEY])
        probabilities = self._default_predictions(domain)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)
