"""The outbox: every reply of the messaging channels is written to the conversation database
(table `channel_outbox`) before it is sent, and what became of it is kept there (bot/outcomes.py
DELIVERY_STATUSES) until the conversation is erased or purged (bot/rasa/retention.py).

A turn's replies go out escalation first (utter_red_flag*, an ESCALATED outcome), then in order;
the next reply waits for one attempt of the one before, never for its retries. A reply is tried
again after RETRY_DELAYS_SECONDS only when it certainly did not arrive (provider.Unreachable). One
the provider refused is `failed`; one that went out without an answer is `unknown` and is not sent
again by itself (the providers take no idempotency key: a patient would get it twice). Both are
lost replies: logged with the conversation's pseudonym (an escalation's as critical), counted
(bot/metrics.py; also on the channel's health page), and listed in the staff console, where an
admin may queue one again.

Each attempt first claims its reply (pending -> sending, only if still pending), so two servers
never both send it. Every SWEEP_SECONDS, from its start, each server sends the pending replies
nobody claimed for CLAIM_GRACE_SECONDS (a server died before sending them, or staff queued them
again), marks `unknown` those a server was still sending long after its call timed out (it died
mid-call), and `failed` those due for longer than REPLY_MAX_DELAY_SECONDS (every server was down:
an answer that late would arrive out of its conversation's context; staff may send it again).
If the database fails, a reply is sent anyway, unrecorded: better than none.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Callable, Dict, List, Optional, Set, Text, TypeVar

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from bot import logs, metrics, outcomes, settings
from bot.database import OUTBOX, database
from bot.rasa import timer
from bot.rasa.channels import provider

logger = logging.getLogger(__name__)

T = TypeVar("T")

CLAIM_GRACE_SECONDS = 5.0
SWEEP_SECONDS = 5.0
ABANDONED_AFTER_TIMEOUT_SECONDS = 60.0  # a reply still "sending" this long after its call timed out
ABANDONED = "its server stopped while sending it"
TOO_LATE = "not sent in time: no server was running"
PROBLEM_LENGTH = 128  # the outbox's problem column
RESPONSE_KEY = "utter_action"  # where Rasa names the response of a bot message
_running: Set["asyncio.Task[None]"] = set()  # retries in the background, referenced until done


def reference(conversation_id: str) -> str:
    """The conversation's pseudonym in logs and the console: a short keyed hash, never its id."""
    return hmac.new(settings.session_secret(), conversation_id.encode(), hashlib.sha256).hexdigest()[:12]


def is_escalation(message: Dict[str, Any]) -> bool:
    return outcomes.of_response(str(message.get(RESPONSE_KEY) or "")) == outcomes.ESCALATED


class TurnReplies(CollectingOutputChannel):
    """Collects a turn's replies as Rasa's collecting channel does, each with its response's name."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        first, response = len(self.messages), message.get(RESPONSE_KEY)
        await super().send_response(recipient_id, message)
        for reply in self.messages[first:]:
            reply[RESPONSE_KEY] = response


@dataclass(frozen=True)
class Reply:
    """A reply to send: its outbox row (None if the database could not record it) and payload."""

    id: Optional[int]
    reference: str
    recipient: str
    message: Dict[str, Any]
    escalation: bool


def reply_of(row: Any) -> Reply:
    payload = json.loads(row.payload)
    return Reply(row.id, row.reference, payload["recipient"], payload["message"], row.escalation)


def turn(conversation_id: str, recipient: str, messages: List[Dict[str, Any]]) -> List[Reply]:
    """A turn's replies (TurnReplies.messages) as they are sent: escalations first, not recorded yet."""
    pseudonym = reference(conversation_id)
    replies = [
        Reply(
            None,
            pseudonym,
            recipient,
            {k: v for k, v in message.items() if k not in ("recipient_id", RESPONSE_KEY) and v},
            is_escalation(message),
        )
        for message in messages
    ]
    return sorted(replies, key=lambda reply: not reply.escalation)


def record(engine: Engine, channel: str, conversation_id: str, replies: List[Reply]) -> List[Reply]:
    """Writes replies, pending; returns them with their rows' ids."""
    now, recorded = time.time(), []
    with engine.begin() as connection:
        for reply in replies:
            row = insert(OUTBOX).values(
                conversation_id=conversation_id,
                channel=channel,
                reference=reply.reference,
                payload=json.dumps({"recipient": reply.recipient, "message": reply.message}),
                escalation=reply.escalation,
                status=outcomes.PENDING,
                attempts=0,
                created_at=now,
                updated_at=now,
                claimable_at=now + CLAIM_GRACE_SECONDS,
            )
            recorded.append(dataclasses.replace(reply, id=connection.execute(row).inserted_primary_key[0]))
    return recorded


