"""The timeline actions, with real rasa_sdk trackers and dispatchers."""

import logging
from datetime import date, datetime

import pytest
from rasa_sdk.events import SlotSet

import actions.timelines as timelines
from tests.actions.helpers import run, tracker, user_event

TODAY = date(2026, 11, 20)
SAID = datetime(2026, 11, 20, 10, 0).timestamp()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(timelines, "today", lambda: TODAY)


def entity(name, value):
    return {"entity": name, "value": value}


def test_recovery_time_for_the_procedure_in_the_slot():
    [message], events = run(
        timelines.ActionRecoveryTime(), tracker({"procedure": "microdiscectomy"}, intent="ask_recovery_time")
    )
    assert message["response"] == "utter_timeline_procedure"
    assert message["procedure_label"] == "microdiscectomy" and "2–6 weeks" in message["milestones"]
    assert message["metadata"] == {"cites": ["miss-recovery-by-procedure"], "procedure": "microdiscectomy"}
    assert events == [SlotSet("last_question", "recovery_time")]


def test_recovery_time_without_a_procedure_gives_the_general_answer_and_asks_which():
    [message], _ = run(timelines.ActionRecoveryTime(), tracker(intent="ask_recovery_time"))
    assert message["response"] == "utter_timeline_general" and "2 to 4 weeks" in message["milestones"]
    assert [b["payload"] for b in message["buttons"]] == [
        '/inform{"procedure": "microdiscectomy"}',
        '/inform{"procedure": "decompression"}',
        '/inform{"procedure": "fusion"}',
    ]


def test_a_procedure_described_in_other_words_is_named_in_the_reply():
    described = dict(entity("procedure", "decompression"), extractor="MeaningResolver")
    t = tracker({"procedure": "decompression"}, entities=[described], intent="ask_recovery_time")
    nearest, answer = run(timelines.ActionRecoveryTime(), t)[0]
    assert nearest["response"] == "utter_procedure_nearest" and nearest["procedure_label"] == "decompression"
    assert answer["response"] == "utter_timeline_procedure"


def test_recovery_time_for_an_l4_l5_fusion():
    [message], _ = run(timelines.ActionRecoveryTime(), tracker({"procedure": "fusion", "spinal_level": "L4-L5"}))
    assert "after 4 weeks" in message["milestones"]


def test_recovery_time_for_a_procedure_the_guide_does_not_cover():
    [message], _ = run(timelines.ActionRecoveryTime(), tracker({"procedure": "disc_replacement"}))
    assert message["response"] == "utter_timeline_other_procedure" and message["procedure_label"] == "disc replacement"
    nearest, answer = run(timelines.ActionRecoveryTime(), tracker({"procedure": "laminectomy"}))[0]
    assert nearest["response"] == "utter_procedure_nearest" and answer["metadata"]["procedure"] == "decompression"


def test_a_named_phase_is_answered_without_asking_when_the_surgery_was():
    t = tracker(entities=[entity("recovery_phase", "weeks_4_to_8")], intent="ask_recovery_stage")
    [message], events = run(timelines.ActionRecoveryStage(), t)
    assert message["response"] == "utter_timeline_phase" and message["phase_label"] == "weeks 4 to 8"
    assert events == [SlotSet("last_question", "stage")]


def test_a_stage_question_without_a_time_asks_for_it():
    [message], events = run(timelines.ActionRecoveryStage(), tracker(intent="ask_recovery_stage"))
    assert message["response"] == "utter_ask_surgery_time" and events == [SlotSet("last_question", "stage")]


def stage_question(entity_name, value):
    """The stage action on a message that gives the surgery time (as the slot keeps it), said today."""
    t = tracker(
        {"surgery_time": value}, entities=[entity(entity_name, value)], intent="ask_recovery_stage", timestamp=SAID
    )
    return run(timelines.ActionRecoveryStage(), t)


@pytest.mark.parametrize(
    "entity_name, value, elapsed", [("time_since_surgery", "P5W", "5 weeks"), ("surgery_date", "--10-03", "6 weeks")]
)
def test_stage_from_the_surgery_time(entity_name, value, elapsed):
    [message], events = stage_question(entity_name, value)
    assert message["response"] == "utter_timeline_stage" and message["phase_label"] == "weeks 4 to 8"
    assert message["elapsed"] == elapsed and events == [SlotSet("last_question", "stage")]


def test_durations_count_from_the_day_they_were_said():
    said_10_days_ago = datetime(2026, 11, 10, 9, 0).timestamp()
    earlier = [user_event("(text)", "inform", [entity("time_since_surgery", "P2W")], said_10_days_ago)]
    t = tracker({"surgery_time": "P2W"}, intent="ask_recovery_stage", earlier=earlier, timestamp=SAID)
    [message], _ = run(timelines.ActionRecoveryStage(), t)
    assert message["elapsed"] == "3 weeks"


