"""Judges the assistant's replies to a case: right, wrong (another answer), silent, or what the reply
did instead (its outcome, bot/outcomes.py: declined, clarified, fallback, escalated...).

Pure functions over the replies' response names, texts and metadata (what the timeline actions
looked up: ``procedure``, ``level``, ``phase``, ``activity``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Sequence, Tuple

from bot.evaluation.cases import Case
from bot.names import FAQ_PREFIX, Entity, Response
from bot.outcomes import ANSWERED, DECLINED, ESCALATED, NOT_PATIENT_RESPONSES, UNANSWERED, of_response, outcome_of
from bot.runtime.client import BotReply

RIGHT, WRONG, SILENT = "right", "wrong", "silent"  # verdicts besides the reply's own outcome
SMALLTALK = {
    "greet": Response.GREET,
    "goodbye": Response.GOODBYE,
    "thank": Response.YOU_ARE_WELCOME,
    "bot": Response.BOT_CHALLENGE,
    "handoff": Response.HUMAN_HANDOFF,
    "chitchat": Response.CHITCHAT,
    "ack": Response.ANYTHING_ELSE,
}
RECOVERY = {Response.TIMELINE_PROCEDURE, Response.TIMELINE_GENERAL, Response.TIMELINE_OTHER_PROCEDURE}
PHASE = {Response.TIMELINE_STAGE, Response.TIMELINE_PHASE}
ACTIVITY = {Response.ACTIVITY_OK_NOW, Response.ACTIVITY_AVOID_NOW, Response.ACTIVITY_NOT_YET, Response.ACTIVITY_TIMING}
TIME_PROBLEMS = {Response.SURGERY_IN_FUTURE, Response.TIME_TOO_LONG, Response.TIME_UNREADABLE}
ANY_ACTIVITY_ANSWER = ACTIVITY | {Response.ACTIVITY_NOT_COVERED, Response.ACTIVITY_UNKNOWN}
# Labels for which a decline or a clarification is the right reply.
DECLINE_KINDS = ("not_covered", "out_of_scope", "unclear")
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
    outcome: str  # right | wrong | silent | the reply's outcome (declined, clarified, fallback, escalated...)
    escalated: bool
    emergency: bool
    answers: Tuple[str, ...]


def normalise(text: str) -> str:
    """Lower case, ranges as "2-6" whether written "2–6", "2 - 6" or "2 to 6", single spaces."""
    return " ".join(_RANGE.sub(r"\1-\2", text.lower()).split())


def answers(replies: Sequence[BotReply]) -> Tuple[str, ...]:
    return tuple(r.utter_action or "" for r in replies if r.utter_action not in NOT_PATIENT_RESPONSES)


def _is(outcomes: Sequence[str]) -> Callable[[BotReply, str], bool]:
    return lambda reply, _: of_response(reply.utter_action or "") in outcomes


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
        return reply.utter_action == Response.TIMELINE_GENERAL
    if value == "other":
        return reply.utter_action == Response.TIMELINE_OTHER_PROCEDURE
    subject = RECOVERY_SUBJECTS.get(value)
    return (
        subject is not None
        and (reply.metadata.get(Entity.PROCEDURE), reply.metadata.get(Entity.SPINAL_LEVEL)) == subject
    )


MATCHERS: Dict[str, Callable[[BotReply, str], bool]] = {
    "faq": lambda reply, key: reply.utter_action == FAQ_PREFIX + key,
    "smalltalk": lambda reply, kind: reply.utter_action == SMALLTALK.get(kind),
    "recovery": _recovery,
    "phase": lambda reply, phase: reply.utter_action in PHASE and _about(reply, Entity.RECOVERY_PHASE, phase),
    # activity:* (any activity answer, the guide's windows or its "doesn't cover")
    "activity": lambda reply, activity: (
        reply.utter_action in ANY_ACTIVITY_ANSWER
        if activity == "*"
        else reply.utter_action in ACTIVITY and _about(reply, Entity.ACTIVITY, activity)
    ),
    "timeline": lambda reply, _: reply.utter_action in RECOVERY | PHASE | ACTIVITY | TIME_PROBLEMS,
    "asks": lambda reply, what: reply.utter_action == {"surgery_time": Response.ASK_SURGERY_TIME}.get(what),
    "time_problem": lambda reply, problem: reply.utter_action == {"future": Response.SURGERY_IN_FUTURE}.get(problem),
    "not_covered": _is([DECLINED]),
    "out_of_scope": _is([DECLINED]),
    "unclear": _is(UNANSWERED),
    "ordinary": lambda reply, _: True,
    "red_flag": _is([ESCALATED]),
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
    outcomes = [of_response(a) for a in given]
    escalated = ESCALATED in outcomes
    emergency = Response.RED_FLAG_EMERGENCY in given
    unanswered = bool(given) and all(o in UNANSWERED for o in outcomes)

    if case.kind == "red_flag":
        right = escalated
    elif escalated:
        # an escalation is right only where the labels allow one ("not covered, or a red flag")
        if not any(label.startswith("red_flag") for label in case.labels):
            return Verdict(ESCALATED, escalated, emergency, given)
        right = True
    elif case.kind in DECLINE_KINDS:
        right = unanswered or any(label_met(label, replies, case.window_for(label)) for label in case.labels[1:])
    else:
        right = bool(given) and any(label_met(label, replies, case.window_for(label)) for label in case.labels)

    if right:
        outcome = RIGHT
    elif not given:
        outcome = SILENT
    elif ANSWERED in outcomes:
        outcome = WRONG
    else:
        outcome = outcome_of(given) or SILENT
    return Verdict(outcome, escalated, emergency, given)
