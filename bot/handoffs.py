"""Handoffs: a conversation handed to a person at the clinic, and back.

A patient who asks for a person (the assistant's handoff reply), or a nurse who takes a
conversation in the console, hands it to the staff: while it is with them the assistant answers
nothing but warning signs (the red-flag net still runs and still raises alerts), and the staff's
replies reach the patient in their own channel (bot/rasa/staff_messages.py). Staff hand it back.
A patient who must leave may give a number to be called back on, with consent; it is erased
with the conversation. Every step is in the audit log.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from bot import audit
from bot.database import EVENTS, HANDOFFS
from bot.rasa.channels import channel_of
from bot.timestamps import day_of, in_period, iso

PATIENT = "patient"  # who started a handoff the patient asked for
PHONE_NUMBER = re.compile(r"\+?[0-9(][0-9 ()./-]{5,22}[0-9]")


@dataclass(frozen=True)
class Handoff:
    id: int
    conversation_id: str
    channel: str
    started_at: float
    started_by: str
    callback_number: Optional[str]

    def as_dict(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "channel": self.channel,
            "started_at": iso(self.started_at),
            "started_by": self.started_by,
            "callback_number": self.callback_number,
        }


def _handoff(row: Any) -> Handoff:
    return Handoff(row.id, row.conversation_id, row.channel, row.started_at, row.started_by, row.callback_number)


def active(engine: Engine, conversation_id: str) -> Optional[Handoff]:
    """The conversation's handoff while the staff have it."""
    with engine.connect() as connection:
        row = connection.execute(
            select(HANDOFFS).where(HANDOFFS.c.conversation_id == conversation_id, HANDOFFS.c.ended_at.is_(None))
        ).first()
    return _handoff(row) if row else None


def started_since(engine: Engine, conversation_id: str, since: float) -> bool:
    """Whether the conversation was handed to the staff at `since` or later."""
    with engine.connect() as connection:
        found = connection.execute(
            select(HANDOFFS.c.id).where(HANDOFFS.c.conversation_id == conversation_id, HANDOFFS.c.started_at >= since)
        ).first()
    return found is not None


def start(engine: Engine, conversation_id: str, by: str) -> Optional[Handoff]:
    """Hands the conversation to the staff; None if they have it already."""
    if active(engine, conversation_id) is not None:
        return None
    with engine.begin() as connection:
        values = {"conversation_id": conversation_id, "channel": channel_of(conversation_id), "started_by": by}
        connection.execute(insert(HANDOFFS).values(**values, started_at=time.time()))
    audit.record(engine, by, "handoff_started", conversation_id)
    return active(engine, conversation_id)


def end(engine: Engine, conversation_id: str, by: str) -> bool:
    """Hands the conversation back to the assistant; False if the staff did not have it."""
    with engine.begin() as connection:
        ended = connection.execute(
            update(HANDOFFS)
            .where(HANDOFFS.c.conversation_id == conversation_id, HANDOFFS.c.ended_at.is_(None))
            .values(ended_at=time.time(), ended_by=by)
        ).rowcount
    if ended:
        audit.record(engine, by, "handoff_ended", conversation_id)
    return bool(ended)


def leave_callback_number(engine: Engine, conversation_id: str, number: str) -> bool:
    """Keeps the number the patient consented to be called back on; False if it is not a phone
    number or the conversation is not with the staff."""
    number = " ".join(number.split())
    if not PHONE_NUMBER.fullmatch(number):
        return False
    with engine.begin() as connection:
        kept = connection.execute(
            update(HANDOFFS)
            .where(HANDOFFS.c.conversation_id == conversation_id, HANDOFFS.c.ended_at.is_(None))
            .values(callback_number=number, callback_consent_at=time.time())
        ).rowcount
    if kept:
        audit.record(engine, PATIENT, "callback_number_left", conversation_id)
    return bool(kept)


def listing(engine: Engine) -> List[Dict[str, Any]]:
    """The conversations with the staff now, the longest waiting first."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(HANDOFFS).where(HANDOFFS.c.ended_at.is_(None)).order_by(HANDOFFS.c.started_at)
        ).all()
    return [_handoff(row).as_dict() for row in rows]


def activity(engine: Engine) -> Tuple[int, float]:
    """(conversations with the staff, the latest change: a handoff started or ended, or a message
    in a conversation with the staff): what the console's live queue watches."""
    with_staff = HANDOFFS.c.ended_at.is_(None)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(HANDOFFS).where(with_staff)).scalar_one()
        changed = connection.execute(
            select(func.max(func.coalesce(HANDOFFS.c.ended_at, HANDOFFS.c.started_at)))
        ).scalar_one()
        said = connection.execute(
            select(func.max(EVENTS.c.timestamp)).where(
                EVENTS.c.sender_id.in_(select(HANDOFFS.c.conversation_id).where(with_staff))
            )
        ).scalar_one()
    return int(count), max(float(changed or 0), float(said or 0))


def daily(engine: Engine, since: Optional[float], until: Optional[float]) -> Dict[str, int]:
    """Handoffs started per day (UTC), for the dashboard."""
    period = in_period(HANDOFFS.c.started_at, since, until)
    with engine.connect() as connection:
        rows = connection.execute(select(HANDOFFS.c.started_at).where(*period)).scalars().all()
    days: Dict[str, int] = {}
    for started in rows:
        days[day_of(started)] = days.get(day_of(started), 0) + 1
    return dict(sorted(days.items()))
