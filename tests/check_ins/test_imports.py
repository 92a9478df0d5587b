"""Enrolling patients from a CSV file (bot/check_ins/imports.py): each row enrolled or refused
with its line and reason."""

import pytest

from bot import check_ins
from bot.check_ins import imports
from bot.database import database
from bot.timelines.data import timeline_data
from tests.check_ins.test_enrolment import ENROLLED_AT, SCHEDULE

HEADER = "channel,address,procedure,surgery_date,timezone,hour,consent\n"


@pytest.fixture
def engine(tmp_path):
    return database(f"sqlite:///{tmp_path / 'imports.db'}")


def test_each_row_is_enrolled_or_refused_with_its_line_and_reason(engine):
    text = HEADER + (
        "twilio,+13105550101,fusion,2026-01-05,America/Los_Angeles,17,yes\n"
        "socketio,+13105550102,fusion,2026-01-05,America/Los_Angeles,17,yes\n"
        "twilio,+13105550103,fusion,2026-01-05,America/Los_Angeles,9am,yes\n"
        "twilio,+13105550104,fusion,2026-01-05,America/Los_Angeles,10,no\n"
    )
    result = imports.enrol_rows(engine, text, timeline_data(), SCHEDULE, "nora", now=ENROLLED_AT)
    assert len(result["enrolled"]) == 1
    assert [(r["line"], r["error"].split(":")[0]) for r in result["refused"]] == [
        (3, "channel 'socketio' cannot be used for check-ins"),
        (4, "hour '9am' is not an hour"),
        (5, "consent is missing"),
    ]
    assert [e["address"] for e in check_ins.listing(engine)] == ["+13105550101"]


def test_a_file_without_the_columns_is_refused_naming_them(engine):
    with pytest.raises(check_ins.EnrolmentError, match="lacks the column\\(s\\) hour, consent: its first line must be"):
        imports.enrol_rows(engine, HEADER.split(",hour")[0] + "\n", timeline_data(), SCHEDULE, "nora")
