"""Enrolling many patients at once from a CSV file the clinic exported (the console's
POST /api/enrolments/import): one row per patient, with the header
channel,address,procedure,surgery_date,timezone,hour,consent. Each row is enrolled or refused on
its own, with its line number and the reason; consent is "yes" or "true" (the staff member
importing the file records it)."""

from __future__ import annotations

import csv
import io
from typing import Any, Dict, List, Optional

from sqlalchemy.engine import Engine

from bot import check_ins
from bot.timelines.data import TimelineData

COLUMNS = ("channel", "address", "procedure", "surgery_date", "timezone", "hour", "consent")
YES = ("yes", "true", "y", "1")
MAX_ROWS = 1000


def request_of(row: Dict[str, Optional[str]]) -> check_ins.Request:
    """A row's enrolment request (an unreadable hour is passed on, to be refused with the reason)."""
    hour_text = (row.get("hour") or "").strip()
    hour: Any = int(hour_text) if hour_text.isdigit() else hour_text
    return check_ins.Request(
        **{field: (row.get(key) or "").strip() for field, key in check_ins.REQUEST_FIELDS.items()},
        hour=hour,
        consent=(row.get("consent") or "").strip().lower() in YES,
    )


def enrol_rows(
    engine: Engine,
    text: str,
    timelines: TimelineData,
    schedule: check_ins.Schedule,
    staff: str,
    now: Optional[float] = None,
) -> Dict[str, List[Any]]:
    """Enrols every row of the CSV text: {enrolled: [ids], refused: [{line, error}]}."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise check_ins.EnrolmentError(
            f"the CSV lacks the column(s) {', '.join(missing)}: its first line must be {','.join(COLUMNS)}"
        )
    enrolled: List[int] = []
    refused: List[Dict[str, Any]] = []
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise check_ins.EnrolmentError(f"the CSV has more than {MAX_ROWS} rows: split it")
        try:
            enrolled.append(check_ins.enrol(engine, request_of(row), timelines, schedule, staff, now=now))
        except check_ins.EnrolmentError as reason:
            refused.append({"line": number, "error": str(reason)})
    return {"enrolled": enrolled, "refused": refused}
