"""A conversation handed to the staff, through the console's API against the session's real
assistant: on the REST channel (staff messages come with the client's next request) and on SMS
through the Twilio stand-in (the provider's own request signature); the assistant stays quiet
but for warning signs, which still escalate and alert; transcripts show who said what."""

from __future__ import annotations

import secrets
from typing import Any, Dict, List

import pytest
import requests

from bot.runtime.client import poll_until
from tests.conftest import ON_CALL
from tests.console.staff import Staff
from tests.console.test_alerts import alert_of
from tests.rasa.channels import test_twilio
from tests.rasa.channels.test_deliveries import new_sender

ASK_FOR_A_PERSON = "i want to speak to a human"
WARNING_SIGN = "my wound is red and leaking since this morning"


@pytest.fixture(scope="module")
def nurse(assistant) -> Staff:
    return Staff(assistant, "nurse")


def rest(assistant, sender: str, text: str) -> List[Dict[str, Any]]:
    """A clinic's server relaying the patient's message; the messages in the reply."""
    reply = requests.post(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers={"Authorization": f"Bearer {assistant.token}"},
        timeout=60,
    )
    reply.raise_for_status()
    return reply.json()


def handoff_of(staff: Staff, conversation: str) -> Dict[str, Any]:
    found: Dict[str, Any] = {}

    def listed() -> bool:
        found.update(
            next((h for h in staff.get("/api/handoffs")["handoffs"] if h["conversation_id"] == conversation), {})
        )
        return bool(found)

    poll_until(listed, 30, f"{conversation} with the staff", interval_seconds=0.2)
    return found


def test_rest_a_patient_asks_for_a_person_a_nurse_answers_and_hands_back(assistant, nurse):
    sender = f"patient-{secrets.token_hex(4)}"
    conversation = f"rest:{sender}"
    asked = rest(assistant, sender, ASK_FOR_A_PERSON)
    assert any("asked the clinic's staff" in m["text"] for m in asked)
    assert handoff_of(nurse, conversation)["started_by"] == "patient"

    reviewer = Staff(assistant, "reviewer")
    assert reviewer.call("POST", f"/api/conversations/{conversation}/handoff").status_code == 403
    assert nurse.call("POST", f"/api/conversations/{conversation}/handoff").status_code == 200
    escalated = rest(assistant, sender, WARNING_SIGN)  # the red-flag net still runs while with the staff
    assert "joined this conversation" in escalated[0]["text"]
    assert any("contact your surgeon now" in m["text"] for m in escalated[1:])
    alert = alert_of(nurse, conversation)
    assert alert["sign"] == "wound"
    assert nurse.call("POST", f"/api/alerts/{alert['id']}/resolve").ok

    assert nurse.call("POST", f"/api/conversations/{conversation}/messages", {"text": "Hello, this is Ann."}).ok
    waiting = rest(assistant, sender, "where is the clinic?")  # not answered by the assistant
    assert [m["text"] for m in waiting] == ["Clinic staff: Hello, this is Ann."]
    assert rest(assistant, sender, "ok thanks") == []
    assert rest(assistant, sender, "bye for now") == []

    assert nurse.call("POST", f"/api/conversations/{conversation}/handback").status_code == 200
    assert nurse.call("POST", f"/api/conversations/{conversation}/handback").status_code == 409
    back = rest(assistant, sender, "where is the clinic?")
    assert "handed this conversation back" in back[0]["text"]
    assert any("8631 W. 3rd Street" in m["text"] for m in back[1:]), back

    turns = nurse.get(f"/api/conversations/{conversation}")["turns"]
    joined = next(t for t in turns if t.get("response") == "utter_staff_joined")
    assert "miss-warning-signs" in [c["id"] for c in joined["cites"]]
    staff_turns = [t for t in turns if t["from"] == "staff"]
    assert [(t["staff"], t["text"]) for t in staff_turns] == [(nurse.username, "Clinic staff: Hello, this is Ann.")]
    patient = [t["text"] for t in turns if t["from"] == "patient"]
    assert "ok thanks" in patient  # kept for the staff, though the assistant did not answer
    actions = {
        e["action"] for e in Staff(assistant, "admin").get("/api/audit")["entries"] if e["target"] == conversation
    }
    assert {"handoff_started", "handoff_taken", "staff_reply", "handoff_ended"} <= actions


def texts_to(provider_api, number: str, mark: int) -> List[str]:
    return [c.form["Body"] for c in provider_api.calls_to(test_twilio.REPLY_PATH, mark) if c.form["To"] == number]


def test_sms_a_warning_sign_alerts_and_pages_a_nurse_takes_over_replies_by_sms_and_hands_back(
    assistant, provider_api, nurse, on_call_mailbox
):
    number = new_sender("twilio")
    conversation = f"twilio:{number}"
    mark, mailed = provider_api.mark(), on_call_mailbox.mark()
    test_twilio.deliver(assistant, number, WARNING_SIGN)
    poll_until(
        lambda: any("contact your surgeon now" in t for t in texts_to(provider_api, number, mark)), 30, "escalation"
    )
    alert = alert_of(nurse, conversation)
    assert (alert["channel"], alert["sign"]) == ("twilio", "wound")
    [page] = on_call_mailbox.wait_for(mailed, to=ON_CALL[0], containing=f"#alerts/{alert['id']} ")
    assert number not in page.get_content() and "leaking" not in page.get_content()
    assert nurse.call("POST", f"/api/alerts/{alert['id']}/acknowledge").ok

    mark = provider_api.mark()
    assert nurse.call("POST", f"/api/conversations/{conversation}/handoff").status_code == 200
    assert nurse.call("POST", f"/api/conversations/{conversation}/handoff").status_code == 409  # hers already
    nurse.call("POST", f"/api/conversations/{conversation}/messages", {"text": "Hi, a nurse here. How are you?"})
    poll_until(lambda: len(texts_to(provider_api, number, mark)) >= 2, 30, "the staff's texts")
    joined, message = texts_to(provider_api, number, mark)[:2]
    assert "joined this conversation" in joined and message == "Clinic staff: Hi, a nurse here. How are you?"

    mark = provider_api.mark()
    assert test_twilio.deliver(assistant, number, "fine, just a bit sore").status_code == 200
    with pytest.raises(TimeoutError):  # the assistant does not answer: the nurse does
        poll_until(lambda: bool(texts_to(provider_api, number, mark)), 3, "a reply")

    assert nurse.call("POST", f"/api/conversations/{conversation}/handback").status_code == 200
    poll_until(lambda: len(texts_to(provider_api, number, mark)) >= 1, 30, "the hand-back notice")
    mark = provider_api.mark()
    test_twilio.deliver(assistant, number, "thanks")
    poll_until(lambda: any("welcome" in t for t in texts_to(provider_api, number, mark)), 30, "the assistant's answer")
    assert nurse.call("POST", f"/api/alerts/{alert['id']}/resolve").ok


def test_a_staff_reply_needs_the_conversation_taken_over(assistant, nurse):
    sender = f"patient-{secrets.token_hex(4)}"
    rest(assistant, sender, "hello")
    reply = nurse.call("POST", f"/api/conversations/rest:{sender}/messages", {"text": "hi"})
    assert reply.status_code == 409 and "take the conversation over first" in reply.json()["error"]
    assert nurse.call("POST", "/api/conversations/rest:nobody-here/handoff").status_code == 404