@pytest.mark.parametrize(
    "value, response, events",
    [
        ("2012-01-01", "utter_time_too_long", [SlotSet("surgery_time", None)]),
        ("P-3W", "utter_time_unreadable", [SlotSet("surgery_time", None)]),
        ("--12-05", "utter_surgery_in_future", []),  # kept for a patient preparing for it
    ],
)
def test_unusable_times_get_a_clear_reply_and_nonsense_is_forgotten(value, response, events):
    [message], returned = stage_question("surgery_date", value)
    assert message["response"] == response and returned == events


def test_before_a_future_surgery_an_activity_gets_its_general_timing():
    swim = tracker({"surgery_time": "--12-05"}, entities=[entity("activity", "swimming")], timestamp=SAID)
    [message], _ = run(timelines.ActionActivityTiming(), swim)
    assert message["response"] == "utter_activity_timing"


def test_activity_tailored_to_procedure_and_time():
    t = tracker(
        {"procedure": "decompression", "surgery_time": "P5W"},
        entities=[entity("activity", "swimming"), entity("time_since_surgery", "P5W")],
        timestamp=SAID,
    )
    [message], _ = run(timelines.ActionActivityTiming(), t)
    assert message["response"] == "utter_activity_ok_now"
    assert (message["elapsed"], message["after"], message["activity_label"]) == (
        "5 weeks",
        "after your decompression",
        "light swimming",
    )
    assert "if your doctor has cleared you" in message["window"]
    assert message["metadata"] == {"cites": ["miss-weeks-4-8"], "activity": "swimming", "procedure": "decompression"}


def test_an_exact_activity_wins_over_one_by_meaning():
    meant = dict(entity("activity", "sports"), extractor="MeaningResolver")
    [message], _ = run(timelines.ActionActivityTiming(), tracker(entities=[meant, entity("activity", "swimming")]))
    assert message["activity_label"] == "light swimming"
    nearest, answer = run(timelines.ActionActivityTiming(), tracker(entities=[meant]))[0]
    assert nearest["response"] == "utter_activity_nearest" and answer["activity_label"] == "light sports"


def test_activity_uses_only_the_activity_named_now():
    [message], _ = run(timelines.ActionActivityTiming(), tracker({"activity": "swimming"}, entities=[]))
    assert message["response"] == "utter_activity_unknown"


def test_uncovered_activity_is_sent_to_the_surgeon():
    [message], _ = run(timelines.ActionActivityTiming(), tracker(entities=[entity("activity", "driving")]))
    assert message["response"] == "utter_activity_not_covered" and message["activity_label"] == "driving"
    assert message["metadata"] == {"cites": [], "activity": "driving"}


def test_unreadable_timelines_give_an_apology_and_the_general_answer(monkeypatch, caplog):
    def unreadable():
        raise FileNotFoundError("data/timelines.yml")

    monkeypatch.setattr(timelines, "timeline_data", unreadable)
    with caplog.at_level(logging.INFO):
        [message], events = run(timelines.ActionRecoveryTime(), tracker({"procedure": "fusion"}))
    assert message["response"] == "utter_timeline_unavailable" and events == []
    assert "action_recovery_time failed (FileNotFoundError: data/timelines.yml)" in caplog.text
    assert "(message text)" not in caplog.text


def test_no_message_text_is_logged(caplog):
    with caplog.at_level(logging.DEBUG):
        run(timelines.ActionActivityTiming(), tracker(entities=[entity("activity", "stairs")]))
    assert "action_activity_timing answered with utter_activity_timing" in caplog.text
    assert "(message text)" not in caplog.text


def test_a_follow_up_names_another_activity():
    slots = {"procedure": "microdiscectomy", "last_question": "activity:swimming"}
    [message], _ = run(timelines.ActionInform(), tracker(slots, [entity("activity", "sports")], intent="inform"))
    assert message["response"].startswith("utter_activity") and message["metadata"]["activity"] == "sports"


def test_a_follow_up_with_another_procedure_re_answers_the_last_question():
    slots = {"procedure": "fusion", "last_question": "activity:swimming"}
    [message], _ = run(timelines.ActionInform(), tracker(slots, [entity("procedure", "fusion")], intent="inform"))
    assert message["metadata"]["activity"] == "swimming"


def test_a_follow_up_about_another_person_starts_their_facts_afresh():
    slots = {"procedure": "fusion", "surgery_time": "P3W", "last_question": "recovery_time"}
    [message, *_], events = run(
        timelines.ActionInform(), tracker(slots, [entity("person", "husband")], intent="inform")
    )
    assert message["response"] == "utter_timeline_general"
    assert SlotSet("person", "husband") in events
    assert SlotSet("procedure", None) in events and SlotSet("surgery_time", None) in events


def test_the_facts_given_about_the_other_person_are_kept():
    slots = {"procedure": "microdiscectomy", "person": None, "last_question": "recovery_time"}
    latest = [entity("person", "wife"), entity("procedure", "decompression")]
    [message], events = run(
        timelines.ActionInform(), tracker({**slots, "procedure": "decompression"}, latest, intent="inform")
    )
    assert message["metadata"]["procedure"] == "decompression"
    assert SlotSet("procedure", None) not in events
