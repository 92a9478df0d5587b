"""The audit log: who opened, erased, trained, promoted or rolled back what, who acknowledged or
resolved an alert, whom the assistant paged, and when (the staff console lists it)."""

from __future__ import annotations

import time
from typing import Any, Dict, List

from sqlalchemy import desc, insert, select
from sqlalchemy.engine import Engine

from bot.database import AUDIT
from bot.timestamps import iso


def record(engine: Engine, username: str, action: str, target: str) -> None:
    with engine.begin() as connection:
        connection.execute(insert(AUDIT).values(at=time.time(), username=username, action=action, target=target))


def entries(engine: Engine, limit: int = 500) -> List[Dict[str, Any]]:
    """The newest entries first."""
    with engine.connect() as connection:
        rows = connection.execute(select(AUDIT).order_by(desc(AUDIT.c.id)).limit(limit))
        return [{"at": iso(r.at), "user": r.username, "action": r.action, "target": r.target} for r in rows]
