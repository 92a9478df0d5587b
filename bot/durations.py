"""Durations as ISO 8601 ("P5W", "P10D"): what the language pipeline writes into the
time_since_surgery entity and the timeline actions read, with the one table of unit lengths."""

from __future__ import annotations

import re
from typing import Optional, Tuple

DAYS_PER_UNIT = {"D": 1.0, "W": 7.0, "M": 30.44, "Y": 365.25}
WEEKS_PER_MONTH = DAYS_PER_UNIT["M"] / DAYS_PER_UNIT["W"]

_DURATION = re.compile(r"^P(-?\d+)([DWMY])$")


def to_iso(amount: float, unit: str) -> str:
    """ "P5W" for 5 weeks; a fraction becomes whole days ("1.5 weeks" -> "P10D")."""
    if amount == int(amount):
        return f"P{int(amount)}{unit}"
    return f"P{round(amount * DAYS_PER_UNIT[unit])}D"


def from_iso(value: str) -> Optional[Tuple[int, str]]:
    """(amount, unit) of "P5W" -> (5, "W"); None if the value is not such a duration."""
    match = _DURATION.match(value or "")
    return (int(match.group(1)), match.group(2)) if match else None


def in_days(amount: float, unit: str) -> float:
    return amount * DAYS_PER_UNIT[unit]
