"""Replies the messaging channels lost (bot/rasa/channels/outbox.py), as the staff see them.

A lost reply is `failed` (the provider refused it, or stayed unreachable) or `unknown` (it went
out without an answer: the patient may have it). Escalations come first, then the newest; each
shows its conversation by the pseudonym its log lines use. An admin may queue one to be sent
again: the Rasa servers' outbox sweep sends it within seconds, once (tried again only while it
certainly did not arrive); if it is lost again, it is listed again.
"""

from __future__ import annotations

import time
from typing import Any, Dict, Tuple

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from bot.database import OUTBOX
from bot.outcomes import LOST, PENDING
from bot.timestamps import iso

LIMIT = 500
IS_LOST = OUTBOX.c.status.in_(LOST)


class NotLost(RuntimeError):
    """The reply is no longer lost: sent, or queued again already."""


def item(row: Any) -> Dict[str, Any]:
    return {
        "id": row.id,
        "at": iso(row.created_at),
        "lost_at": iso(row.updated_at),
        "channel": row.channel,
        "reference": row.reference,
        "conversation_id": row.conversation_id,
        "escalation": bool(row.escalation),
        "status": row.status,
        "problem": row.problem,
        "attempts": row.attempts,
    }


def listing(engine: Engine, limit: int = LIMIT) -> Dict[str, Any]:
    """The lost replies, escalations first, and how many lost escalations there are."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(OUTBOX).where(IS_LOST).order_by(OUTBOX.c.escalation.desc(), OUTBOX.c.updated_at.desc()).limit(limit)
        )
        replies = [item(row) for row in rows]
        escalations = connection.execute(
            select(func.count()).select_from(OUTBOX).where(IS_LOST, OUTBOX.c.escalation.is_(True))
        ).scalar_one()
    return {"replies": replies, "escalations": escalations}


def counts(engine: Engine) -> Tuple[int, int]:
    """How many replies are lost (listed, not queued again), and how many of them are escalations."""
    with engine.connect() as connection:
        row = connection.execute(
            select(func.count(), func.count().filter(OUTBOX.c.escalation.is_(True))).where(IS_LOST)
        ).one()
    return int(row[0]), int(row[1])


def send_again(engine: Engine, reply_id: int) -> Dict[str, Any]:
    """Queues a lost reply for the Rasa servers to send again; returns it as it was listed."""
    now = time.time()
    with engine.begin() as connection:
        row = connection.execute(select(OUTBOX).where(OUTBOX.c.id == reply_id)).first()
        if row is None:
            raise LookupError("no such reply (its conversation may have been erased or purged)")
        queued = connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == reply_id, IS_LOST)
            .values(status=PENDING, problem=None, updated_at=now, claimable_at=now)
        )
        if queued.rowcount != 1:
            raise NotLost(f"this reply is {row.status} now, not lost: it was sent or queued again already")
    return item(row)
