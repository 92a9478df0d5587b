"""Timestamps as the staff see them: ISO 8601 in UTC, and the UTC day; a period's conditions."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, List, Optional


def iso(timestamp: Optional[float]) -> Optional[str]:
    """A timestamp as the console's API shows it: ISO 8601, UTC."""
    return None if timestamp is None else datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds")


def day_of(timestamp: float) -> str:
    """The UTC day of a timestamp, as YYYY-MM-DD."""
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")


def in_period(column: Any, since: Optional[float], until: Optional[float]) -> List[Any]:
    """The conditions selecting rows whose `column` falls in [since, until) (either may be open)."""
    return [*([column >= since] if since is not None else []), *([column < until] if until is not None else [])]