def claim(engine: Engine, reply_id: int) -> bool:
    """Takes a pending reply for one attempt; False if another server has taken it."""
    with engine.begin() as connection:
        taken = connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == reply_id, OUTBOX.c.status == outcomes.PENDING)
            .values(status=outcomes.SENDING, attempts=OUTBOX.c.attempts + 1, updated_at=time.time())
        )
        return taken.rowcount == 1


def settle(engine: Engine, reply_id: int, status: str, problem: Optional[str] = None, retry_in: float = 0) -> None:
    """Records what became of the attempt this server claimed (pending again: after `retry_in` s)."""
    now = time.time()
    with engine.begin() as connection:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == reply_id, OUTBOX.c.status == outcomes.SENDING)
            .values(
                status=status,
                problem=problem and problem[:PROBLEM_LENGTH],
                updated_at=now,
                claimable_at=now + retry_in + CLAIM_GRACE_SECONDS,
            )
        )


def due(engine: Engine, channel: str) -> List[Reply]:
    """The channel's pending replies nobody claimed in time, escalations first."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(OUTBOX)
            .where(
                OUTBOX.c.channel == channel,
                OUTBOX.c.status == outcomes.PENDING,
                OUTBOX.c.claimable_at <= time.time(),
            )
            .order_by(OUTBOX.c.escalation.desc(), OUTBOX.c.id)
        )
        return [reply_of(row) for row in rows]


def collect(engine: Engine, channel: str, conversation_id: str) -> List[Dict[str, Any]]:
    """Takes the conversation's pending messages of a channel that cannot be sent to (REST: the
    client's next request carries them), marked sent; the messages, oldest first."""
    waiting = (OUTBOX.c.channel == channel, OUTBOX.c.conversation_id == conversation_id)
    taken = []
    with engine.begin() as connection:
        for row in connection.execute(select(OUTBOX).where(*waiting, OUTBOX.c.status == outcomes.PENDING)).all():
            claimed = connection.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id == row.id, OUTBOX.c.status == outcomes.PENDING)
                .values(status=outcomes.SENT, attempts=1, updated_at=time.time())
            ).rowcount
            if claimed:
                taken.append(reply_of(row).message)
    return taken


def _mark_lost(engine: Engine, channel: str, was: str, stale: Any, status: str, problem: str) -> List[Reply]:
    """Marks the channel's replies in status `was` matching `stale` with `status` and `problem` (each
    row only if it still matches, so two servers never both mark it); returns those this call marked."""
    still = (OUTBOX.c.channel == channel, OUTBOX.c.status == was, stale)
    with engine.begin() as connection:
        marked = [
            row
            for row in connection.execute(select(OUTBOX).where(*still)).all()
            if connection.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id == row.id, *still)
                .values(status=status, problem=problem, updated_at=time.time())
            ).rowcount
        ]
    return [reply_of(row) for row in marked]


def abandoned(engine: Engine, channel: str) -> List[Reply]:
    """Marks `unknown` the channel's replies whose server died while sending them; returns them."""
    cutoff = time.time() - settings.provider_call_timeout_seconds() - ABANDONED_AFTER_TIMEOUT_SECONDS
    return _mark_lost(engine, channel, outcomes.SENDING, OUTBOX.c.updated_at < cutoff, outcomes.UNKNOWN, ABANDONED)


def too_late(engine: Engine, channel: str) -> List[Reply]:
    """Marks `failed` the channel's pending replies due for longer than REPLY_MAX_DELAY_SECONDS."""
    cutoff = time.time() - settings.reply_max_delay_seconds()
    return _mark_lost(engine, channel, outcomes.PENDING, OUTBOX.c.claimable_at < cutoff, outcomes.FAILED, TOO_LATE)


def counts(channel: str) -> Dict[str, int]:
    """How many of this channel's replies were sent, retried, failed or unknown since the server
    started (bot/metrics.py counts them)."""
    label = metrics.channel(channel)
    return {
        "sent": metrics.counted("channel_replies", channel=label, outcome=outcomes.SENT),
        "retried": metrics.counted("channel_retries", channel=label),
        **{lost: metrics.counted("channel_replies", channel=label, outcome=lost) for lost in outcomes.LOST},
    }


