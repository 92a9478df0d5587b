"""Recovery-timeline look-ups: thin actions over bot/timelines (database and advice).

The database is opened (migrated and loaded from data/timelines.yml) on first use, so the action
server starts even when the database is down; until it is reachable, every look-up answers with
an apology and the general timeline. No message text is ever logged.
"""
import abc
import logging
from datetime import date, datetime
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot.timelines.advice import (
    OTHER_PROCEDURE,
    Reply,
    TimeProblem,
    activity_reply,
    procedure_reply,
    stage_reply,
    surgery_date,
    time_problem_reply,
    weeks_since,
)
from bot.timelines.database import prepare
from bot.timelines.repository import TimelineRepository

logger = logging.getLogger(__name__)

SURGERY_TIME_SLOT = "surgery_time"
LAST_QUESTION_SLOT = "last_question"
SURGERY_TIME_ENTITIES = ("time_since_surgery", "surgery_date")
UNAVAILABLE = "utter_timeline_unavailable"

_repository: Optional[TimelineRepository] = None


def repository() -> TimelineRepository:
    """The timeline repository, opening the database on first use (retried after a failure)."""
    global _repository
    if _repository is None:
        _repository = TimelineRepository(prepare())
    return _repository


def today() -> date:
    return date.today()


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Sends a reply with its citations as response metadata, like the static answers."""
    dispatcher.utter_message(response=reply.response, metadata={"cites": list(reply.cites)}, **reply.variables)


def latest_entity(tracker: Tracker, entity: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(entity), None)


def surgery_time_said(tracker: Tracker) -> Tuple[Optional[str], date]:
    """The surgery time slot's value and the day the patient said it (durations count from then)."""
    value = tracker.get_slot(SURGERY_TIME_SLOT)
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


class TimelineAction(Action, abc.ABC):
    """Runs a look-up; if the database fails, apologises and gives the general answer."""

    @abc.abstractmethod
    def lookup(self, tracker: Tracker) -> Tuple[Reply, List[EventType]]:
        """The reply to send and the events to return."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        try:
            reply, events = self.lookup(tracker)
        except (SQLAlchemyError, OSError) as error:
            global _repository
            _repository = None
            logger.error("%s: timeline database unavailable (%s)", self.name(), type(error).__name__)
            dispatcher.utter_message(response=UNAVAILABLE)
            return []
        logger.info("%s answered with %s", self.name(), reply.response)
        send(dispatcher, reply)
        return events


def recovery_time(tracker: Tracker) -> Tuple[Reply, List[EventType]]:
    repo = repository()
    procedure_id = tracker.get_slot("procedure")
    procedure = repo.procedure(procedure_id) if procedure_id and procedure_id != OTHER_PROCEDURE else None
    reply = procedure_reply(procedure, tracker.get_slot("spinal_level"), repo.general_milestones())
    return reply, [SlotSet(LAST_QUESTION_SLOT, "recovery_time")]


def forget_unusable_time(problem: TimeProblem) -> List[EventType]:
    """A future date is kept (the patient is preparing for surgery); nonsense is forgotten."""
    return [] if problem.reason == "future" else [SlotSet(SURGERY_TIME_SLOT, None)]


def recovery_stage(tracker: Tracker) -> Tuple[Reply, List[EventType]]:
    weeks = weeks_since_surgery(tracker)
    if isinstance(weeks, TimeProblem):
        return time_problem_reply(weeks), forget_unusable_time(weeks)
    if weeks is None:
        return Reply("utter_ask_surgery_time"), []
    return stage_reply(repository().phases(), weeks), [SlotSet(LAST_QUESTION_SLOT, "stage")]


def activity_timing(tracker: Tracker, activity_id: Optional[str]) -> Tuple[Reply, List[EventType]]:
    repo = repository()
    activity = repo.activity(activity_id) if activity_id else None
    weeks = weeks_since_surgery(tracker)
    if isinstance(weeks, TimeProblem) and weeks.reason != "future":
        return time_problem_reply(weeks), forget_unusable_time(weeks)
    if isinstance(weeks, TimeProblem):
        weeks = None  # before surgery: when the activity is typically OK, in general
    procedure_id = tracker.get_slot("procedure")
    procedure = repo.procedure(procedure_id) if procedure_id and procedure_id != OTHER_PROCEDURE else None
    reply = activity_reply(activity, repo.covered_activity_labels(), procedure, tracker.get_slot("spinal_level"), weeks)
    return reply, [SlotSet(LAST_QUESTION_SLOT, f"activity:{activity_id}")] if activity_id else []


class ActionRecoveryTime(TimelineAction):
    """How long recovery takes for the patient's procedure (procedure_form asked for it)."""

    def name(self) -> Text:
        return "action_recovery_time"

    def lookup(self, tracker: Tracker) -> Tuple[Reply, List[EventType]]:
        return recovery_time(tracker)


class ActionRecoveryStage(TimelineAction):
    """Where the patient is now (surgery_time_form asked when the surgery was)."""

    def name(self) -> Text:
        return "action_recovery_stage"

    def lookup(self, tracker: Tracker) -> Tuple[Reply, List[EventType]]:
        return recovery_stage(tracker)


class ActionActivityTiming(TimelineAction):
    """When the activity named in this message is typically OK for this patient."""

    def name(self) -> Text:
        return "action_activity_timing"

    def lookup(self, tracker: Tracker) -> Tuple[Reply, List[EventType]]:
        # never an activity from an earlier message: "horse riding?" must not be answered as "swimming?"
        return activity_timing(tracker, latest_entity(tracker, "activity"))


class ActionInform(TimelineAction):
    """The patient gave (or corrected) their procedure or surgery time: answer the last question again."""

    def name(self) -> Text:
        return "action_inform"

    def lookup(self, tracker: Tracker) -> Tuple[Reply, List[EventType]]:
        last = tracker.get_slot(LAST_QUESTION_SLOT) or ""
        if last.startswith("activity:"):
            return activity_timing(tracker, last.split(":", 1)[1])
        told_time = any(latest_entity(tracker, e) for e in SURGERY_TIME_ENTITIES)
        if last == "stage" or (told_time and last != "recovery_time"):
            return recovery_stage(tracker)
        if tracker.get_slot("procedure"):
            return recovery_time(tracker)
        return Reply("utter_ask_rephrase"), []
