"""Enrolment in scheduled check-ins (bot/check_ins): what is refused and why, due times at the
patient's hour in their time zone, claims that one sender wins, the missed-send rule, stop and
restart, replies, STOP / START words."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from bot import audit, check_ins
from bot.check_ins import EnrolmentError, Request, Schedule
from bot.database import CHECK_IN_ENROLMENTS, CHECK_IN_MESSAGES, database
from bot.timelines.data import timeline_data
from tests.rasa.stores import DATABASES, database_url

SCHEDULE = Schedule(days=(1, 3, 7, 14, 28, 42, 84), quiet_hours=(21, 8), late_hours=4)
ENROLLED_AT = datetime(2026, 1, 5, 20, 0, tzinfo=timezone.utc).timestamp()
REQUEST = Request("twilio", "+1 310 555 0123", "microdiscectomy", "2026-01-05", "America/Los_Angeles", 17, True)


def at(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@pytest.fixture(params=DATABASES)
def engine(request, tmp_path):
    """A new SQLite database, or the session's PostgreSQL with the check-ins emptied."""
    return database(database_url(request, tmp_path, CHECK_IN_MESSAGES, CHECK_IN_ENROLMENTS))


def enrol(engine, request=REQUEST, now=ENROLLED_AT):
    return check_ins.enrol(engine, request, timeline_data(), SCHEDULE, "nora", now=now)


def test_an_enrolment_schedules_every_day_at_the_patients_hour_in_their_time_zone(engine):
    enrolment_id = enrol(engine)
    [listed] = check_ins.listing(engine)
    assert listed["id"] == enrolment_id and listed["conversation_id"] == "twilio:+13105550123"
    assert (listed["consent_by"], listed["address"]) == ("nora", "+13105550123")
    due = {m["day"]: m["due_at"] for m in listed["messages"]}
    assert due[1] == "2026-01-07T01:00:00+00:00"  # 17:00 in Los Angeles (PST, UTC-8), the day after
    assert due[7] == "2026-01-13T01:00:00+00:00"
    assert due[84] == "2026-03-31T00:00:00+00:00"  # daylight saving time by then (PDT, UTC-7)
    assert {m["status"] for m in listed["messages"]} == {check_ins.SCHEDULED}
    assert audit.entries(engine)[0]["action"] == "check_in_enrolled"


@pytest.mark.parametrize(
    "change, error",
    [
        ({"channel": "socketio"}, "web widget only reaches a patient while they have the clinic's page open"),
        ({"channel": "telegram"}, "channel 'telegram' cannot be used for check-ins"),
        ({"channel": "facebook"}, "24 hours"),
        ({"channel": "slack"}, "Slack"),
        ({"channel": "rest"}, "cannot reach a patient"),
        ({"channel": "twilio_whatsapp"}, "set CHECK_IN_WHATSAPP_TEMPLATE"),
        ({"channel": "pager"}, "unknown channel"),
        ({"address": "555-CALL"}, "E.164"),
        ({"procedure": "disc_replacement"}, "has no timeline in the guide: use one of microdiscectomy"),
        ({"procedure": "hip"}, "has no timeline"),
        ({"surgery_date": "2026-02-30"}, "not a date: write YYYY-MM-DD"),
        ({"time_zone": "Mars/Olympus"}, "IANA name such as America/Los_Angeles"),
        ({"hour": 22}, "quiet hours"),
        ({"hour": 6}, "quiet hours"),
        ({"hour": "9"}, "whole number from 0 to 23"),
        ({"consent": False}, "consent is missing"),
        ({"consent": "yes"}, "consent is missing"),
        ({"surgery_date": "2025-01-05"}, "has passed"),
    ],
)
def test_an_enrolment_the_assistant_cannot_take_is_refused_with_the_reason(engine, change, error):
    with pytest.raises(EnrolmentError, match=error.replace("(", r"\(").replace(")", r"\)")):
        enrol(engine, replace(REQUEST, **change))
    assert check_ins.listing(engine) == []


def test_whatsapp_with_an_approved_template_is_taken(engine):
    request = replace(REQUEST, channel="twilio_whatsapp", address="whatsapp:+13105550123")
    with_template = replace(SCHEDULE, whatsapp_template="HX0123")
    check_ins.enrol(engine, request, timeline_data(), with_template, "nora", ENROLLED_AT)
    assert check_ins.listing(engine)[0]["conversation_id"] == "twilio_whatsapp:whatsapp:+13105550123"


def test_a_patient_is_enrolled_once_while_their_messages_run(engine):
    enrolment_id = enrol(engine)
    with pytest.raises(EnrolmentError, match=f"enrolled already \\(enrolment {enrolment_id}\\)"):
        enrol(engine)
    check_ins.stop(engine, enrolment_id, check_ins.BY_STAFF, "nora", now=ENROLLED_AT)
    assert enrol(engine) != enrolment_id


def test_only_the_days_still_ahead_are_scheduled(engine):
    enrol(engine, now=at("2026-01-10T00:00:00+00:00"))
    assert [m["day"] for m in check_ins.listing(engine)[0]["messages"]] == [7, 14, 28, 42, 84]


def test_nothing_is_claimed_before_its_time_and_each_message_once(engine):
    enrol(engine)
    assert check_ins.claim_due(engine, SCHEDULE, now=at("2026-01-07T00:59:59+00:00")) == []
    [due] = check_ins.claim_due(engine, SCHEDULE, now=at("2026-01-07T01:00:00+00:00"))
    assert (due.day, due.enrolment.address, due.enrolment.procedure) == (1, "+13105550123", "microdiscectomy")
    assert check_ins.claim_due(engine, SCHEDULE, now=at("2026-01-07T01:01:00+00:00")) == []


