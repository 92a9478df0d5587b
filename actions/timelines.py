"""Recovery-timeline look-ups: thin actions over bot/timelines (the records of data/timelines.yml
and the advice drawn from them).

The records are read on first use; should that fail, or any look-up, the patient gets an apology
with the general timeline. No message text is ever logged.
"""

import abc
import logging
from datetime import date, datetime
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import logs
from bot.language.people import SELF
from bot.names import (
    BY_MEANING_EXTRACTOR,
    SURGERY_TIME_ENTITIES,
    Entity,
    Metadata,
    Response,
    Slot,
)
from bot.names import (
    Action as ActionName,
)
from bot.timelines.advice import (
    FUTURE,
    Reply,
    TimeProblem,
    activity_reply,
    nearest_procedure_reply,
    phase_reply,
    procedure_reply,
    stage_reply,
    surgery_date,
    time_problem_reply,
    weeks_since,
)
from bot.timelines.data import Procedure, timeline_data

logger = logging.getLogger(__name__)

# What the last_question slot remembers, so that a correction re-answers it.
RECOVERY_TIME_QUESTION, STAGE_QUESTION, ACTIVITY_QUESTION = "recovery_time", "stage", "activity:"


def today() -> date:
    return date.today()


def send(dispatcher: CollectingDispatcher, replies: List[Reply]) -> None:
    """Sends replies with their citations (like the static answers) and subjects as metadata."""
    for reply in replies:
        metadata = {Metadata.CITES: list(reply.cites), **reply.about}
        dispatcher.utter_message(
            response=reply.response, buttons=list(reply.buttons), metadata=metadata, **reply.variables
        )


def latest_entity(tracker: Tracker, entity: str) -> Optional[Dict[str, Any]]:
    """The latest message's entity of that type: one in the guide's own words before one by meaning."""
    found = [e for e in (tracker.latest_message or {}).get("entities", []) if e.get("entity") == entity]
    exact = [e for e in found if e.get("extractor") != BY_MEANING_EXTRACTOR]
    return (exact or found or [None])[0]


def latest_entity_value(tracker: Tracker, entity: str) -> Optional[str]:
    found = latest_entity(tracker, entity)
    return found["value"] if found else None


def by_meaning(entity: Optional[Dict[str, Any]]) -> bool:
    return entity is not None and entity.get("extractor") == BY_MEANING_EXTRACTOR


def surgery_time_said(tracker: Tracker) -> Tuple[Optional[str], date]:
    """The surgery time slot's value and the day the patient said it (durations count from then)."""
    value = tracker.get_slot(Slot.SURGERY_TIME)
    for event in reversed(tracker.events):
        if event.get("event") == "user" and any(
            e.get("entity") in SURGERY_TIME_ENTITIES and e.get("value") == value
            for e in (event.get("parse_data") or {}).get("entities", [])
        ):
            return value, datetime.fromtimestamp(event["timestamp"]).date()
    return value, today()


def weeks_since_surgery(tracker: Tracker) -> Optional[Any]:
    """Weeks since surgery (float), a TimeProblem, or None if the patient has not said."""
    value, said_on = surgery_time_said(tracker)
    if value is None:
        return None
    surgery = surgery_date(value, said_on)
    return surgery if isinstance(surgery, TimeProblem) else weeks_since(surgery, today())


Lookup = Tuple[List[Reply], List[EventType]]

# The facts remembered about the person a conversation is about, and the entities that set them.
FACT_ENTITIES = {
    Slot.PROCEDURE: (Entity.PROCEDURE,),
    Slot.SPINAL_LEVEL: (Entity.SPINAL_LEVEL,),
    Slot.SURGERY_TIME: SURGERY_TIME_ENTITIES,
}


def change_of_person(tracker: Tracker) -> List[EventType]:
    """When the message is about another person than the remembered facts ("and for my husband?"),
    forgets the facts this message does not give (in the tracker the look-up reads, and as events)."""
    said = latest_entity_value(tracker, Entity.PERSON)
    current = tracker.get_slot(Slot.PERSON) or SELF
    if said is None or said == current:
        return []
    events: List[EventType] = [SlotSet(Slot.PERSON, said)]
    for slot, entities in FACT_ENTITIES.items():
        if not any(latest_entity(tracker, e) for e in entities) and tracker.get_slot(slot) is not None:
            tracker.slots[slot] = None
            events.append(SlotSet(slot, None))
    return events


