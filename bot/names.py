"""Every name the assistant's parts share: intents, entities, slots, actions, responses,
warning-sign severities, socket.io events and reply metadata keys.

Python code imports them from here; domain.yml, config.yml, data/ and the widget spell them out,
and tests/test_names.py checks that every name they use is declared here and every name declared
here is used. FAQ answers are one family, `utter_faq/<key>`: their keys live in domain.yml.
"""

from __future__ import annotations

from typing import FrozenSet


def declared(namespace: type) -> FrozenSet[str]:
    """The names a class of this module declares (its upper-case attributes)."""
    return frozenset(str(value) for key, value in vars(namespace).items() if key.isupper())


class Channel:
    """Channel names: the prefix of each conversation id ("telegram:<chat id>")."""

    REST = "rest"
    SOCKETIO = "socketio"
    TWILIO = "twilio"
    TWILIO_WHATSAPP = "twilio_whatsapp"
    TELEGRAM = "telegram"
    FACEBOOK = "facebook"
    SLACK = "slack"


class Intent:
    FAQ = "faq"
    ASK_RECOVERY_TIME = "ask_recovery_time"
    ASK_RECOVERY_STAGE = "ask_recovery_stage"
    ASK_ACTIVITY = "ask_activity"
    INFORM = "inform"
    RED_FLAG = "red_flag"
    RED_FLAG_EMERGENCY = "red_flag_emergency"
    OUT_OF_SCOPE = "out_of_scope"
    NOT_COVERED = "not_covered"
    GREET = "greet"
    GOODBYE = "goodbye"
    THANK = "thank"
    BOT_CHALLENGE = "bot_challenge"
    HUMAN_HANDOFF = "human_handoff"
    CHITCHAT = "chitchat"
    ACKNOWLEDGE = "acknowledge"
    AFFIRM = "affirm"
    DENY = "deny"
    MESSAGE_TOO_LONG = "message_too_long"  # set by the channels (bot/rasa/channels/bounded.py), never classified
    NLU_FALLBACK = "nlu_fallback"  # Rasa's own, set by the fallback classifier


RED_FLAG_INTENTS = (Intent.RED_FLAG, Intent.RED_FLAG_EMERGENCY)
TIMELINE_INTENTS = (Intent.ASK_ACTIVITY, Intent.ASK_RECOVERY_TIME, Intent.ASK_RECOVERY_STAGE, Intent.INFORM)


class Entity:
    PROCEDURE = "procedure"
    SPINAL_LEVEL = "spinal_level"
    ACTIVITY = "activity"
    RECOVERY_PHASE = "recovery_phase"
    TIME_SINCE_SURGERY = "time_since_surgery"
    SURGERY_DATE = "surgery_date"
    WARNING_SIGN = "warning_sign"
    PERSON = "person"


SURGERY_TIME_ENTITIES = (Entity.TIME_SINCE_SURGERY, Entity.SURGERY_DATE)


class Slot:
    PROCEDURE = "procedure"
    SPINAL_LEVEL = "spinal_level"
    SURGERY_TIME = "surgery_time"
    WARNING_SIGN = "warning_sign"
    LAST_QUESTION = "last_question"
    CHECK_IN = "check_in"
    PERSON = "person"


class Action:
    SESSION_START = "action_session_start"
    ASK_AFFIRMATION = "action_default_ask_affirmation"
    RECOVERY_TIME = "action_recovery_time"
    RECOVERY_STAGE = "action_recovery_stage"
    ACTIVITY_TIMING = "action_activity_timing"
    INFORM = "action_inform"
    TWO_STAGE_FALLBACK = "action_two_stage_fallback"  # Rasa's own


