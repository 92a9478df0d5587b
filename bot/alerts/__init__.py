"""Staff alerts: a person at the clinic hears of every warning sign a patient reports.

Every escalation (the assistant sent the patient to their surgeon or to emergency care) raises an
alert: its conversation, channel, the sign's category, the patient's message and when. A
conversation has one alert until the staff resolve it; a later escalation in it is added to that
alert (counted, its latest sign and message shown), so a patient who writes three times pages once.
Staff acknowledge an alert (someone is on it) and resolve it (done). While an alert is open, the
Rasa servers page the escalation list (bot/alerts/paging.py). Alerts from test traffic (the
evaluation, the release gate, load and fuzz tests) are marked as such and page nobody. Every step
is in the audit log; the patient's message is health information, purged and erased with the
conversation (bot/rasa/retention.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from statistics import median
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from bot import audit
from bot.database import ALERTS
from bot.timestamps import day_of, in_period, iso

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
STATES = (OPEN, ACKNOWLEDGED, RESOLVED)
URGENT, EMERGENCY = "urgent", "emergency"
ASSISTANT = "assistant"  # the audit log's user for what the assistant itself did
LIMIT = 500


@dataclass(frozen=True)
class Escalation:
    """One escalation: where, which sign, what the patient wrote (never logged) and when."""

    conversation_id: str
    channel: str
    sign: str
    urgency: str
    text: str
    message_at: float
    test_traffic: bool = False


class AlertStateError(RuntimeError):
    """The alert is not in a state that allows the step (e.g. resolving a resolved alert)."""


def _unresolved(conversation_id: str) -> Any:
    return (ALERTS.c.conversation_id == conversation_id) & (ALERTS.c.state != RESOLVED)


def raise_alert(engine: Engine, escalation: Escalation, paging: bool, now: Optional[float] = None) -> Optional[int]:
    """Adds the escalation to its conversation's unresolved alert, or raises a new one (paged at
    once if `paging` and not test traffic); returns the alert's id, or None if the escalation was
    already recorded (the conversation was saved again)."""
    now = time.time() if now is None else now
    with engine.begin() as connection:
        seen = connection.execute(
            select(func.max(ALERTS.c.message_at)).where(ALERTS.c.conversation_id == escalation.conversation_id)
        ).scalar_one()
        if seen is not None and seen >= escalation.message_at:
            return None
        row = connection.execute(select(ALERTS.c.id).where(_unresolved(escalation.conversation_id))).first()
        values = {
            "sign": escalation.sign,
            "text": escalation.text,
            "message_at": escalation.message_at,
            "updated_at": now,
        }
        if row is not None:
            connection.execute(
                update(ALERTS)
                .where(ALERTS.c.id == row.id)
                .values(**values, escalations=ALERTS.c.escalations + 1, urgency=_more_urgent(escalation.urgency))
            )
            alert_id, action = int(row.id), "alert_escalated_again"
        else:
            pages_now = paging and not escalation.test_traffic
            alert_id = int(
                connection.execute(
                    insert(ALERTS).values(
                        **values,
                        conversation_id=escalation.conversation_id,
                        channel=escalation.channel,
                        urgency=escalation.urgency,
                        escalations=1,
                        state=OPEN,
                        test_traffic=escalation.test_traffic,
                        at=now,
                        pages=0,
                        page_at=now if pages_now else None,
                    )
                ).inserted_primary_key[0]
            )
            action = "alert_raised"
    audit.record(engine, ASSISTANT, action, target(alert_id, escalation.conversation_id, escalation.sign))
    return alert_id


def _more_urgent(urgency: str) -> Any:
    """The alert's urgency after an escalation of `urgency`: an emergency stays one."""
    return EMERGENCY if urgency == EMERGENCY else ALERTS.c.urgency


def target(alert_id: int, conversation_id: str, detail: str = "") -> str:
    """How the audit log names an alert."""
    return f"alert {alert_id} ({conversation_id}{', ' + detail if detail else ''})"


def item(row: Any) -> Dict[str, Any]:
    """An alert as the console API shows it."""
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "channel": row.channel,
        "sign": row.sign,
        "urgency": row.urgency,
        "text": row.text,
        "at": iso(row.at),
        "last_at": iso(row.message_at),
        "escalations": row.escalations,
        "state": row.state,
        "acknowledged_by": row.acknowledged_by,
        "acknowledged_at": iso(row.acknowledged_at),
        "resolved_by": row.resolved_by,
        "resolved_at": iso(row.resolved_at),
        "pages": row.pages,
        "test_traffic": bool(row.test_traffic),
    }


