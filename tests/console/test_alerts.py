"""Alerts in the console's API, against the session's real assistant: a patient's warning sign
shows in the live queue (server-sent events) and pages the on-call list by e-mail (the local SMTP
server), the next person when nobody acknowledges; a nurse acknowledges and resolves, a reviewer
may not; test traffic pages nobody; erasing the conversation erases its alert."""

from __future__ import annotations

import json
import secrets
from typing import Any, Dict, Iterator

import pytest
import requests

from bot.runtime.client import poll_until
from tests.conftest import ALERT_ACKNOWLEDGE_MINUTES, ON_CALL
from tests.console.staff import Staff

WARNING_SIGN = "I have a fever and chills since last night"


@pytest.fixture(scope="module")
def nurse(assistant) -> Staff:
    return Staff(assistant, "nurse")


@pytest.fixture(scope="module")
def reviewer(assistant) -> Staff:
    return Staff(assistant, "reviewer")


def patient_says(assistant, text: str, test_traffic: bool = False) -> str:
    """A clinic's server relaying a patient's message over the REST channel; the conversation id."""
    sender = f"patient-{secrets.token_hex(4)}"
    body: Dict[str, Any] = {"sender": sender, "message": text}
    if test_traffic:
        body["test_traffic"] = True
    reply = requests.post(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        json=body,
        headers={"Authorization": f"Bearer {assistant.token}"},
        timeout=60,
    )
    reply.raise_for_status()
    return f"rest:{sender}"


def alert_of(staff: Staff, conversation: str, test: bool = False) -> Dict[str, Any]:
    found: Dict[str, Any] = {}

    def listed() -> bool:
        alerts = staff.get("/api/alerts" + ("?test=1" if test else ""))["alerts"]
        found.update(next((a for a in alerts if a["conversation_id"] == conversation), {}))
        return bool(found)

    poll_until(listed, 30, f"an alert for {conversation}", interval_seconds=0.2)
    return found


def events(staff: Staff) -> Iterator[Dict[str, Any]]:
    """The console's live queue: each `alerts` event's data."""
    with staff.http.get(f"{staff.base_url}/api/alerts/stream", stream=True, timeout=60) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        name = ""
        for line in stream.iter_lines(decode_unicode=True):
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: ") and name == "alerts":
                yield json.loads(line[len("data: ") :])


def test_a_warning_sign_is_queued_live_paged_escalated_then_acknowledged_and_resolved(
    assistant, nurse, reviewer, on_call_mailbox
):
    live = events(nurse)
    before = next(live)
    mark = on_call_mailbox.mark()
    conversation = patient_says(assistant, WARNING_SIGN)
    assert next(live)["open"] >= before["open"]  # the stream speaks as soon as the alert is raised
    alert = alert_of(nurse, conversation)
    assert (alert["state"], alert["sign"], alert["channel"], alert["text"]) == ("open", "fever", "rest", WARNING_SIGN)

    link = f"#alerts/{alert['id']} "
    [page] = on_call_mailbox.wait_for(mark, to=ON_CALL[0], containing=link)
    content = page.get_content()
    assert "fever" in page["Subject"]
    assert WARNING_SIGN not in content and "chills" not in content + page["Subject"]
    on_call_mailbox.wait_for(mark, to=ON_CALL[1], containing=link, timeout=ALERT_ACKNOWLEDGE_MINUTES * 60 + 30)

    assert reviewer.call("POST", f"/api/alerts/{alert['id']}/acknowledge").status_code == 403
    acknowledged = nurse.call("POST", f"/api/alerts/{alert['id']}/acknowledge")
    assert acknowledged.status_code == 200 and acknowledged.json()["alert"]["acknowledged_by"] == nurse.username
    assert nurse.call("POST", f"/api/alerts/{alert['id']}/acknowledge").status_code == 409
    resolved = nurse.call("POST", f"/api/alerts/{alert['id']}/resolve").json()["alert"]
    assert (resolved["state"], resolved["resolved_by"]) == ("resolved", nurse.username)
    assert nurse.call("POST", "/api/alerts/987654321/resolve").status_code == 404

    admin = Staff(assistant, "admin")
    actions = [
        (e["user"], e["action"]) for e in admin.get("/api/audit")["entries"] if f"alert {alert['id']}" in e["target"]
    ]
    assert ("assistant", "alert_raised") in actions and ("assistant", "alert_paged") in actions
    assert (nurse.username, "alert_acknowledged") in actions and (nurse.username, "alert_resolved") in actions


def test_test_traffic_raises_a_marked_alert_that_pages_nobody(assistant, nurse, on_call_mailbox):
    mark = on_call_mailbox.mark()
    conversation = patient_says(assistant, WARNING_SIGN, test_traffic=True)
    alert = alert_of(nurse, conversation, test=True)
    assert alert["test_traffic"] is True
    assert conversation not in [a["conversation_id"] for a in nurse.get("/api/alerts")["alerts"]]
    with pytest.raises(TimeoutError):
        on_call_mailbox.wait_for(mark, timeout=5, containing=f"#alerts/{alert['id']} ")


def test_erasing_a_conversation_erases_its_alert(assistant, nurse):
    conversation = patient_says(assistant, WARNING_SIGN)
    alert_of(nurse, conversation)
    admin = Staff(assistant, "admin")
    assert admin.call("DELETE", f"/api/conversations/{conversation}").status_code == 200
    assert conversation not in [a["conversation_id"] for a in nurse.get("/api/alerts")["alerts"]]
