"""Rasa dialogue policies: never leave the patient in silence when the action server fails, and
never let a warning sign fade from the conversation while the patient is still describing it.

WarningSignFollowUpPolicy: after an escalation, the patient often answers as they would a nurse
("no fever, no numbness, the painkillers take the edge off") or asks where to go ("the office is
closed, where do we go?"): such a message says nothing alarming by itself, but the sign they
reported stands. Within `turns` messages of an escalation, these get the escalation again:
- a question whether or when to get care, or a plan to wait for it (the net's `care_questions`:
  "can it wait till tomorrow?", "should I drive him in or wait?"), even after a thank-you;
- unless it is a thank-you, a goodbye or other small talk (`closing_intents`): a message about
  symptoms (any symptom word, denied or not), one the classifier cannot place, one asking for care
  (`care_answers`: the FAQ answers and intents of calling, visiting or reaching someone), one
  replying to the escalation (`replies`: "yes, I've pressed the call bell", "no, he hasn't
  fallen", taken for a yes, a no or something uncovered), or one telling more without asking
  anything (`statements`, e.g. not_covered: "He is 54. He was lifting the feed bags.", or
  ask_activity: "I care for my wife, I need to be able to lift her").
Questions about something else are answered as usual, among them details that end in a question
about an activity they name ("he's back at the call centre this week, is that too early?").

FollowUpPolicy: after a timeline answer, a short fragment that opens like a follow-up ("and after a
fusion?", "what about tennis", "and for my husband?") and names a procedure, activity, time,
phase or person is the same question with that changed, whatever the classifier took it for
(the fragment alone reads like a new question: "after a fusion?" like the FAQ about life after
a fusion). It goes to action_inform, which answers the last question again with what changed.

CheckInReplyPolicy: a scheduled check-in (bot/rasa/check_ins.py) ends with a question ("Any
fever, wound redness or drainage ...? If so, contact your surgeon now."). The first message after
it answers that question: a bare yes names no sign for the net to find, yet is a warning sign
(`replies`: affirm -> utter_red_flag_check_in, which escalates, raises the staff alert and asks
which sign); a no is thanked. A reply naming a sign is escalated by the rules as always. A reply
the classifier cannot place (nlu_fallback) that mentions symptoms describes something in answer
to the warning-sign question in words the net does not know: it gets `unclear_symptoms` (the
general escalation); one without symptoms, or a no that goes on about a symptom it does not deny
("no, but the pills don't help"), gets `unclear` (the question asked again, with what to do if the
answer is yes) rather than the general request to rephrase. Any other message is answered as usual.
A reply after the session expired still answers the check-in (the new session's disclaimer comes
between).

ActionFailurePolicy:

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

import copy
from typing import Any, ClassVar, Dict, List, Optional, Sequence, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.language.questions import tells_only
from bot.names import RED_FLAG_INTENTS, Action, Entity, Intent, Response, Slot
from bot.outcomes import ESCALATED, RESPONSE_OUTCOMES
from bot.rasa.red_flags import SIGNS_KEY

ESCALATIONS = tuple(response for response, outcome in RESPONSE_OUTCOMES.items() if outcome == ESCALATED)
TURNS_KEY = "turns"
CLOSING_INTENTS_KEY = "closing_intents"
CARE_ANSWERS_KEY = "care_answers"
REPLIES_KEY = "replies"
STATEMENTS_KEY = "statements"
CUES_KEY = "cues"
MAX_WORDS_KEY = "max_words"
# words a fragment may open with before its cue ("ok what about tennis", "great, and my desk job?")
FILLERS = {"ok", "okay", "great", "thanks", "cool", "right", "so", "oh", "alright", "brilliant"}
FOLLOW_UP_ENTITIES = {
    Entity.PROCEDURE,
    Entity.SPINAL_LEVEL,
    Entity.ACTIVITY,
    Entity.TIME_SINCE_SURGERY,
    Entity.SURGERY_DATE,
    Entity.RECOVERY_PHASE,
    Entity.PERSON,
}
UNCLEAR_SYMPTOMS_KEY = "unclear_symptoms"
UNCLEAR_KEY = "unclear"
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


def then_listen(tracker: DialogueStateTracker, action: Text) -> Optional[Text]:
    """`action` if nothing ran since the latest message, action_listen once it has, else None."""
    actions = actions_since_user_message(tracker)
    if not actions:
        return action
    return ACTION_LISTEN_NAME if actions == [action] else None


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


class NextActionPolicy(Policy):
    """A policy that either names the one next action, with certainty, or predicts nothing; the
    subclasses say which action (`next_action`) and their configuration's `defaults`."""

    defaults: ClassVar[Dict[Text, Any]] = {}

    @classmethod
    def get_default_config(cls) -> Dict[Text, Any]:
        return copy.deepcopy(cls.defaults)

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def next_action(self, tracker: DialogueStateTracker) -> Optional[Text]:
        raise NotImplementedError

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        action = self.next_action(tracker)
        probabilities = self._default_predictions(domain)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class ActionFailurePolicy(NextActionPolicy):
    """Predicts a fallback response after a custom action that failed without replying."""

    defaults = {"priority": 7, FALLBACKS_KEY: {}, FIRST_MESSAGE_KEY: {}}

    def next_action(self, tracker: DialogueStateTracker) -> Optional[Text]:
        return next_action_after_failure(tracker, self.config[FALLBACKS_KEY], self.config[FIRST_MESSAGE_KEY])


