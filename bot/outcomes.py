"""What a reply did for the patient, one word each, from the response names that made it; and
what became of a reply a messaging provider was sent.

The console (conversations, dashboard, inbox), the release gate and the evaluation's judge all
read a reply's outcome here. Several responses in one reply: the most serious counts.
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional

from bot.names import Response

ANSWERED = "answered"  # anything else: an answer, small talk, a timeline
CLARIFIED = "clarified"  # the assistant asked the patient to confirm or to say when
DECLINED = "declined"  # the guide does not cover it
FALLBACK = "fallback"  # not understood: asked to rephrase
ESCALATED = "escalated"  # a warning sign: sent to the surgeon or to emergency care
ACTION_FAILURE = "action_failure"  # a timeline lookup failed

OUTCOMES = (ANSWERED, CLARIFIED, DECLINED, FALLBACK, ESCALATED, ACTION_FAILURE)
SERIOUSNESS = (ESCALATED, ACTION_FAILURE, FALLBACK, CLARIFIED, DECLINED, ANSWERED)
UNANSWERED = (DECLINED, CLARIFIED, FALLBACK)

RESPONSE_OUTCOMES: Dict[str, str] = {
    Response.RED_FLAG: ESCALATED,
    Response.RED_FLAG_EMERGENCY: ESCALATED,
    Response.RED_FLAG_CHECK_IN: ESCALATED,
    Response.TIMELINE_UNAVAILABLE: ACTION_FAILURE,
    Response.DEFAULT: FALLBACK,
    Response.ASK_REPHRASE: FALLBACK,
    Response.ASK_AFFIRMATION: CLARIFIED,
    Response.ASK_SURGERY_TIME: CLARIFIED,
    Response.CHECK_IN_UNCLEAR: CLARIFIED,
    Response.OUT_OF_SCOPE: DECLINED,
    Response.ACTIVITY_NOT_COVERED: DECLINED,
    Response.ACTIVITY_UNKNOWN: DECLINED,
    Response.MESSAGE_TOO_LONG: DECLINED,
}
# Sent to everyone, or sent first (a scheduled check-in): neither answers the patient's question.
NOT_PATIENT_RESPONSES = {Response.DISCLAIMER, Response.CHECK_IN}


# What became of a reply sent through a messaging provider (bot/rasa/channels/outbox.py).
PENDING = "pending"  # waiting to be sent, or to be tried again
SENDING = "sending"  # a server is sending it now
SENT = "sent"  # the provider took it
FAILED = "failed"  # the provider refused it, or stayed unreachable: the patient does not have it
UNKNOWN = "unknown"  # sent, but no answer came: the patient may or may not have it
DELIVERY_STATUSES = (PENDING, SENDING, SENT, FAILED, UNKNOWN)
LOST = (FAILED, UNKNOWN)  # shown to the staff, who may send it again


def of_response(response: str) -> str:
    """The outcome of one response."""
    return RESPONSE_OUTCOMES.get(response, ANSWERED)


def outcome_of(responses: Iterable[str]) -> Optional[str]:
    """The outcome of a reply made of these responses (None: no reply to the patient yet)."""
    found = {of_response(r) for r in responses if r not in NOT_PATIENT_RESPONSES}
    return next((o for o in SERIOUSNESS if o in found), None)