class Response:
    DISCLAIMER = "utter_disclaimer"
    GREET = "utter_greet"
    GOODBYE = "utter_goodbye"
    YOU_ARE_WELCOME = "utter_you_are_welcome"
    BOT_CHALLENGE = "utter_bot_challenge"
    HUMAN_HANDOFF = "utter_human_handoff"
    CHITCHAT = "utter_chitchat"
    ANYTHING_ELSE = "utter_anything_else"
    OUT_OF_SCOPE = "utter_out_of_scope"
    DEFAULT = "utter_default"
    ASK_REPHRASE = "utter_ask_rephrase"
    ASK_AFFIRMATION = "utter_ask_affirmation"
    BUTTON_SOMETHING_ELSE = "utter_button_something_else"
    FAQ = "utter_faq"  # the retrieval response; its answers are FAQ_PREFIX + key
    RED_FLAG = "utter_red_flag"
    RED_FLAG_EMERGENCY = "utter_red_flag_emergency"
    ASK_SURGERY_TIME = "utter_ask_surgery_time"
    TIMELINE_GENERAL = "utter_timeline_general"
    TIMELINE_PROCEDURE = "utter_timeline_procedure"
    PROCEDURE_NEAREST = "utter_procedure_nearest"
    TIMELINE_OTHER_PROCEDURE = "utter_timeline_other_procedure"
    TIMELINE_PHASE = "utter_timeline_phase"
    TIMELINE_STAGE = "utter_timeline_stage"
    TIMELINE_UNAVAILABLE = "utter_timeline_unavailable"
    ACTIVITY_NEAREST = "utter_activity_nearest"
    ACTIVITY_OK_NOW = "utter_activity_ok_now"
    ACTIVITY_AVOID_NOW = "utter_activity_avoid_now"
    ACTIVITY_NOT_YET = "utter_activity_not_yet"
    ACTIVITY_TIMING = "utter_activity_timing"
    ACTIVITY_NOT_COVERED = "utter_activity_not_covered"
    ACTIVITY_UNKNOWN = "utter_activity_unknown"
    SURGERY_IN_FUTURE = "utter_surgery_in_future"
    TIME_TOO_LONG = "utter_time_too_long"
    TIME_UNREADABLE = "utter_time_unreadable"
    MESSAGE_TOO_LONG = "utter_message_too_long"
    STAFF_JOINED = "utter_staff_joined"  # a member of staff took the conversation over
    STAFF_MESSAGE = "utter_staff_message"  # a staff member's own words ({staff_message})
    STAFF_LEFT = "utter_staff_left"  # the staff handed the conversation back
    CHECK_IN = "utter_check_in"  # a scheduled check-in the clinic sends first (bot/rasa/check_ins.py)
    RED_FLAG_CHECK_IN = "utter_red_flag_check_in"  # a yes to a check-in's warning-sign question
    CHECK_IN_THANKS = "utter_check_in_thanks"  # a no to it
    CHECK_IN_UNCLEAR = "utter_check_in_unclear"  # neither: the question asked again


FAQ_PREFIX = f"{Response.FAQ}/"


class Severity:
    """How urgent a warning sign is (data/warning_signs.yml)."""

    EMERGENCY = "emergency"
    URGENT = "urgent"


# The warning_sign entity's value when only the classifier, not the net, found a red flag.
UNSPECIFIED_SIGN = "unspecified"
# The extractor of entities recognised by meaning (bot/rasa/meaning.py), not by the guide's words.
BY_MEANING_EXTRACTOR = "MeaningResolver"


class SocketEvent:
    """socket.io events between the widget and the widget channel."""

    SESSION_REQUEST = "session_request"
    SESSION_CONFIRM = "session_confirm"
    SESSION_END = "session_end"
    CALLBACK_NUMBER = "callback_number"  # a number the patient leaves to be called back on, with consent
    USER_UTTERED = "user_uttered"
    BOT_UTTERED = "bot_uttered"
    FEEDBACK = "feedback"
    NOT_HANDLED = "not_handled"  # a message the server could not store: the widget sends it again


class ClientMessage:
    """Keys a client (the widget, the REST channel's callers, the load test) may send with a
    message so that sending it again after a lost connection is answered once (bot/rasa/agent.py),
    and that marks test traffic, whose warning signs page nobody (bot/alerts)."""

    MESSAGE_ID = "message_id"
    RETRY = "retry"
    TEST_TRAFFIC = "test_traffic"  # the REST channel only: the evaluation, gate, load and fuzz tests (no pages)


class Metadata:
    """Keys of a reply's metadata: the response's (domain.yml) and what the widget is sent. A
    timeline reply also says what it is about, keyed by entity names (procedure, activity...)."""

    CITES = "cites"
    QUESTION = "question"
    URGENCY = "urgency"
    SOURCE = "source"
    RATEABLE = "rateable"
    CALL = "call"  # the numbers a reply gives ({label, number}), added from the clinic profile
    STAFF = "staff"  # a staff member's message: their user name
    WITH_STAFF = "with_staff"  # the conversation is with the staff now (or, False, no longer)
