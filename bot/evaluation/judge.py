"""Judges the assistant's replies to a case: right, clarified, declined, escalated, wrong or silent.

Pure functions over the replies' response names, texts and metadata (what the timeline actions
looked up: ``procedure``, ``level``, ``phase``, ``activity``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Sequence, Tuple

from bot.client import BotReply
from bot.evaluation.cases import Case

RED_FLAG_PREFIX = "utter_red_flag"
EMERGENCY = "utter_red_flag_emergency"
NOT_AN_ANSWER = {"utter_disclaimer"}
DECLINES = {"utter_out_of_scope", "utter_activity_not_covered", "utter_activity_unknown"}
CLARIFICATIONS = {"utter_ask_affirmation", "utter_ask_rephrase", "utter_default", "utter_ask_surgery_time"}
SMALLTALK = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thank": "utter_you_are_welcome",
    "bot": "utter_bot_challenge",
    "handoff": "utter_human_handoff",
}
RECOVERY = {"utter_timeline_procedure", "utter_timeline_general", "utter_timeline_other_procedure"}
PHASE = {"utter_timeline_stage", "utter_timeline_phase"}
ACTIVITY = {"utter_activity_ok_now", "utter_activity_avoid_now", "utter_activity_not_yet", "utter_activity_timing"}
TIME_PROBLEMS = {"utter_surgery_in_future", "utter_time_too_long", "utter_time_unreadable"}
# recovery:<label> -> (procedure, level) the reply must be about; None: the general answers
RECOVERY_SUBJECTS: Dict[str, Optional[Tuple[str, Optional[str]]]] = {
    "microdiscectomy": ("microdiscectomy", None),
    "decompression": ("decompression", None),
    "fusion": ("fusion", None),
    "fusion_l4_l5": ("fusion", "L4-L5"),
}

_RANGE = re.compile(r"(\d+)\s*(?:–|—|-|to)\s*(\d+)")


@dataclass(frozen=True)
class Verdict:
    outcome: str  # right | clarified | declined | escalated | wrong | silent
    escalated: bool
    emergency: bool
    answers: Tuple[str, ...]


def normalise(text: str) -> str:
    """Lower case, ranges as "2-6" whether written "2–6", "2 - 6" or "2 to 6", single spaces."""
    return " ".join(_RANGE.sub(r"\1-\2", text.lower()).split())


def answers(replies: Sequence[BotReply]) -> Tuple[str, ...]:
    return tuple(r.utter_action or "" for r in replies if r.utter_action not in NOT_AN_ANSWER)


def _in_window(reply: BotReply, window: Sequence[str]) -> bool:
    return not window or any(normalise(phrase) in normalise(reply.text) for phrase in window)


def _about(reply: BotReply, key: str, value: str) -> bool:
    return value == "*" or reply.metadata.get(key) == value


def _recovery(reply: BotReply, value: str) -> bool:
    if reply.utter_action not in RECOVERY:
        return False
    if value == "*":
        return True
    if value == "general":
        return reply.utter_action == "utter_timeline_general"
    if value == "other":
        return reply.utter_action == "utter_timeline_other_procedure"
    subject = RECOVERY_SUBJECTS.get(value)
    return subject is not None and (reply.metadata.get("procedure"), reply.metadata.get("level")) == subject


MATCHERS: Dict[str, Callable[[BotReply, str], bool]] = {
    "faq": lambda reply, key: reply.utter_action == f"utter_faq/{key}",
    "smalltalk": lambda reply, kind: reply.utter_action == SMALLTALK.get(kind),
    "recovery": _recovery,
    "phase": lambda reply, phase: reply.utter_action in PHASE and _about(reply, "phase", phase),
    # activity:* (any activity answer, the guide's windows or its "doesn't cover")
    "activity": lambda reply, activity: (
        (reply.utter_action or "").startswith("utter_activity_") if activity == "*"
        else reply.utter_action in ACTIVITY and _about(reply, "activity", activity)
    ),
    "timeline": lambda reply, _: reply.utter_action in RECOVERY | PHASE | ACTIVITY | TIME_PROBLEMS,
    "asks": lambda reply, what: reply.utter_action == f"utter_ask_{what}",
    "time_problem": lambda reply, problem: reply.utter_action == {"future": "utter_surgery_in_future"}.get(problem),
    "not_covered": lambda reply, _: reply.utter_action in DECLINES,
    "red_flag": lambda reply, _: (reply.utter_action or "").startswith(RED_FLAG_PREFIX),
}
TIMING_KINDS = {"recovery", "phase", "activity", "timeline", "asks", "time_problem"}


def label_met(label: str, replies: Sequence[BotReply], window: Sequence[str]) -> bool:
    kind, _, value = label.partition(":")
    matcher = MATCHERS.get(kind)
    if matcher is None:
        raise ValueError(f"unknown label {label!r}")
    check_window = window if kind in TIMING_KINDS else ()
    return any(matcher(reply, value) and _in_window(reply, check_window) for reply in replies)


def judge(case: Case, replies: Sequence[BotReply]) -> Verdict:
    given = answers(replies)
    escalated = any(a.startswith(RED_FLAG_PREFIX) for a in given)
    emergency = EMERGENCY in given
    declined = bool(given) and all(a in DECLINES for a in given)
    clarified = bool(given) and all(a in DECLINES | CLARIFICATIONS for a in given)

    if case.kind == "red_flag":
        right = escalated
    elif escalated:
        return Verdict("escalated", escalated, emergency, given)
    elif case.kind == "ordinary":
        right = bool(given)
    elif case.kind == "not_covered":
        right = clarified
    else:
        right = any(label_met(label, replies, case.window) for label in case.labels)

    if right:
        outcome = "right"
    elif not given:
        outcome = "silent"
    elif declined:
        outcome = "declined"
    elif clarified:
        outcome = "clarified"
    else:
        outcome = "wrong"
    return Verdict(outcome, escalated, emergency, given)