class TimelineAction(Action, abc.ABC):
    """Runs a look-up; if it fails, apologises and gives the general answer: never an error, never
    silence, never the message in a log."""

    @abc.abstractmethod
    def lookup(self, tracker: Tracker) -> Lookup:
        """The replies to send and the events to return."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        forgotten = change_of_person(tracker)
        try:
            replies, events = self.lookup(tracker)
        except Exception as error:  # unreadable data, a bug, an input nobody foresaw: the patient still gets an answer
            logger.error("%s failed (%s)", self.name(), logs.reason(error))
            dispatcher.utter_message(response=Response.TIMELINE_UNAVAILABLE)
            return forgotten
        logger.info("%s answered with %s", self.name(), ", ".join(r.response for r in replies))
        send(dispatcher, replies)
        return forgotten + events


def recovery_time(tracker: Tracker) -> Lookup:
    data = timeline_data()
    procedure_id = tracker.get_slot(Slot.PROCEDURE)
    procedure = data.procedure(procedure_id) if procedure_id else None
    nearest = data.procedure(procedure.nearest) if procedure and procedure.nearest else None
    replies = procedure_reply(
        procedure,
        tracker.get_slot(Slot.SPINAL_LEVEL),
        data.general,
        data.procedures_with_timelines(),
        nearest,
    )
    said = latest_entity(tracker, Entity.PROCEDURE)
    if said is not None and procedure and procedure.covered and by_meaning(said) and said["value"] == procedure.id:
        replies.insert(0, nearest_procedure_reply(procedure))
    return replies, [SlotSet(Slot.LAST_QUESTION, RECOVERY_TIME_QUESTION)]


def forget_unusable_time(problem: TimeProblem) -> List[EventType]:
    """A future date is kept (the patient is preparing for surgery); nonsense is forgotten."""
    return [] if problem.reason == FUTURE else [SlotSet(Slot.SURGERY_TIME, None)]


def recovery_stage(tracker: Tracker) -> Lookup:
    """The phase the message names, else the patient's own phase (asking when the surgery was)."""
    asked = [SlotSet(Slot.LAST_QUESTION, STAGE_QUESTION)]
    named = latest_entity_value(tracker, Entity.RECOVERY_PHASE)
    phases = timeline_data().phases
    if named and not any(latest_entity(tracker, e) for e in SURGERY_TIME_ENTITIES):
        return phase_reply(next(p for p in phases if p.id == named)), asked
    weeks = weeks_since_surgery(tracker)
    if isinstance(weeks, TimeProblem):
        return time_problem_reply(weeks), forget_unusable_time(weeks)
    if weeks is None:
        return [Reply(Response.ASK_SURGERY_TIME)], asked
    return stage_reply(phases, weeks), asked


def guide_procedure(tracker: Tracker) -> Optional[Procedure]:
    """The patient's procedure as the guide has a timeline for it (its nearest one), or None."""
    data = timeline_data()
    procedure_id = tracker.get_slot(Slot.PROCEDURE)
    procedure = data.procedure(procedure_id) if procedure_id else None
    if procedure is not None and not procedure.covered:
        procedure = data.procedure(procedure.nearest) if procedure.nearest else None
    return procedure


def activity_timing(tracker: Tracker, activity_id: Optional[str], meaning: bool = False) -> Lookup:
    data = timeline_data()
    activity = data.activity(activity_id) if activity_id else None
    weeks = weeks_since_surgery(tracker)
    if isinstance(weeks, TimeProblem) and weeks.reason != FUTURE:
        return time_problem_reply(weeks), forget_unusable_time(weeks)
    if isinstance(weeks, TimeProblem):
        weeks = None  # before surgery: when the activity is typically OK, in general
    replies = activity_reply(
        activity,
        data.covered_activity_labels(),
        guide_procedure(tracker),
        tracker.get_slot(Slot.SPINAL_LEVEL),
        weeks,
        meaning,
    )
    return replies, [SlotSet(Slot.LAST_QUESTION, f"{ACTIVITY_QUESTION}{activity_id}")] if activity_id else []


class ActionRecoveryTime(TimelineAction):
    """How long recovery takes for the patient's procedure, or in general while it is not known."""

    def name(self) -> Text:
        return ActionName.RECOVERY_TIME

    def lookup(self, tracker: Tracker) -> Lookup:
        return recovery_time(tracker)


class ActionRecoveryStage(TimelineAction):
    """What is typical in the phase the patient names, or in theirs (asking when the surgery was)."""

    def name(self) -> Text:
        return ActionName.RECOVERY_STAGE

    def lookup(self, tracker: Tracker) -> Lookup:
        return recovery_stage(tracker)


class ActionActivityTiming(TimelineAction):
    """When the activity named in this message is typically OK for this patient."""

    def name(self) -> Text:
        return ActionName.ACTIVITY_TIMING

    def lookup(self, tracker: Tracker) -> Lookup:
        # never an activity from an earlier message: "horse riding?" must not be answered as "swimming?"
        said = latest_entity(tracker, Entity.ACTIVITY)
        return activity_timing(tracker, said["value"] if said else None, by_meaning(said))


class ActionInform(TimelineAction):
    """A follow-up: the patient gave (or corrected) their procedure or surgery time, or changed the
    activity, the phase or the person ("and for a fusion?", "what about tennis?", "and for my
    husband?"): the last question again, with what changed."""

    def name(self) -> Text:
        return ActionName.INFORM

    def lookup(self, tracker: Tracker) -> Lookup:
        activity = latest_entity(tracker, Entity.ACTIVITY)
        if activity is not None:
            return activity_timing(tracker, activity["value"], by_meaning(activity))
        if latest_entity(tracker, Entity.RECOVERY_PHASE) is not None:
            return recovery_stage(tracker)
        last = tracker.get_slot(Slot.LAST_QUESTION) or ""
        if last.startswith(ACTIVITY_QUESTION):
            return activity_timing(tracker, last[len(ACTIVITY_QUESTION) :])
        told_time = any(latest_entity(tracker, e) for e in SURGERY_TIME_ENTITIES)
        if last == STAGE_QUESTION or (told_time and last != RECOVERY_TIME_QUESTION):
            return recovery_stage(tracker)
        if last == RECOVERY_TIME_QUESTION or tracker.get_slot(Slot.PROCEDURE):
            return recovery_time(tracker)
        return [Reply(Response.ASK_REPHRASE)], []
