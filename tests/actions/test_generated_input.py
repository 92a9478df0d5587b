"""The timeline look-ups on generated input (Hypothesis): whatever the pipeline reads from a
message, and whatever a slot holds, each look-up returns replies and never raises (the actions'
catch-all apology is for failures nobody foresaw, not for input)."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import actions.timelines as timelines
from bot.language.time_expressions import SPANS_KEY as TIME_KEY
from bot.names import Entity, Slot
from bot.timelines.data import timeline_data
from tests.actions.helpers import tracker

LOOKUPS = [timelines.recovery_time, timelines.recovery_stage, timelines.ActionActivityTiming().lookup]
TIMELINES = timeline_data()
PROCEDURES = st.sampled_from([p.id for p in TIMELINES.procedures]) | st.text(max_size=20) | st.none()
ACTIVITIES = st.sampled_from([a.id for a in TIMELINES.activities]) | st.text(max_size=20)
TIMES = (
    st.from_regex(r"\AP-?\d{1,15}[DWMY]\Z")
    | st.from_regex(r"\A(\d{4}|-)-\d{2}-\d{2}\Z")
    | st.text(max_size=20)
    | st.none()
)
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(timelines, "today", lambda: date(2026, 11, 20))


def entity(name, value):
    return {"entity": name, "value": value}


@PROPERTY
@given(procedure=PROCEDURES, activity=ACTIVITIES, surgery_time=TIMES)
def test_any_slot_values_get_replies(procedure, activity, surgery_time):
    slots = {Slot.PROCEDURE: procedure, Slot.SURGERY_TIME: surgery_time}
    entities = [entity(Entity.ACTIVITY, activity)]
    if surgery_time is not None:
        entities.append(entity(Entity.TIME_SINCE_SURGERY, surgery_time))
    for lookup in LOOKUPS:
        replies, _ = lookup(tracker(slots, entities))
        assert replies and all(reply.response.startswith("utter_") for reply in replies)


TIME_WORDS = ["5", "weeks", "ago", "inf", "3000", "years", "10/3/2099", "-5", "1e999", "yesterday", "day", "nan"]


@PROPERTY
@given(st.text(max_size=200) | st.lists(st.sampled_from(TIME_WORDS), max_size=12).map(" ".join))
def test_times_read_from_any_message_get_replies(nlp, text):
    doc = nlp(text.lower())
    found = [entity(span.label_, span.kb_id_) for span in doc.spans[TIME_KEY]]
    slots = {Slot.SURGERY_TIME: found[-1]["value"]} if found else {}
    for lookup in LOOKUPS:
        replies, _ = lookup(tracker(slots, found))
        assert replies
