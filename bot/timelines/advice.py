"""Tailored recovery advice: plain functions from what the patient said to cited replies.

Each function returns the Replies to send: the domain.yml response, the values for its
{variables}, the passages it rests on and what it is about (procedure, level, phase or activity,
sent as metadata for analytics and evaluation). The wording lives in domain.yml; the facts come
from data/timelines.yml rows; this module only decides which rows apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Dict, List, Optional, Sequence, Tuple, Union

from bot.durations import from_iso, in_days
from bot.names import Entity, Response
from bot.timelines.data import OK, Activity, Milestone, Phase, Procedure, Window

# The guide covers the months after surgery; a surgery longer ago than this gets utter_time_too_long.
MAX_YEARS_SINCE_SURGERY = 5

_DATE = re.compile(r"^(\d{4}|-)-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Reply:
    """A response from domain.yml, the values of its variables, the passages it cites, what it is
    about, and buttons to offer."""

    response: str
    variables: Dict[str, str] = field(default_factory=dict)
    cites: Tuple[str, ...] = ()
    about: Dict[str, str] = field(default_factory=dict)
    buttons: Tuple[Dict[str, str], ...] = ()


FUTURE, TOO_LONG, UNREADABLE = "future", "too_long", "unreadable"


@dataclass(frozen=True)
class TimeProblem:
    """Why a time since surgery cannot be used: FUTURE, TOO_LONG or UNREADABLE."""

    reason: str


def surgery_date(value: str, said_on: date) -> Union[date, TimeProblem]:
    """The surgery date from a slot value ("P5W" said on a day, "--10-03", "2025-10-03")."""
    duration = from_iso(value)
    if duration:
        amount, unit = duration
        if amount < 0:
            return TimeProblem(UNREADABLE)
        if in_days(amount, unit) > in_days(MAX_YEARS_SINCE_SURGERY, "Y"):
            return TimeProblem(TOO_LONG)  # "3000 years ago": no date to compute
        return said_on - timedelta(days=round(in_days(amount, unit)))
    match = _DATE.match(value or "")
    if not match:
        return TimeProblem(UNREADABLE)
    year = said_on.year if match.group(1) == "-" else int(match.group(1))
    try:
        return date(year, int(match.group(2)), int(match.group(3)))
    except ValueError:
        return TimeProblem(UNREADABLE)


def weeks_since(surgery: date, today: date) -> Union[float, TimeProblem]:
    days = (today - surgery).days
    if days < 0:
        return TimeProblem(FUTURE)
    if days > in_days(MAX_YEARS_SINCE_SURGERY, "Y"):
        return TimeProblem(TOO_LONG)
    return days / 7


def describe_elapsed(weeks: float) -> str:
    """ "3 days", "1 week", "5 weeks": how long ago the surgery was, in plain words."""
    days = round(weeks * 7)
    if days < 14:
        return "1 day" if days == 1 else f"{days} days"
    whole = int(weeks)
    return "1 week" if whole == 1 else f"{whole} weeks"


def time_problem_reply(problem: TimeProblem) -> List[Reply]:
    if problem.reason == TOO_LONG:
        return [Reply(Response.TIME_TOO_LONG, {"limit": f"{MAX_YEARS_SINCE_SURGERY} years"})]
    return [Reply(Response.SURGERY_IN_FUTURE if problem.reason == FUTURE else Response.TIME_UNREADABLE)]


def _join(texts: Sequence[str]) -> str:
    """The rows' sentences one after another (data/timelines.yml writes each row as sentences)."""
    return " ".join(texts)


def _listed(labels: Sequence[str]) -> str:
    """ "a, b and c"."""
    return " and ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 1 else labels)


def _lines(labels: Sequence[str]) -> str:
    """A list, one "- label." line each (a hyphen: a number would pick a button on SMS)."""
    return "\n".join(f"- {label}." for label in labels)


def _cites(rows: Sequence[Union[Milestone, Window, Phase]]) -> Tuple[str, ...]:
    return tuple(dict.fromkeys(c for row in rows for c in row.cites))


def procedure_buttons(guide_procedures: Sequence[Tuple[str, str]], payload: str) -> Tuple[Dict[str, str], ...]:
    """A button per procedure the guide gives a timeline for; `payload` formats "{id}"."""
    return tuple(
        {"title": label[:1].upper() + label[1:], "payload": payload.format(id=pid)} for pid, label in guide_procedures
    )


def nearest_procedure_reply(nearest: Procedure) -> Reply:
    """Says which guide procedure the answer is for when the patient's isn't one the guide names."""
    return Reply(Response.PROCEDURE_NEAREST, {"procedure_label": nearest.label}, about={Entity.PROCEDURE: nearest.id})


