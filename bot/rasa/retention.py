"""Retention and erasure of conversations in the conversation store (TRACKER_DATABASE_URL).

`purge` removes every conversation whose last event is older than the retention period, and the
channels' replies (the outbox, bot/rasa/channels/outbox.py), staff alerts and handoffs as old; the
Rasa server runs it every hour (RETENTION_DAYS, bot/rasa/serve.py). A patient enrolled in check-ins
(bot/check_ins) keeps their conversation while the messages run; the enrolment and its messages
go once it stopped or its last message was due longer ago than the retention period. `erase`
removes one patient's conversation on request, with its replies in the outbox, its alerts,
handoffs (a call-back number too) and check-in enrolments, and records the erasure in the erasure
log, which a restore of a backup applies again (`reapply_erasures`, bot/backup.py). Both report
counts, never content:

    python -m bot.rasa.retention purge DAYS     (make purge DAYS=30)
    python -m bot.rasa.retention erase SENDER   (make erase SENDER=<sender id>)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import sys
import time
from dataclasses import dataclass
from typing import Collection, Dict, List, Optional

from sqlalchemy import delete, func, insert, select, union_all
from sqlalchemy.engine import Connection, Engine

from bot import settings
from bot.commands import run_command
from bot.database import (
    ALERTS,
    CHECK_IN_ENROLMENTS,
    CHECK_IN_MESSAGES,
    ERASURES,
    EVENTS,
    FEEDBACK,
    HANDOFFS,
    LABELS,
    OUTBOX,
    database,
    erasure_log_database,
)
from bot.names import Channel, declared
from bot.rasa.channels import namespaced

SECONDS_PER_DAY = 86400
USAGE = "usage: make purge DAYS=30 | make erase SENDER=<conversation id>"


@dataclass(frozen=True)
class Removed:
    conversations: int
    events: int
    labels: int = 0
    replies: int = 0  # outbox rows

    def __str__(self) -> str:
        labels = f", {self.labels} label(s)" if self.labels else ""
        replies = f", {self.replies} outbox reply(ies)" if self.replies else ""
        return f"removed {self.conversations} conversation(s), {self.events} event(s){labels}{replies}"


def purge(engine: Engine, days: float, now: Optional[float] = None) -> Removed:
    """Removes the conversations whose last event is more than `days` old, and outbox replies as old."""
    if not math.isfinite(days) or days < 0:
        raise ValueError(f"a retention period must be 0 or more days, not {days}")
    cutoff = (now if now is not None else time.time()) - days * SECONDS_PER_DAY
    ended = func.coalesce(CHECK_IN_ENROLMENTS.c.stopped_at, CHECK_IN_ENROLMENTS.c.ends_at)
    with engine.begin() as connection:
        enrolled = select(CHECK_IN_ENROLMENTS.c.conversation_id).where(ended >= cutoff)
        last_events = (
            select(EVENTS.c.sender_id)
            .where(EVENTS.c.sender_id.not_in(enrolled))
            .group_by(EVENTS.c.sender_id)
            .having(func.max(EVENTS.c.timestamp) < cutoff)
        )
        senders = [row.sender_id for row in connection.execute(last_events)]
        over = [row.id for row in connection.execute(select(CHECK_IN_ENROLMENTS.c.id).where(ended < cutoff))]
        connection.execute(delete(CHECK_IN_MESSAGES).where(CHECK_IN_MESSAGES.c.enrolment_id.in_(over)))
        connection.execute(delete(CHECK_IN_ENROLMENTS).where(CHECK_IN_ENROLMENTS.c.id.in_(over)))
        events = replies = 0
        if senders:
            events = connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(senders))).rowcount
            connection.execute(delete(FEEDBACK).where(FEEDBACK.c.sender_id.in_(senders)))
            replies = connection.execute(delete(OUTBOX).where(OUTBOX.c.conversation_id.in_(senders))).rowcount
            connection.execute(delete(ALERTS).where(ALERTS.c.conversation_id.in_(senders)))
            connection.execute(delete(HANDOFFS).where(HANDOFFS.c.conversation_id.in_(senders)))
        connection.execute(delete(FEEDBACK).where(FEEDBACK.c.at < cutoff))
        connection.execute(delete(ALERTS).where(ALERTS.c.updated_at < cutoff))
        replies += connection.execute(delete(OUTBOX).where(OUTBOX.c.created_at < cutoff)).rowcount
    return Removed(len(senders), events, replies=replies)


@dataclass(frozen=True)
class ErasureLog:
    """Where erasures are recorded (ERASURE_LOG_URL): each conversation id as its HMAC-SHA256 with
    `key` (ERASURE_LOG_KEY), never the id, with the time."""

    engine: Engine
    key: bytes

    def digest(self, conversation_id: str) -> str:
        return hmac.new(self.key, conversation_id.encode(), hashlib.sha256).hexdigest()

    def record(self, conversation_ids: Collection[str], now: float) -> None:
        rows = [{"conversation_hash": self.digest(id_), "erased_at": now} for id_ in sorted(conversation_ids)]
        with self.engine.begin() as connection:
            connection.execute(insert(ERASURES), rows)

    def last_erased(self) -> Dict[str, float]:
        """When each conversation hash was last erased."""
        latest = select(ERASURES.c.conversation_hash, func.max(ERASURES.c.erased_at)).group_by(
            ERASURES.c.conversation_hash
        )
        with self.engine.connect() as connection:
            return {digest: at for digest, at in connection.execute(latest)}


def erasure_log() -> ErasureLog:
    """The erasure log ERASURE_LOG_URL names, keyed with ERASURE_LOG_KEY."""
    return ErasureLog(erasure_log_database(), settings.erasure_log_key())


def erase(engine: Engine, sender_id: str, log: ErasureLog) -> Removed:
    """Removes one patient's conversation: every event of that conversation id ("twilio:+1555...")
    or, for a provider's id without the channel ("+1555..."), of that id on every channel; the
    patient's feedback, the replies in the outbox, their check-in enrolments and messages, and the
    staff's labels of the patient's messages (the console exports the labels again, so they leave
    the reviewed training data too). The erasure is recorded in `log` first (also when nothing is
    found: a backup may hold the conversation), so none is ever done unrecorded."""
    ids = {sender_id, *(namespaced(channel, sender_id) for channel in declared(Channel))}
    log.record(ids, time.time())
    with engine.begin() as connection:
        return _remove(connection, ids)


# Each kind of record about a conversation: its conversation id and its time.
RECORDS = (
    (EVENTS.c.sender_id, EVENTS.c.timestamp),
    (FEEDBACK.c.sender_id, FEEDBACK.c.at),
    (OUTBOX.c.conversation_id, OUTBOX.c.created_at),
    (ALERTS.c.conversation_id, ALERTS.c.at),
    (HANDOFFS.c.conversation_id, HANDOFFS.c.started_at),
    (CHECK_IN_ENROLMENTS.c.conversation_id, CHECK_IN_ENROLMENTS.c.created_at),
)


def reapply_erasures(engine: Engine, log: ErasureLog) -> Removed:
    """Erases again, as `erase` does, every conversation whose earliest record here is older than its
    last erasure in `log` (a restored backup made before the erasure). A patient who wrote again
    after their erasure keeps what they wrote since: the erasure had removed everything older."""
    erased = log.last_erased()
    records = union_all(*(select(id_.label("id"), at.label("at")) for id_, at in RECORDS)).subquery()
    earliest = select(records.c.id, func.coalesce(func.min(records.c.at), 0)).group_by(records.c.id)  # no time: old
    with engine.begin() as connection:
        ids = {id_ for id_, at in connection.execute(earliest) if at < erased.get(log.digest(id_), -math.inf)}
        return _remove(connection, ids)


def _remove(connection: Connection, ids: Collection[str]) -> Removed:
    """Removes everything kept of these conversation ids (see `erase`)."""
    found = connection.execute(select(EVENTS.c.sender_id).where(EVENTS.c.sender_id.in_(ids)).distinct())
    conversations = len(found.all())
    texts = {
        str(row.text)
        for row in connection.execute(
            select(EVENTS.c.data.label("text")).where(EVENTS.c.sender_id.in_(ids), EVENTS.c.type_name == "user")
        )
    }
    messages = {json.loads(text).get("text") or "" for text in texts}
    labels = connection.execute(delete(LABELS).where(LABELS.c.text.in_(messages))).rowcount if messages else 0
    connection.execute(delete(FEEDBACK).where(FEEDBACK.c.sender_id.in_(ids)))
    replies = connection.execute(delete(OUTBOX).where(OUTBOX.c.conversation_id.in_(ids))).rowcount
    connection.execute(delete(ALERTS).where(ALERTS.c.conversation_id.in_(ids)))
    connection.execute(delete(HANDOFFS).where(HANDOFFS.c.conversation_id.in_(ids)))
    enrolments = select(CHECK_IN_ENROLMENTS.c.id).where(CHECK_IN_ENROLMENTS.c.conversation_id.in_(ids))
    connection.execute(delete(CHECK_IN_MESSAGES).where(CHECK_IN_MESSAGES.c.enrolment_id.in_(enrolments)))
    connection.execute(delete(CHECK_IN_ENROLMENTS).where(CHECK_IN_ENROLMENTS.c.conversation_id.in_(ids)))
    events = connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(ids))).rowcount
    return Removed(conversations, events, labels, replies)


def days_from(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"DAYS must be a number of days, not {text!r}") from None


def main(argv: List[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("purge", "erase") or not argv[1].strip():
        print(USAGE, file=sys.stderr)
        return 2
    command, value = argv

    def remove() -> Removed:
        return purge(database(), days_from(value)) if command == "purge" else erase(database(), value, erasure_log())

    return run_command(command, remove, ValueError, f". {USAGE}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
