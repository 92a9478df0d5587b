"""Scheduled check-ins end to end, against the session's real assistant and the Twilio stand-in:
a nurse enrols an SMS patient in the console, `make check-ins-due NOW=<day 7 at their hour>`
has the Rasa server text them the day-7 message (once, however often it is run), the patient's
reply with a warning sign escalates and raises an alert, a bare yes to the check question does
too (and asks which sign), a no is thanked, STOP ends the messages; a widget
enrolment is refused with the reason; reviewers may only read."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest
from zoneinfo import ZoneInfo

from bot import settings
from bot.runtime.client import poll_until
from tests.console.staff import Staff
from tests.console.test_alerts import alert_of
from tests.rasa.channels import test_twilio
from tests.rasa.channels.test_deliveries import new_sender

SURGERY = date.today() + timedelta(days=1)  # every check-in day is still ahead at enrolment


@pytest.fixture(scope="module")
def nurse(assistant) -> Staff:
    return Staff(assistant, "nurse")


def enrolment(number: str, **change):
    return {
        "channel": "twilio",
        "address": number,
        "procedure": "fusion",
        "surgery_date": SURGERY.isoformat(),
        "timezone": "America/Los_Angeles",
        "hour": 17,
        "consent": True,
        **change,
    }


def check_ins_due(assistant, now: str) -> str:
    """`make check-ins-due NOW=...` against the session's Rasa server."""
    env = {**os.environ, "RASA_REPLICA_URLS": assistant.rasa_url, "RASA_AUTH_TOKEN": assistant.token}
    done = subprocess.run(
        [sys.executable, "-m", "bot.check_ins.due", now],
        cwd=settings.PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def texts_to(provider_api, number: str, mark: int):
    return [c.form["Body"] for c in provider_api.calls_to(test_twilio.REPLY_PATH, mark) if c.form["To"] == number]


def test_an_enrolled_sms_patient_gets_the_day_7_check_in_and_is_heard(assistant, provider_api, nurse):
    number = new_sender("twilio")
    conversation = f"twilio:{number}"
    created = nurse.call("POST", "/api/enrolments", enrolment(number))
    assert created.status_code == 201, created.text
    listed = created.json()["enrolment"]
    assert (listed["conversation_id"], listed["consent_by"]) == (conversation, nurse.username)
    day_7 = next(m for m in listed["messages"] if m["day"] == 7)
    local = datetime.fromisoformat(day_7["due_at"]).astimezone(ZoneInfo("America/Los_Angeles"))
    assert (local.date(), local.hour) == (SURGERY + timedelta(days=7), 17)
    assert nurse.call("POST", "/api/enrolments", enrolment(number)).status_code == 409

    mark = provider_api.mark()
    assert check_ins_due(assistant, day_7["due_at"]).startswith('check-ins: {"sent": ')  # other tests' due too
    check_ins_due(assistant, day_7["due_at"])  # run again: nothing resent to this patient
    [text] = texts_to(provider_api, number, mark)  # day 7 only: days 1 and 3 are too late
    assert "check-in, 7 days after your minimally invasive spinal fusion." in text
    assert "\nRecovery time: Bone healing and regaining strength take 8 to 12 weeks." in text and text.endswith(
        "If so, contact your surgeon now.\nReply STOP to end these messages."
    )
    [turn] = nurse.get(f"/api/conversations/{conversation}")["turns"]  # the clinic wrote first
    assert (turn["from"], turn["response"], turn["text"]) == ("bot", "utter_check_in", text)
    assert {"miss-warning-signs", "miss-weeks-1-4", "clinic-name"} <= {c["id"] for c in turn["cites"]}

    mark = provider_api.mark()
    assert test_twilio.deliver(assistant, number, "yes my wound is leaking").status_code == 200
    poll_until(lambda: any("contact your surgeon now" in t for t in texts_to(provider_api, number, mark)), 60, "it")
    assert alert_of(nurse, conversation)["sign"] == "wound"
    [after] = [e for e in nurse.get("/api/enrolments")["enrolments"] if e["conversation_id"] == conversation]
    statuses = {m["day"]: (m["status"], bool(m["answered_at"])) for m in after["messages"]}
    assert statuses[1][0] == statuses[3][0] == "skipped" and statuses[7] == ("sent", True)

    mark = provider_api.mark()
    test_twilio.deliver(assistant, number, "STOP")

    def stopped() -> bool:
        [found] = [e for e in nurse.get("/api/enrolments")["enrolments"] if e["conversation_id"] == conversation]
        return found["stop_reason"] == "patient"

    poll_until(stopped, 30, "the patient's STOP recorded")
    assert texts_to(provider_api, number, mark) == []  # Twilio confirms a STOP itself; the assistant is quiet
    day_14 = next(m for m in listed["messages"] if m["day"] == 14)
    mark = provider_api.mark()
    check_ins_due(assistant, day_14["due_at"])  # other tests' patients may be due then
    assert texts_to(provider_api, number, mark) == []


@pytest.mark.parametrize(
    "reply, answer, alerted",
    [
        ("Yes", "You answered yes to a warning sign. Please contact your surgeon now", True),
        ("nope, all good here", "Thank you for letting us know.", False),
    ],
)
def test_a_bare_yes_to_the_check_question_escalates_and_a_no_is_thanked(
    assistant, provider_api, nurse, reply, answer, alerted
):
    number = new_sender("twilio")
    conversation = f"twilio:{number}"
    listed = nurse.call("POST", "/api/enrolments", enrolment(number)).json()["enrolment"]
    check_ins_due(assistant, next(m for m in listed["messages"] if m["day"] == 7)["due_at"])
    mark = provider_api.mark()
    assert test_twilio.deliver(assistant, number, reply).status_code == 200
    poll_until(lambda: any(answer in t for t in texts_to(provider_api, number, mark)), 60, answer)

    def saved() -> bool:
        return len(nurse.get(f"/api/conversations/{conversation}")["turns"]) == 3

    poll_until(saved, 30, "the reply saved")  # alerts are raised as it is saved
    alerts = [a for a in nurse.get("/api/alerts")["alerts"] if a["conversation_id"] == conversation]
    assert [a["sign"] for a in alerts] == (["unspecified"] if alerted else [])


def test_a_widget_enrolment_is_refused_with_the_reason_and_reviewers_only_read(assistant, nurse):
    refused = nurse.call("POST", "/api/enrolments", enrolment("+13105550123", channel="socketio"))
    assert refused.status_code == 400
    assert "the web widget only reaches a patient while they have the clinic's page open" in refused.json()["error"]
    assert nurse.call("POST", "/api/enrolments", enrolment("+13105550123", consent=False)).status_code == 400
    reviewer = Staff(assistant, "reviewer")
    assert reviewer.call("POST", "/api/enrolments", enrolment(new_sender("twilio"))).status_code == 403
    created = nurse.call("POST", "/api/enrolments", enrolment(new_sender("twilio"))).json()["enrolment"]
    assert reviewer.call("DELETE", f"/api/enrolments/{created['id']}").status_code == 403
    assert any(e["id"] == created["id"] for e in reviewer.get("/api/enrolments")["enrolments"])
    stopped = nurse.call("DELETE", f"/api/enrolments/{created['id']}")
    assert stopped.status_code == 200 and stopped.json()["enrolment"]["stop_reason"] == "staff"
    assert {m["status"] for m in stopped.json()["enrolment"]["messages"]} == {"cancelled"}
    assert nurse.call("DELETE", f"/api/enrolments/{created['id']}").status_code == 409
    assert nurse.call("DELETE", "/api/enrolments/999999").status_code == 404


def test_a_csv_file_enrols_its_patients_and_refuses_the_rows_it_cannot_take(assistant, nurse):
    rows = [enrolment(new_sender("twilio")), enrolment(new_sender("twilio"), channel="telegram")]
    text = "\n".join(
        ["channel,address,procedure,surgery_date,timezone,hour,consent"]
        + [f"{r['channel']},{r['address']},fusion,{r['surgery_date']},{r['timezone']},17,yes" for r in rows]
    )
    result = nurse.call("POST", "/api/enrolments/import", {"csv": text}).json()
    assert len(result["enrolled"]) == 1 and [r["line"] for r in result["refused"]] == [3]
    assert "Telegram bot may only write to someone who wrote to it" in result["refused"][0]["error"]
    missing = nurse.call("POST", "/api/enrolments/import", {"csv": "channel,address\n"})
    assert missing.status_code == 400 and "lacks the column(s) procedure" in missing.json()["error"]
