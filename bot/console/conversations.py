"""Conversations as the staff see them, read from Rasa's events in the conversation database.

A patient message and the bot messages after it form an exchange; its outcome follows from the
responses that answered it (bot/outcomes.py). Each bot message names the model that produced it
(Rasa's model id in its metadata).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Engine

from bot import handoffs
from bot.database import EVENTS, FEEDBACK
from bot.names import FAQ_PREFIX, Intent, Metadata
from bot.outcomes import outcome_of
from bot.rasa.channels import channel_of
from bot.sources import source_line
from bot.timestamps import iso

FEEDBACK_OUTCOME = "feedback"  # a filter next to the outcomes: the patient rated an answer


@dataclass
class BotTurn:
    at: float
    text: str
    response: str
    cites: List[str]
    model_id: str
    staff: str = ""  # the staff member who wrote it (bot/rasa/staff.py); "" for the assistant


@dataclass
class Exchange:
    """A patient message and the bot messages that answered it."""

    conversation_id: str
    at: float
    text: str
    intent: str
    intent_confidence: Optional[float]
    answer_confidence: Optional[float]
    replies: List[BotTurn] = field(default_factory=list)

    @property
    def responses(self) -> List[str]:
        return [r.response for r in self.replies]

    @property
    def outcome(self) -> Optional[str]:
        return outcome_of(self.responses)

    @property
    def from_patient(self) -> bool:
        """Typed by the patient (not a button's or a channel's "/intent{...}" payload)."""
        return not self.text.startswith("/")


def _user_exchange(conversation_id: str, at: float, event: Dict[str, Any]) -> Exchange:
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    selector = ((parse.get("response_selector") or {}).get(Intent.FAQ) or {}).get("response") or {}
    return Exchange(
        conversation_id=conversation_id,
        at=at,
        text=str(event.get("text") or ""),
        intent=str(intent.get("name") or ""),
        intent_confidence=intent.get("confidence"),
        answer_confidence=selector.get("confidence") if intent.get("name") == Intent.FAQ else None,
    )


def _bot_turn(at: float, event: Dict[str, Any]) -> BotTurn:
    metadata = event.get("metadata") or {}
    return BotTurn(
        at=at,
        text=str(event.get("text") or ""),
        response=str(metadata.get("utter_action") or ""),
        cites=list((metadata.get("metadata") or {}).get("cites") or []),
        model_id=str(metadata.get("model_id") or ""),
        staff=str(metadata.get(Metadata.STAFF) or ""),
    )


def exchanges_of(rows: Iterable[Any]) -> Iterator[Exchange]:
    """Exchanges from event rows (sender_id, type_name, timestamp, data), ordered by conversation
    and time; bot messages before a conversation's first patient message are skipped."""
    current: Optional[Exchange] = None
    for row in rows:
        if current is not None and row.sender_id != current.conversation_id:
            yield current
            current = None
        if row.type_name == "user":
            if current is not None:
                yield current
            current = _user_exchange(row.sender_id, row.timestamp, json.loads(row.data))
        elif row.type_name == "bot" and current is not None:
            current.replies.append(_bot_turn(row.timestamp, json.loads(row.data)))
    if current is not None:
        yield current


def _within(at: Any, sender: Any, since: Optional[float], until: Optional[float], conversation_id: str) -> List[Any]:
    """The conditions selecting rows in [since, until) (of one conversation, if given)."""
    conditions = []
    if since is not None:
        conditions.append(at >= since)
    if until is not None:
        conditions.append(at < until)
    if conversation_id:
        conditions.append(sender == conversation_id)
    return conditions


def exchanges(
    engine: Engine, since: Optional[float] = None, until: Optional[float] = None, conversation_id: str = ""
) -> List[Exchange]:
    """Every exchange whose patient message falls in [since, until) (of one conversation, if given)."""
    conditions = [
        EVENTS.c.type_name.in_(("user", "bot")),
        *_within(EVENTS.c.timestamp, EVENTS.c.sender_id, since, until, conversation_id),
    ]
    query = (
        select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
        .where(and_(*conditions))
        .order_by(EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.id)
    )
    with engine.connect() as connection:
        return list(exchanges_of(connection.execute(query)))


def feedback(
    engine: Engine, since: Optional[float] = None, until: Optional[float] = None, conversation_id: str = ""
) -> List[Dict[str, Any]]:
    conditions = _within(FEEDBACK.c.at, FEEDBACK.c.sender_id, since, until, conversation_id)
    with engine.connect() as connection:
        rows = connection.execute(select(FEEDBACK).where(and_(True, *conditions)).order_by(FEEDBACK.c.at))
        return [dict(row._mapping) for row in rows]


