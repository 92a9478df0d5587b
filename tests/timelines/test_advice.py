from datetime import date

import pytest

from bot.timelines.advice import (
    TimeProblem,
    activity_reply,
    describe_elapsed,
    phase_at,
    phase_reply,
    procedure_reply,
    stage_reply,
    surgery_date,
    weeks_since,
)
from bot.timelines.data import load_timeline_data

DATA = load_timeline_data()
TODAY = date(2026, 11, 20)


def procedure(pid):
    return next(p for p in DATA.procedures if p.id == pid)


def activity(aid):
    return next(a for a in DATA.activities if a.id == aid)


COVERED = [a.label for a in DATA.activities if a.covered]
GUIDE_PROCEDURES = [(p.id, p.label) for p in DATA.procedures if p.covered]


def one(replies):
    [reply] = replies
    return reply


@pytest.mark.parametrize(
    "value, said_on, expected",
    [
        ("P5W", TODAY, date(2026, 10, 16)),
        ("P10D", date(2026, 11, 18), date(2026, 11, 8)),
        ("--10-03", TODAY, date(2026, 10, 3)),
        ("2025-10-03", TODAY, date(2025, 10, 3)),
        ("P0D", TODAY, TODAY),
    ],
)
def test_surgery_dates_are_resolved_against_the_day_they_were_said(value, said_on, expected):
    assert surgery_date(value, said_on) == expected


@pytest.mark.parametrize("value", ["P-3W", "--13-40", "yesterday", ""])
def test_nonsense_values_are_unreadable(value):
    assert surgery_date(value, TODAY) == TimeProblem("unreadable")


def test_future_and_absurd_surgery_dates():
    assert weeks_since(date(2026, 12, 5), TODAY) == TimeProblem("future")
    assert weeks_since(date(2015, 1, 1), TODAY) == TimeProblem("too_long")
    assert weeks_since(date(2026, 10, 16), TODAY) == 5


@pytest.mark.parametrize("value", ["P3000Y", "P999999999D", "P6Y", "0001-01-01"])
def test_durations_beyond_the_guide_are_too_long_not_an_error(value):
    assert surgery_date(value, TODAY) == TimeProblem("too_long") or weeks_since(
        surgery_date(value, TODAY), TODAY
    ) == TimeProblem("too_long")


def test_elapsed_in_plain_words():
    assert [describe_elapsed(w) for w in (1 / 7, 3 / 7, 2, 5.5)] == ["1 day", "3 days", "2 weeks", "5 weeks"]


def test_phase_boundaries_belong_to_the_later_phase():
    assert [phase_at(DATA.phases, w).id for w in (0, 0.9, 1, 3.9, 4, 8, 12, 30)] == [
        "first_days",
        "first_days",
        "weeks_1_to_4",
        "weeks_1_to_4",
        "weeks_4_to_8",
        "weeks_8_to_12",
        "beyond",
        "beyond",
    ]


def test_stage_reply_gives_phase_typical_avoid_and_start():
    reply = one(stage_reply(DATA.phases, 5))
    assert reply.response == "utter_timeline_stage"
    assert reply.variables["elapsed"] == "5 weeks" and reply.variables["phase_label"] == "weeks 4 to 8"
    assert "light swimming" in reply.variables["start"]
    assert "miss-weeks-4-8" in reply.cites and reply.about == {"recovery_phase": "weeks_4_to_8"}


def test_a_named_phase_needs_no_surgery_time():
    reply = one(phase_reply(DATA.phases[0]))
    assert reply.response == "utter_timeline_phase" and reply.variables["phase_label"] == "the first few days"
    assert "elapsed" not in reply.variables and reply.about == {"recovery_phase": "first_days"}


def test_procedure_reply_prefers_the_spinal_level():
    l4l5 = one(procedure_reply(procedure("fusion"), "L4-L5", DATA.general, GUIDE_PROCEDURES))
    assert l4l5.variables["procedure_label"] == "L4-L5 minimally invasive spinal fusion"
    assert "after 4 weeks" in l4l5.variables["milestones"] and l4l5.cites == ("miss-faq-l4-l5",)
    assert l4l5.about == {"procedure": "fusion", "spinal_level": "L4-L5"}
    other_level = one(procedure_reply(procedure("fusion"), "L5-S1", DATA.general, GUIDE_PROCEDURES))
    assert "Bone healing and regaining strength take 8–12 weeks" in other_level.variables[
        "milestones"
    ] and other_level.about == {"procedure": "fusion"}