def test_two_senders_claiming_at_once_share_the_messages_out(engine):
    for number in range(5):
        enrol(engine, replace(REQUEST, address=f"+1310555010{number}"))
    moment = at("2026-01-07T01:00:00+00:00")
    with ThreadPoolExecutor(4) as pool:
        claims = list(pool.map(lambda _: check_ins.claim_due(engine, SCHEDULE, now=moment), range(4)))
    ids = [due.message_id for claim in claims for due in claim]
    assert len(ids) == len(set(ids)) == 5


def test_a_message_too_late_or_due_in_quiet_hours_is_skipped_and_recorded(engine):
    enrol(engine)
    # day 1 (01:00 UTC, 17:00 local) comes up 5 hours late: skipped; day 3 is late by less than 6 hours
    # but comes up at 21:30 local: skipped too
    assert check_ins.claim_due(engine, SCHEDULE, now=at("2026-01-07T06:00:00+00:00")) == []
    assert check_ins.claim_due(engine, replace(SCHEDULE, late_hours=6), now=at("2026-01-09T05:30:00+00:00")) == []
    [day1, day3, day7, *_] = check_ins.listing(engine)[0]["messages"]
    assert (day1["status"], day1["problem"]) == (check_ins.SKIPPED, "missed: too late")
    assert (day3["status"], day3["problem"]) == (check_ins.SKIPPED, "missed: quiet hours")
    [due] = check_ins.claim_due(engine, SCHEDULE, now=at("2026-01-13T03:59:00+00:00"))  # 2 h 59 late: sent
    assert due.day == 7


def test_stop_cancels_what_is_ahead_and_start_schedules_it_again(engine):
    enrolment_id = enrol(engine)
    assert check_ins.stop(engine, enrolment_id, check_ins.BY_PATIENT, "patient", now=ENROLLED_AT)
    assert not check_ins.stop(engine, enrolment_id, check_ins.BY_PATIENT, "patient", now=ENROLLED_AT)
    assert check_ins.claim_due(engine, SCHEDULE, now=at("2026-01-07T01:00:00+00:00")) == []
    later = at("2026-01-10T00:00:00+00:00")
    assert check_ins.restart(engine, enrolment_id, "patient", now=later)
    statuses = {m["day"]: m["status"] for m in check_ins.listing(engine)[0]["messages"]}
    assert statuses[1] == statuses[3] == check_ins.CANCELLED and statuses[7] == check_ins.SCHEDULED
    assert [e["action"] for e in audit.entries(engine)[:2]] == ["check_in_restarted", "check_in_stopped"]


def test_a_reply_answers_the_check_ins_sent_before_it(engine):
    enrol(engine)
    [due] = check_ins.claim_due(engine, SCHEDULE, now=at("2026-01-07T01:00:00+00:00"))
    check_ins.finish(engine, due.message_id, check_ins.SENT, now=at("2026-01-07T01:00:01+00:00"))
    check_ins.answered(engine, "twilio:+13105550123", at("2026-01-07T02:00:00+00:00"))
    [day1, *_] = check_ins.listing(engine)[0]["messages"]
    assert (day1["status"], day1["answered_at"]) == (check_ins.SENT, "2026-01-07T02:00:00+00:00")


@pytest.mark.parametrize(
    "text, word",
    [("STOP", "stop"), ("Stop.", "stop"), ("stop messages", "stop"), ("unsubscribe", "stop"), ("START", "start")],
)
def test_stop_and_start_words(text, word):
    assert check_ins.opt_out_word(text) == word


@pytest.mark.parametrize("text", ["yes", "no, all fine", "stop the pain", "when can I start swimming?"])
def test_other_messages_are_no_stop_or_start(text):
    assert check_ins.opt_out_word(text) is None


def sent(answered: bool = False) -> dict:
    return {"sent_at": "2026-01-07T01:00:01+00:00", "answered_at": "2026-01-07T02:00:00+00:00" if answered else None}


@pytest.mark.parametrize(
    "messages, silent",
    [
        ([], 0),
        ([sent(True), sent(), sent()], 2),
        ([sent(), sent(True), sent()], 1),
        ([sent(), sent(), {"sent_at": None, "answered_at": None}], 2),  # one still ahead
    ],
)
def test_check_ins_sent_without_an_answer_in_a_row_are_counted_for_the_staff(messages, silent):
    assert check_ins.unanswered_in_a_row(messages) == silent


def test_the_response_rate_counts_the_check_ins_sent_and_answered(engine):
    enrol(engine)
    for moment in ("2026-01-07T01:00:00+00:00", "2026-01-09T01:00:00+00:00"):
        [due] = check_ins.claim_due(engine, SCHEDULE, now=at(moment))
        check_ins.finish(engine, due.message_id, check_ins.SENT, now=at(moment))
        if moment.startswith("2026-01-07"):
            check_ins.answered(engine, "twilio:+13105550123", at("2026-01-07T02:00:00+00:00"))
    assert check_ins.response_rate(engine, None, None) == {"sent": 2, "answered": 1}
    assert check_ins.listing(engine)[0]["unanswered_in_a_row"] == 1
    assert check_ins.response_rate(engine, at("2026-01-08T00:00:00+00:00"), None) == {"sent": 1, "answered": 0}