class Outbox:
    """One channel's replies: sent through its output channel, recorded in `engine` (the
    conversation database unless given)."""

    def __init__(self, channel: str, output: OutputChannel, engine: Optional[Engine] = None) -> None:
        self.channel, self.output, self.engine = channel, output, engine
        self.closed = False  # the provider refused (403) to message a recipient of the last `send`

    async def _database(self, work: Callable[..., T], *args: Any, unavailable: T) -> T:
        """Runs database work in a thread; `unavailable` if the database fails (logged)."""
        try:
            return await asyncio.get_running_loop().run_in_executor(
                None, lambda: work(self.engine or database(), *args)
            )
        except Exception as error:
            logger.error("%s: the outbox's database failed (%s)", self.channel, logs.reason(error))
            return unavailable

    async def send(self, conversation_id: str, recipient: str, messages: List[Dict[str, Any]]) -> bool:
        """Records a turn's replies (TurnReplies.messages), then sends them, escalations first;
        False if the provider refused to message the recipient at all (HTTP 403: the private chat
        is closed to the assistant)."""
        self.closed = False
        replies = turn(conversation_id, recipient, messages)
        if replies:
            await self._send_all(
                await self._database(record, self.channel, conversation_id, replies, unavailable=replies)
            )
        return not self.closed

    async def _send_all(self, replies: List[Reply]) -> None:
        """One attempt each, in order; the retries of those that certainly did not arrive go on
        in the background."""
        for reply in replies:
            problem = await self._attempt(reply)
            if problem:
                task = asyncio.create_task(self._retry(reply, problem))
                _running.add(task)
                task.add_done_callback(_running.discard)

    async def _settle(self, reply: Reply, status: str, problem: Optional[str] = None, retry_in: float = 0) -> None:
        if reply.id is not None:
            await self._database(settle, reply.id, status, problem, retry_in, unavailable=None)

    async def _attempt(self, reply: Reply) -> str:
        """One attempt, if this server can claim the reply; why it certainly did not arrive, if it
        did not ("" otherwise: sent, lost, or another server's)."""
        if reply.id is not None and not await self._database(claim, reply.id, unavailable=True):
            return ""
        try:
            await self.output.send_response(reply.recipient, dict(reply.message))
        except provider.Unreachable as error:
            logger.warning("%s: a reply to conversation %s did not arrive (%s)", self.channel, reply.reference, error)
            return str(error)
        except provider.Refused as error:
            self.closed = self.closed or error.status == HTTPStatus.FORBIDDEN
            await self._lose(reply, outcomes.FAILED, str(error))
        except provider.NoAnswer as error:
            await self._lose(reply, outcomes.UNKNOWN, str(error))
        except Exception as error:  # unforeseen (its message might quote the reply): it may have gone out
            await self._lose(reply, outcomes.UNKNOWN, type(error).__name__)
        else:
            metrics.CHANNEL_REPLIES.labels(metrics.channel(self.channel), outcomes.SENT).inc()
            await self._settle(reply, outcomes.SENT)
        return ""

    async def _retry(self, reply: Reply, problem: str) -> None:
        for delay in provider.RETRY_DELAYS_SECONDS:
            metrics.CHANNEL_RETRIES.labels(metrics.channel(self.channel)).inc()
            await self._settle(reply, outcomes.PENDING, retry_in=delay)
            await asyncio.sleep(delay)
            problem = await self._attempt(reply)
            if not problem:
                return
        await self._lose(reply, outcomes.FAILED, problem)

    async def _lose(self, reply: Reply, status: str, problem: str) -> None:
        await self._settle(reply, status, problem)
        lost(self.channel, reply, status, problem)

    async def sweep(self) -> None:
        """Sends the pending replies nobody claimed in time; marks those abandoned mid-call unknown and
        those too late to send failed."""
        none: List[Reply] = []
        for reply in await self._database(abandoned, self.channel, unavailable=none):
            lost(self.channel, reply, outcomes.UNKNOWN, ABANDONED)
        for reply in await self._database(too_late, self.channel, unavailable=none):
            lost(self.channel, reply, outcomes.FAILED, TOO_LATE)
        await self._send_all(await self._database(due, self.channel, unavailable=none))

    def sweep_regularly(self, app: Any) -> None:
        """Sweeps now, then every SWEEP_SECONDS, on the app's timer."""
        timer.every(app, SWEEP_SECONDS, f"{self.channel}: outbox sweep", self.sweep, at_once=True)


def lost(channel: str, reply: Reply, status: str, problem: str) -> None:
    """Tells of a lost reply: counted, and logged with the conversation's pseudonym (an escalation
    as critical: the staff console shows it first)."""
    metrics.CHANNEL_REPLIES.labels(metrics.channel(channel), status).inc()
    if reply.escalation:
        metrics.LOST_ESCALATIONS.labels(metrics.channel(channel)).inc()
    logger.log(
        logging.CRITICAL if reply.escalation else logging.ERROR,
        "%s: %s to conversation %s lost (%s: %s); it is listed in the staff console",
        channel,
        "an ESCALATION" if reply.escalation else "a reply",
        reply.reference,
        status,
        problem,
    )