def test_without_a_procedure_the_general_answer_and_the_procedures_to_choose():
    reply = one(procedure_reply(None, None, DATA.general, GUIDE_PROCEDURES))
    assert reply.response == "utter_timeline_general" and "2 to 4 weeks" in reply.variables["milestones"]
    assert [b["title"] for b in reply.buttons] == [
        "Microdiscectomy",
        "Decompression",
        "Minimally invasive spinal fusion",
    ]
    assert reply.buttons[0]["payload"] == '/inform{"procedure": "microdiscectomy"}'


def test_a_procedure_the_guide_does_not_name_is_answered_with_the_nearest_saying_so():
    nearest, answer = procedure_reply(
        procedure("laminectomy"), None, DATA.general, GUIDE_PROCEDURES, procedure("decompression")
    )
    assert nearest.response == "utter_procedure_nearest" and nearest.variables["procedure_label"] == "decompression"
    assert answer.response == "utter_timeline_procedure" and "4–8 weeks" in answer.variables["milestones"]


def test_a_procedure_with_no_timeline_gets_the_general_answer():
    reply = one(procedure_reply(procedure("disc_replacement"), None, DATA.general, GUIDE_PROCEDURES))
    assert (
        reply.response == "utter_timeline_other_procedure" and reply.variables["procedure_label"] == "disc replacement"
    )
    assert reply.variables["guide_procedures"] == "microdiscectomy, decompression and minimally invasive spinal fusion"
    assert "2 to 3 months" in reply.variables["milestones"]


def test_activity_allowed_at_the_patients_time_with_its_condition():
    reply = one(activity_reply(activity("swimming"), COVERED, procedure("decompression"), None, 5))
    assert reply.response == "utter_activity_ok_now"
    assert reply.variables["after"] == "after your decompression" and reply.variables["elapsed"] == "5 weeks"
    assert "if your doctor has cleared you" in reply.variables["window"]
    assert reply.cites == ("miss-weeks-4-8",) and reply.about == {"activity": "swimming", "procedure": "decompression"}


def test_activity_not_yet_names_when_it_typically_starts():
    reply = one(activity_reply(activity("sports"), COVERED, None, None, 3))
    assert reply.response == "utter_activity_not_yet" and "weeks 8 to 12" in reply.variables["window"]


def test_activity_to_avoid_now():
    assert (
        one(activity_reply(activity("bending_lifting"), COVERED, None, None, 2)).response == "utter_activity_avoid_now"
    )


def test_procedure_specific_windows_win_and_the_general_one_is_said_too():
    reply = one(activity_reply(activity("normal_activities"), COVERED, procedure("microdiscectomy"), None, 3))
    assert reply.variables["window"].startswith(
        "After a microdiscectomy, most patients go back to normal activity within 2–6"
    )
    assert " In general: Most patients go back to normal activities from weeks 8 to 12" in reply.variables["window"]
    assert set(reply.cites) == {"miss-recovery-by-procedure", "miss-weeks-8-12"}
    level = one(activity_reply(activity("light_activities"), COVERED, procedure("fusion"), "L4-L5", 3))
    assert level.response == "utter_activity_not_yet" and "L4–L5" in level.variables["window"]


def test_an_activity_named_in_other_words_says_which_one_it_was_taken_for():
    nearest, reply = activity_reply(activity("sports"), COVERED, by_meaning=True)
    assert nearest.response == "utter_activity_nearest" and nearest.variables["activity_label"] == "light sports"
    assert reply.response == "utter_activity_timing"


def test_without_a_time_the_windows_are_listed():
    reply = one(activity_reply(activity("stretching"), COVERED))
    assert reply.response == "utter_activity_timing" and "weeks 4 to 8" in reply.variables["windows"]


def test_uncovered_and_unknown_activities_are_never_given_a_window():
    driving = one(activity_reply(activity("driving"), COVERED, procedure("fusion"), None, 10, by_meaning=True))
    assert driving.response == "utter_activity_not_covered" and driving.cites == ()
    unknown = one(activity_reply(None, COVERED))
    assert unknown.response == "utter_activity_unknown" and "light swimming" in unknown.variables["covered_activities"]