def procedure_reply(
    procedure: Optional[Procedure],
    level: Optional[str],
    general: Sequence[Milestone],
    guide_procedures: Sequence[Tuple[str, str]],
    nearest: Optional[Procedure] = None,
) -> List[Reply]:
    """How long recovery takes for the patient's procedure, or what the guide says in general.

    Without a procedure: the general answer, and the guide's procedures to choose from. For a
    procedure the guide doesn't give a timeline for: the `nearest` guide procedure's timeline,
    saying so, or the general answer.
    """
    general_text = _join([m.text for m in general])
    if procedure is None:
        buttons = procedure_buttons(guide_procedures, '/inform{{"procedure": "{id}"}}')
        return [Reply(Response.TIMELINE_GENERAL, {"milestones": general_text}, _cites(general), buttons=buttons)]
    if not procedure.covered and nearest is not None:
        return [nearest_procedure_reply(nearest), *procedure_reply(nearest, level, general, guide_procedures)]
    if not procedure.covered:
        variables = {
            "procedure_label": procedure.label,
            "guide_procedures": _listed([label for _, label in guide_procedures]),
            "milestones": general_text,
        }
        return [Reply(Response.TIMELINE_OTHER_PROCEDURE, variables, _cites(general), {Entity.PROCEDURE: procedure.id})]
    for_level = [m for m in procedure.milestones if level and m.level == level]
    rows = for_level or [m for m in procedure.milestones if m.level is None]
    label = f"{level} {procedure.label}" if for_level else procedure.label
    about = {Entity.PROCEDURE: procedure.id, **({Entity.SPINAL_LEVEL: str(level)} if for_level else {})}
    return [
        Reply(
            Response.TIMELINE_PROCEDURE,
            {"procedure_label": label, "milestones": _join([m.text for m in rows])},
            _cites(rows),
            about,
        )
    ]


def phase_at(phases: Sequence[Phase], weeks: float) -> Phase:
    for phase in phases:
        if weeks >= phase.from_week and (phase.to_week is None or weeks < phase.to_week):
            return phase
    raise ValueError(f"no recovery phase covers week {weeks:.1f}")


def _phase_variables(phase: Phase) -> Dict[str, str]:
    return {"phase_label": phase.label, "typical": phase.typical, "avoid": phase.avoid, "start": phase.start}


def stage_reply(phases: Sequence[Phase], weeks: float) -> List[Reply]:
    """Where the patient is now: the phase, what is typical, what to avoid, what to start."""
    phase = phase_at(phases, weeks)
    variables = {"elapsed": describe_elapsed(weeks), **_phase_variables(phase)}
    return [Reply(Response.TIMELINE_STAGE, variables, phase.cites, {Entity.RECOVERY_PHASE: phase.id})]


def phase_reply(phase: Phase) -> List[Reply]:
    """What is typical in a recovery phase the patient named ("weeks 4 to 8", "the first days")."""
    return [Reply(Response.TIMELINE_PHASE, _phase_variables(phase), phase.cites, {Entity.RECOVERY_PHASE: phase.id})]


def applicable_windows(activity: Activity, procedure: Optional[str], level: Optional[str]) -> List[Window]:
    """The most specific windows for the patient: their procedure and level, else the general ones."""
    scopes = [(procedure, level), (procedure, None), (None, None)] if procedure else [(None, None)]
    for scope in scopes:
        rows = [w for w in activity.windows if (w.procedure, w.level) == scope]
        if rows:
            return rows
    return []


def _after(procedure: Optional[Procedure], level: Optional[str]) -> str:
    if procedure is None:
        return "after your surgery"
    return f"after your {level + ' ' if level else ''}{procedure.label}"


def _condition(window: Window) -> str:
    return f" {window.condition}" if window.condition else ""


def activity_reply(
    activity: Optional[Activity],
    covered_labels: Sequence[str],
    procedure: Optional[Procedure] = None,
    level: Optional[str] = None,
    weeks: Optional[float] = None,
    by_meaning: bool = False,
) -> List[Reply]:
    """When an activity is typically OK, tailored to the procedure and time since surgery if known.

    `by_meaning`: the patient named the activity in other words, so the reply first says which of
    the guide's activities it is taken for.
    """
    if activity is None:
        return [Reply(Response.ACTIVITY_UNKNOWN, {"covered_activities": _lines(covered_labels)})]
    about = {Entity.ACTIVITY: activity.id, **({Entity.PROCEDURE: procedure.id} if procedure else {})}
    if not activity.covered:
        return [Reply(Response.ACTIVITY_NOT_COVERED, {"activity_label": activity.label}, about=about)]
    preface = [Reply(Response.ACTIVITY_NEAREST, {"activity_label": activity.label}, about=about)] if by_meaning else []
    windows = applicable_windows(activity, procedure.id if procedure else None, level)
    # what the guide says for everyone, too, when the windows are the procedure's own
    general = [w for w in activity.windows if w.procedure is None] if windows and windows[0].procedure else []
    also = f" In general: {_join([w.text + _condition(w) for w in general])}" if general else ""
    variables = {"activity_label": activity.label}
    current = upcoming = None
    if weeks is not None:
        variables.update(elapsed=describe_elapsed(weeks), after=_after(procedure, level))
        current = next((w for w in windows if w.from_week <= weeks and (w.to_week is None or weeks < w.to_week)), None)
        upcoming = min((w for w in windows if w.from_week > weeks), key=lambda w: w.from_week, default=None)
    if current is None and upcoming is not None:
        window = upcoming.text + _condition(upcoming) + also
        reply = Reply(Response.ACTIVITY_NOT_YET, {**variables, "window": window}, _cites([upcoming, *general]), about)
    elif current is None:
        text = _join([w.text + _condition(w) for w in windows]) + also
        reply = Reply(
            Response.ACTIVITY_TIMING,
            {"activity_label": activity.label, "windows": text},
            _cites([*windows, *general]),
            about,
        )
    else:
        response = Response.ACTIVITY_OK_NOW if current.kind == OK else Response.ACTIVITY_AVOID_NOW
        reply = Reply(
            response,
            {**variables, "window": current.text + _condition(current) + also},
            _cites([current, *general]),
            about,
        )
    return [*preface, reply]