def recent_escalation(tracker: DialogueStateTracker, turns: int) -> Optional[Text]:
    """The escalation response given after one of the `turns` user messages before the latest, if any."""
    messages = 0
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            messages += 1
            if messages > turns:
                return None
        elif isinstance(event, ActionExecuted) and event.action_name in ESCALATIONS and messages:
            return event.action_name
    return None


def answer_of(parse_data: Dict[Text, Any]) -> Optional[Text]:
    """The message's intent, or "faq/<key>" for an FAQ."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent != Intent.FAQ:
        return intent
    selected = ((parse_data.get("response_selector") or {}).get(Intent.FAQ) or {}).get("response") or {}
    return selected.get("intent_response_key") or intent


def still_about_sign(
    tracker: DialogueStateTracker,
    closing_intents: List[Text],
    care_answers: List[Text],
    statements: Sequence[Text] = (),
) -> bool:
    """Whether the latest message goes on about symptoms, asks where, whether or when to get care
    (also after a thank-you: "Thank you. Ought I to telephone tomorrow morning?") or tells more
    without asking anything ("He is 54. He was lifting the feed bags.")."""
    message = tracker.latest_message
    if message is None:
        return False
    parse_data: Dict[Text, Any] = dict(message.parse_data)
    answer = answer_of(parse_data)
    if answer in RED_FLAG_INTENTS:
        return False
    signs = parse_data.get(SIGNS_KEY) or {}
    if signs.get("care"):
        return True
    if answer in closing_intents:
        return False
    if signs.get("symptoms"):
        return True
    if answer == Intent.INFORM and asks_about_activity(message.text or "", parse_data):
        return False
    if answer in statements and tells_only(message.text or ""):
        return True
    return answer == Intent.NLU_FALLBACK or answer in care_answers


def asks_about_activity(text: Text, parse_data: Dict[Text, Any]) -> bool:
    """Whether a message asks a question about an activity it names ("he's back at the call
    centre this week, is that too early?"): details given after an escalation are about the
    sign, a question about an activity is a new one."""
    named = {e.get("entity") for e in parse_data.get("entities") or []}
    return Entity.ACTIVITY in named and "?" in text


def repeated_escalation(
    tracker: DialogueStateTracker,
    turns: int,
    closing_intents: List[Text],
    care_answers: List[Text],
    statements: Sequence[Text] = (),
) -> Optional[Text]:
    """The escalation to give again (then action_listen), or None. After an emergency, a message
    that is an urgent warning sign by itself ("he can't lift the foot at all") gets the emergency
    again: a detail added to an emergency does not make it one for the surgeon's office."""
    escalation = recent_escalation(tracker, turns)
    if escalation is None:
        return None
    message = tracker.latest_message
    downgraded = (
        escalation == Response.RED_FLAG_EMERGENCY
        and message is not None
        and answer_of(dict(message.parse_data)) == Intent.RED_FLAG
    )
    if not downgraded and not still_about_sign(tracker, closing_intents, care_answers, statements):
        return None
    return then_listen(tracker, escalation)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class WarningSignFollowUpPolicy(NextActionPolicy):
    """Gives an escalation again to a message that goes on describing the reported sign."""

    defaults = {
        "priority": 8,
        TURNS_KEY: 2,
        CLOSING_INTENTS_KEY: [],
        CARE_ANSWERS_KEY: [],
        REPLIES_KEY: [],
        STATEMENTS_KEY: [],
    }

    def next_action(self, tracker: DialogueStateTracker) -> Optional[Text]:
        return repeated_escalation(
            tracker,
            int(self.config[TURNS_KEY]),
            list(self.config[CLOSING_INTENTS_KEY]),
            list(self.config[CARE_ANSWERS_KEY]) + list(self.config[REPLIES_KEY]),
            list(self.config[STATEMENTS_KEY]),
        )


def elliptical(text: Text, cues: List[Text], max_words: int) -> bool:
    """Whether a message reads as a fragment continuing the last question: short, and opening
    with one of the cues ("and", "what about"...)."""
    words = text.lower().replace(",", " ").split()
    while words and words[0].strip(".!") in FILLERS:
        words = words[1:]
    opening = " ".join(words)
    return 0 < len(words) <= max_words and any(opening == cue or opening.startswith(cue + " ") for cue in cues)


def follow_up(tracker: DialogueStateTracker, cues: List[Text], max_words: int) -> Optional[Text]:
    """action_inform for a fragment that changes the last timeline question (then action_listen)."""
    message = tracker.latest_message
    if message is None or not tracker.get_slot(Slot.LAST_QUESTION):
        return None
    parse_data: Dict[Text, Any] = dict(message.parse_data)
    named = {e.get("entity") for e in parse_data.get("entities") or []}
    if answer_of(parse_data) in RED_FLAG_INTENTS or not named & FOLLOW_UP_ENTITIES:
        return None
    if not elliptical(message.text or "", cues, max_words):
        return None
    actions = actions_since_user_message(tracker)
    if not actions:
        return Action.INFORM
    return ACTION_LISTEN_NAME if actions == [Action.INFORM] and not produced_nothing(tracker) else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class FollowUpPolicy(NextActionPolicy):
    """Answers a fragment after a timeline answer as the same question with what it changes."""

    defaults = {"priority": 7, CUES_KEY: ["and", "what about", "how about"], MAX_WORDS_KEY: 8}

    def next_action(self, tracker: DialogueStateTracker) -> Optional[Text]:
        return follow_up(tracker, list(self.config[CUES_KEY]), int(self.config[MAX_WORDS_KEY]))


def answers_check_in(tracker: DialogueStateTracker) -> bool:
    """Whether the latest message is the first since a check-in: sent in this session, or in the
    session before (its check_in slot carried over; a session's disclaimer comes between)."""
    seen_message = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            if seen_message:
                return False
            seen_message = True
        elif not seen_message:
            continue
        elif isinstance(event, SlotSet) and event.key == Slot.CHECK_IN:
            return bool(event.value)
        elif isinstance(event, BotUttered):
            sent_as = (event.metadata or {}).get("utter_action")
            if sent_as != Response.DISCLAIMER:
                return bool(sent_as == Response.CHECK_IN)
    return False


def check_in_reply(
    tracker: DialogueStateTracker,
    replies: Dict[Text, Text],
    unclear_symptoms: Optional[Text] = None,
    unclear: Optional[Text] = None,
) -> Optional[Text]:
    """The response to a reply to a check-in's question (then action_listen), or None."""
    message = tracker.latest_message
    parse_data: Dict[Text, Any] = dict(message.parse_data) if message else {}
    intent = (parse_data.get("intent") or {}).get("name") or ""
    signs = parse_data.get(SIGNS_KEY) or {}
    reply = replies.get(intent)
    if intent == Intent.NLU_FALLBACK:
        reply = unclear_symptoms if signs.get("symptoms") else unclear
    elif intent == Intent.DENY and signs.get("symptoms") and not signs.get("denied"):
        reply = unclear
    if reply is None or not answers_check_in(tracker):
        return None
    return then_listen(tracker, reply)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class CheckInReplyPolicy(NextActionPolicy):
    """Answers a yes or a no to a check-in's warning-sign question, and symptoms it cannot place."""

    defaults = {"priority": 8, REPLIES_KEY: {}, UNCLEAR_SYMPTOMS_KEY: None, UNCLEAR_KEY: None}

    def next_action(self, tracker: DialogueStateTracker) -> Optional[Text]:
        config = self.config
        return check_in_reply(tracker, dict(config[REPLIES_KEY]), config[UNCLEAR_SYMPTOMS_KEY], config[UNCLEAR_KEY])
