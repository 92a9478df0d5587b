"""What a check-in says: utter_check_in (domain.yml) filled with the rows of data/timelines.yml
for that day after surgery: the recovery phase (typical, avoid, start) and the procedure's
milestones, each citing its passages; the template itself cites the warning signs it asks about.
Ranges are written "2 to 6" rather than with the guide's en dash: one character outside the GSM
alphabet turns a whole SMS into UCS-2, which fits 67 characters per part instead of 153."""

from __future__ import annotations

import re

from bot.names import Entity, Response
from bot.timelines.advice import Reply, describe_elapsed, phase_at
from bot.timelines.data import TimelineData

EN_DASH_RANGE = re.compile(r"(\d)\s*–\s*(\d)")


def plain_ranges(text: str) -> str:
    """'2–6 weeks' as '2 to 6 weeks'."""
    return EN_DASH_RANGE.sub(r"\1 to \2", text)


def check_in(timelines: TimelineData, procedure_id: str, day: int) -> Reply:
    """The check-in for `day` days after surgery for a procedure with a timeline."""
    procedure = timelines.procedure(procedure_id)
    if procedure is None or not procedure.covered:
        raise ValueError(f"procedure {procedure_id!r} has no timeline in data/timelines.yml")
    phase = phase_at(timelines.phases, day / 7)
    milestones = [m for m in procedure.milestones if m.level is None] or list(procedure.milestones)
    variables = {
        "elapsed": describe_elapsed(day / 7),
        "procedure_label": procedure.label,
        "typical": plain_ranges(phase.typical),
        "avoid": plain_ranges(phase.avoid),
        "start": plain_ranges(phase.start),
        "milestones": plain_ranges(" ".join(m.text for m in milestones)),
    }
    cites = tuple(dict.fromkeys([*phase.cites, *(c for m in milestones for c in m.cites)]))
    about = {Entity.PROCEDURE: procedure.id, Entity.RECOVERY_PHASE: phase.id}
    return Reply(Response.CHECK_IN, variables, cites, about)
