"""Handoffs (bot/handoffs.py): a conversation goes to the staff and back, once per request; a
call-back number is kept only with consent's form and while the staff have the conversation."""

import pytest

from bot import audit, handoffs
from bot.database import database


@pytest.fixture
def engine(tmp_path):
    return database(f"sqlite:///{tmp_path / 'handoffs.db'}")


def test_a_conversation_goes_to_the_staff_and_back(engine):
    handoff = handoffs.start(engine, "twilio:+15550001111", handoffs.PATIENT)
    assert handoff is not None and (handoff.channel, handoff.started_by) == ("twilio", handoffs.PATIENT)
    assert handoffs.start(engine, "twilio:+15550001111", "nurse-ann") is None  # with the staff already
    assert handoffs.active(engine, "twilio:+15550001111") == handoff
    assert [h["conversation_id"] for h in handoffs.listing(engine)] == ["twilio:+15550001111"]
    assert handoffs.end(engine, "twilio:+15550001111", "nurse-ann")
    assert not handoffs.end(engine, "twilio:+15550001111", "nurse-ann")
    assert handoffs.active(engine, "twilio:+15550001111") is None and handoffs.listing(engine) == []
    assert [(e["user"], e["action"]) for e in audit.entries(engine)] == [
        ("nurse-ann", "handoff_ended"),
        (handoffs.PATIENT, "handoff_started"),
    ]


def test_a_request_already_answered_by_a_handoff_is_not_handed_off_again(engine):
    handoffs.start(engine, "socketio:abc", handoffs.PATIENT)
    started = handoffs.active(engine, "socketio:abc").started_at
    assert handoffs.started_since(engine, "socketio:abc", started - 5)
    assert not handoffs.started_since(engine, "socketio:abc", started + 5)


@pytest.mark.parametrize("number", ["+1 310 555 0100", "(310) 555-0100", "0044 20 7946 0958"])
def test_a_call_back_number_is_kept_while_the_staff_have_the_conversation(engine, number):
    assert not handoffs.leave_callback_number(engine, "socketio:abc", number)  # not with the staff
    handoffs.start(engine, "socketio:abc", handoffs.PATIENT)
    assert handoffs.leave_callback_number(engine, "socketio:abc", number)
    assert handoffs.active(engine, "socketio:abc").callback_number == number


@pytest.mark.parametrize("text", ["", "call me", "12", "+1 310 555 0100; DROP TABLE", "1" * 30])
def test_anything_but_a_phone_number_is_refused(engine, text):
    handoffs.start(engine, "socketio:abc", handoffs.PATIENT)
    assert not handoffs.leave_callback_number(engine, "socketio:abc", text)


def test_the_console_sees_activity_in_conversations_with_the_staff(engine):
    assert handoffs.activity(engine) == (0, 0.0)
    handoffs.start(engine, "socketio:abc", "nurse-ann")
    count, changed = handoffs.activity(engine)
    assert count == 1 and changed > 0
    assert list(handoffs.daily(engine, None, None).values()) == [1]