def listing(engine: Engine, include_test: bool = False, limit: int = LIMIT) -> Dict[str, Any]:
    """Unresolved alerts first (emergencies, then the oldest), then the latest resolved ones; and
    how many are open (not yet acknowledged) and unresolved."""
    shown = ALERTS.c.test_traffic.is_(False) if not include_test else ALERTS.c.id.isnot(None)
    with engine.connect() as connection:
        rows = connection.execute(
            select(ALERTS)
            .where(shown)
            .order_by(
                (ALERTS.c.state == RESOLVED).asc(),
                (ALERTS.c.urgency == EMERGENCY).desc(),
                ALERTS.c.at.asc(),
            )
            .limit(limit)
        ).all()
    unresolved = [r for r in rows if r.state != RESOLVED]
    resolved = sorted((r for r in rows if r.state == RESOLVED), key=lambda r: -(r.resolved_at or 0))
    return {
        "alerts": [item(r) for r in unresolved + resolved],
        "open": sum(r.state == OPEN for r in unresolved),
        "unresolved": len(unresolved),
    }


def counts(engine: Engine) -> Tuple[int, int, float]:
    """(open, unresolved, the latest change) of the alerts that are not test traffic: what the
    console's live queue watches."""
    with engine.connect() as connection:
        row = connection.execute(
            select(
                func.count().filter(ALERTS.c.state == OPEN),
                func.count().filter(ALERTS.c.state != RESOLVED),
                func.max(ALERTS.c.updated_at),
            ).where(ALERTS.c.test_traffic.is_(False))
        ).one()
    return int(row[0]), int(row[1]), float(row[2] or 0)


def _step(
    engine: Engine, alert_id: int, username: str, allowed_from: Tuple[str, ...], values: Dict[str, Any]
) -> Dict[str, Any]:
    now = time.time()
    with engine.begin() as connection:
        row = _row(connection, alert_id)
        done = connection.execute(
            update(ALERTS)
            .where(ALERTS.c.id == alert_id, ALERTS.c.state.in_(allowed_from))
            .values(**values, updated_at=now, page_at=None)
        )
        if done.rowcount != 1:
            raise AlertStateError(f"this alert is {row.state} already")
        row = _row(connection, alert_id)
    action = "alert_acknowledged" if values["state"] == ACKNOWLEDGED else "alert_resolved"
    audit.record(engine, username, action, target(alert_id, row.conversation_id))
    return item(row)


def _row(connection: Connection, alert_id: int) -> Any:
    row = connection.execute(select(ALERTS).where(ALERTS.c.id == alert_id)).first()
    if row is None:
        raise LookupError("no such alert (its conversation may have been erased or purged)")
    return row


def acknowledge(engine: Engine, alert_id: int, username: str) -> Dict[str, Any]:
    """Someone is on it: paging stops."""
    now = time.time()
    values = {"state": ACKNOWLEDGED, "acknowledged_by": username, "acknowledged_at": now}
    return _step(engine, alert_id, username, (OPEN,), values)


def resolve(engine: Engine, alert_id: int, username: str) -> Dict[str, Any]:
    """Done; an open alert may be resolved at once (it counts as acknowledged then too)."""
    now = time.time()
    with engine.connect() as connection:
        row = _row(connection, alert_id)
    values: Dict[str, Any] = {"state": RESOLVED, "resolved_by": username, "resolved_at": now}
    if row.acknowledged_at is None:
        values.update(acknowledged_by=username, acknowledged_at=now)
    return _step(engine, alert_id, username, (OPEN, ACKNOWLEDGED), values)


def daily(engine: Engine, since: Optional[float], until: Optional[float]) -> List[Dict[str, Any]]:
    """Alerts per day (UTC) and the median minutes to acknowledge them, for the dashboard."""
    conditions = [ALERTS.c.test_traffic.is_(False), *in_period(ALERTS.c.at, since, until)]
    with engine.connect() as connection:
        rows = connection.execute(select(ALERTS.c.at, ALERTS.c.acknowledged_at).where(*conditions)).all()
    days: Dict[str, List[Optional[float]]] = {}
    for row in rows:
        day = day_of(row.at)
        waited = None if row.acknowledged_at is None else (row.acknowledged_at - row.at) / 60
        days.setdefault(day, []).append(waited)
    return [
        {"date": day, "alerts": len(waits), "median_minutes_to_acknowledge": _median(waits)}
        for day, waits in sorted(days.items())
    ]


def _median(waits: List[Optional[float]]) -> Optional[float]:
    known = [w for w in waits if w is not None]
    return round(median(known), 1) if known else None