def rated_exchange(items: Sequence[Exchange], rating: Dict[str, Any]) -> Optional[Exchange]:
    """The exchange whose reply the patient rated: the latest one before the rating with that text."""
    matching = [
        e
        for e in items
        if e.conversation_id == rating["sender_id"]
        and e.at <= rating["at"]
        and any(rating["reply_text"] in r.text for r in e.replies)
    ]
    return matching[-1] if matching else None


def summaries(
    engine: Engine, since: Optional[float], until: Optional[float], channel: str = "", outcome: str = ""
) -> List[Dict[str, Any]]:
    """One line per conversation with a message in the period, newest first, filtered by channel
    and outcome (an outcome of any exchange; "feedback": the patient rated an answer)."""
    items = exchanges(engine, since, until)
    rated = {r["sender_id"] for r in feedback(engine, since, until)}
    by_conversation: Dict[str, List[Exchange]] = {}
    for item in items:
        by_conversation.setdefault(item.conversation_id, []).append(item)
    lines = []
    for conversation_id, its in by_conversation.items():
        outcomes = sorted(
            {o for o in (e.outcome for e in its) if o} | ({FEEDBACK_OUTCOME} if conversation_id in rated else set())
        )
        if channel and channel_of(conversation_id) != channel:
            continue
        if outcome and outcome not in outcomes:
            continue
        lines.append(
            {
                "id": conversation_id,
                "channel": channel_of(conversation_id),
                "started_at": iso(its[0].at),
                "last_at": iso(its[-1].at),
                "messages": len(its),
                "outcomes": outcomes,
            }
        )
    return sorted(lines, key=lambda line: str(line["last_at"]), reverse=True)


def passage_title(passage_id: str) -> str:
    """ "<article title> (<section>)", as patients see it under an answer."""
    return source_line([passage_id]).removeprefix("Source: ") or passage_id


def opening(engine: Engine, conversation_id: str) -> List[BotTurn]:
    """The bot messages before the patient's first message: the clinic wrote first (a check-in)."""
    first = select(func.min(EVENTS.c.timestamp)).where(
        EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name == "user"
    )
    query = (
        select(EVENTS.c.timestamp, EVENTS.c.data)
        .where(
            EVENTS.c.sender_id == conversation_id,
            EVENTS.c.type_name == "bot",
            or_(first.scalar_subquery().is_(None), EVENTS.c.timestamp < first.scalar_subquery()),
        )
        .order_by(EVENTS.c.timestamp, EVENTS.c.id)
    )
    with engine.connect() as connection:
        return [_bot_turn(row.timestamp, json.loads(row.data)) for row in connection.execute(query)]


def transcript(engine: Engine, conversation_id: str) -> Optional[Dict[str, Any]]:
    """Every message of a conversation, with what staff need to judge each bot turn (and the
    messages the clinic sent before the patient first wrote)."""
    items, first = exchanges(engine, conversation_id=conversation_id), opening(engine, conversation_id)
    if not items and not first:
        return None
    ratings = feedback(engine, conversation_id=conversation_id)
    turns: List[Dict[str, Any]] = [
        {
            "at": iso(reply.at),
            "from": "bot",
            "text": reply.text,
            "response": reply.response,
            "cites": [{"id": c, "title": passage_title(c)} for c in reply.cites],
        }
        for reply in first
    ]
    for item in items:
        turns.append({"at": iso(item.at), "from": "patient", "text": item.text})
        for reply in item.replies:
            if reply.staff:
                turns.append({"at": iso(reply.at), "from": "staff", "staff": reply.staff, "text": reply.text})
                continue
            turns.append(
                {
                    "at": iso(reply.at),
                    "from": "bot",
                    "text": reply.text,
                    "response": reply.response,
                    "intent": item.intent,
                    "intent_confidence": item.intent_confidence,
                    "answer_confidence": item.answer_confidence,
                    "cites": [{"id": c, "title": passage_title(c)} for c in reply.cites],
                    "model_id": reply.model_id,
                    "outcome": outcome_of([reply.response]),
                    "feedback": next((r["rating"] for r in reversed(ratings) if r["reply_text"] in reply.text), None),
                }
            )
    with_staff = handoffs.active(engine, conversation_id)
    return {
        "id": conversation_id,
        "channel": channel_of(conversation_id),
        "with_staff": with_staff.as_dict() if with_staff else None,
        "turns": turns,
    }


def faq_key(response: str) -> Optional[str]:
    return response[len(FAQ_PREFIX) :] if response.startswith(FAQ_PREFIX) else None
