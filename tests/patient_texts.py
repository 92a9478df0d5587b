"""Every text the assistant sends patients, as it sends them: for the tests that read them all
(tests/test_grounding.py, tests/test_reading_level.py) and the facts frozen from them
(tests/stated_facts.py).

- every variation of every response in domain.yml, its clinic values filled in from a profile
  that sets them all (tests/clinic_profiles.py's WITH_NUMBERS), as bot/rasa/clinic_responses.py
  fills them;
- the responses the actions fill ({procedure_label}, {milestones}...), filled as the actions
  assemble them (bot/timelines/advice.py) for every procedure, spinal level, recovery phase and
  activity of data/timelines.yml, at a time since surgery in each stretch of weeks its windows and
  phases have, and with none;
- the check-ins (bot/check_ins/content.py) for every procedure with a timeline and every day of
  CHECK_IN_DAYS;
- a staff member's message (utter_staff_message, around words of their own).

Each text has a key naming what it is, which stays the same when the wording changes.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Tuple

import yaml

from bot import settings
from bot.check_ins.content import check_in
from bot.clinic import ClinicProfile, facts
from bot.names import Response
from bot.rasa.clinic_responses import filled, prepare
from bot.timelines import advice
from bot.timelines.advice import Reply
from bot.timelines.data import Procedure, TimelineData, timeline_data
from tests.clinic_profiles import WITH_NUMBERS

Responses = Dict[str, List[Dict[str, Any]]]

# A time since surgery in each stretch between the weeks where data/timelines.yml's phases and
# windows begin or end (0, 1, 2, 4, 8, 12): in days.
SAMPLE_DAYS = (3, 10, 21, 42, 70, 112)
# What a member of staff might write; utter_staff_message puts it in its own words.
STAFF_MESSAGE = "Your surgeon has read your message. A nurse will call you this afternoon."
# A variable filled by an action (not a clinic value): "{procedure_label}".
_VARIABLE = re.compile(r"\{(?!clinic_)[a-z_]+\}")


class PatientText(NamedTuple):
    """A text as a patient gets it: `key` names what it is; `response` is its domain.yml response."""

    key: str
    response: str
    text: str


def responses() -> Responses:
    return yaml.safe_load(settings.DOMAIN_FILE.read_text(encoding="utf-8"))["responses"]


@functools.lru_cache(maxsize=None)
def prepared(profile: ClinicProfile) -> Responses:
    """The responses as a Rasa server with this clinic profile gives them (read once)."""
    return prepare(responses(), profile)


def is_template(variation: Dict[str, Any]) -> bool:
    """Whether an action fills the variation's text with values of its own ({procedure_label}...)."""
    return bool(_VARIABLE.search(str(variation["text"])))


def with_clinic_values(variation: Dict[str, Any], profile: ClinicProfile = WITH_NUMBERS) -> Dict[str, Any]:
    """The variation with the profile's values in it, as the Rasa server fills them."""
    return filled(variation, {fact.placeholder: fact for fact in facts(profile)})


def rendered(reply: Reply, profile: ClinicProfile = WITH_NUMBERS) -> Tuple[str, Dict[str, Any]]:
    """A reply of an action as sent: its response's variation for the profile, filled with the
    reply's values (as Rasa's generator fills them), and that variation."""
    [variation] = prepared(profile)[reply.response]
    return variation["text"].format(**reply.variables), variation


def response_texts() -> Iterator[PatientText]:
    """Every variation of every response no action fills, with the clinic's values: key
    "<response>[<index in domain.yml>]"."""
    for name, variations in responses().items():
        for index, variation in enumerate(variations):
            if not is_template(variation):
                yield PatientText(f"{name}[{index}]", name, with_clinic_values(variation)["text"])


def _levels(procedure: Procedure) -> List[Optional[str]]:
    return [None, *sorted({m.level for m in procedure.milestones if m.level})]


def _procedure_key(procedure: Optional[Procedure], level: Optional[str]) -> str:
    if procedure is None:
        return "no procedure"
    return f"{procedure.id} {level}" if level else procedure.id


def timeline_replies(data: TimelineData) -> Iterator[Tuple[str, Reply]]:
    """(key, reply) of every reply the timeline actions assemble from data/timelines.yml."""
    guide = data.procedures_with_timelines()
    for procedure in [None, *data.procedures]:
        nearest = data.procedure(procedure.nearest) if procedure and procedure.nearest else None
        for level in _levels(procedure) if procedure else [None]:
            for i, reply in enumerate(advice.procedure_reply(procedure, level, data.general, guide, nearest)):
                yield f"recovery time: {_procedure_key(procedure, level)} ({i + 1})", reply
        if procedure is not None and procedure.covered:
            yield f"procedure by meaning: {procedure.id}", advice.nearest_procedure_reply(procedure)
    for phase in data.phases:
        [reply] = advice.phase_reply(phase)
        yield f"phase: {phase.id}", reply
    for days in SAMPLE_DAYS:
        [reply] = advice.stage_reply(data.phases, days / 7)
        yield f"stage: day {days}", reply
    for reason in (advice.FUTURE, advice.TOO_LONG, advice.UNREADABLE):
        [reply] = advice.time_problem_reply(advice.TimeProblem(reason))
        yield f"time: {reason}", reply
    yield "stage: no time", Reply(Response.ASK_SURGERY_TIME)
    yield "follow-up: unclear", Reply(Response.ASK_REPHRASE)
    labels = data.covered_activity_labels()
    guide_procedures = [p for p in data.procedures if p.covered]
    yield "activity: unknown", *advice.activity_reply(None, labels)
    for activity in data.activities:
        if not activity.covered:
            yield f"activity: {activity.id}", *advice.activity_reply(activity, labels)
            continue
        yield f"activity by meaning: {activity.id}", advice.activity_reply(activity, labels, by_meaning=True)[0]
        for procedure in [None, *guide_procedures]:
            for level in _levels(procedure) if procedure else [None]:
                for days in [None, *SAMPLE_DAYS]:
                    [reply] = advice.activity_reply(activity, labels, procedure, level, days / 7 if days else None)
                    when = f"day {days}" if days else "no time"
                    yield f"activity: {activity.id}, {_procedure_key(procedure, level)}, {when}", reply


def timeline_texts(data: Optional[TimelineData] = None) -> Iterator[PatientText]:
    for key, reply in timeline_replies(data or timeline_data()):
        yield PatientText(key, reply.response, rendered(reply)[0])


def check_in_days() -> Tuple[int, ...]:
    return tuple(settings.CHECK_IN_DAYS.get())


def check_in_texts(data: Optional[TimelineData] = None) -> Iterator[PatientText]:
    data = data or timeline_data()
    for procedure, _ in data.procedures_with_timelines():
        for day in check_in_days():
            reply = check_in(data, procedure, day)
            yield PatientText(f"check-in: {procedure}, day {day}", reply.response, rendered(reply)[0])


def staff_texts() -> Iterator[PatientText]:
    reply = Reply(Response.STAFF_MESSAGE, {"staff_message": STAFF_MESSAGE})
    yield PatientText("staff message", reply.response, rendered(reply)[0])


def patient_texts() -> List[PatientText]:
    """Every text the assistant sends patients (see the module's docstring)."""
    data = timeline_data()
    return [*response_texts(), *timeline_texts(data), *check_in_texts(data), *staff_texts()]
