"""Each provider delivery is processed once, whatever the provider re-sends.

Providers deliver a message again when they are unsure it arrived (a timeout, a 5xx, Slack
after 3 s) and anyone holding a captured Twilio request can replay it (its signature has no
timestamp). Each delivery's own id (Twilio MessageSid, Telegram update_id, Messenger message
id, Slack event_id) is recorded in the conversation database, so the check holds across
replicas, for KEEP_DAYS, longer than any provider retries. Only the channel, the id and the time
are kept, nothing of the patient. If the database cannot be reached the delivery is processed:
a reply twice is better than none.
"""

from __future__ import annotations

import logging
import time
from typing import Dict, Optional

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot import logs, metrics
from bot.database import DELIVERIES, database

logger = logging.getLogger(__name__)

KEEP_DAYS = 7
SECONDS_PER_DAY = 86400
DUPLICATE, UNCHECKED = "duplicate", "unchecked"


def first_time(channel: str, delivery_id: str, engine: Optional[Engine] = None) -> bool:
    """Records the delivery; False if it was recorded before (a duplicate)."""
    try:
        with (engine or database()).begin() as connection:
            connection.execute(
                insert(DELIVERIES).values(channel=channel, delivery_id=delivery_id[:255], received_at=time.time())
            )
    except IntegrityError:
        metrics.DELIVERIES.labels(metrics.channel(channel), DUPLICATE).inc()
        logger.info("%s: duplicate delivery ignored", channel)
        return False
    except Exception as error:  # the database is down: process it anyway
        metrics.DELIVERIES.labels(metrics.channel(channel), UNCHECKED).inc()
        logger.error("%s: could not check for a duplicate delivery (%s)", channel, logs.reason(error))
    return True


def forget_older_than(engine: Engine, days: float = KEEP_DAYS, now: Optional[float] = None) -> int:
    """Removes the delivery ids older than `days`; returns how many."""
    cutoff = (now if now is not None else time.time()) - days * SECONDS_PER_DAY
    with engine.begin() as connection:
        return connection.execute(delete(DELIVERIES).where(DELIVERIES.c.received_at < cutoff)).rowcount


def counts(channel: str) -> Dict[str, int]:
    """How many deliveries of this channel were duplicates, and how many could not be checked."""
    return {
        kind: metrics.counted("webhook_deliveries", channel=metrics.channel(channel), outcome=kind)
        for kind in (DUPLICATE, UNCHECKED)
    }
