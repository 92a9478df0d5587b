"""After a conversation is saved (bot/rasa/staff.py): a patient who asked for a person is handed
to the staff once, not again after the staff handed the conversation back."""

import pytest
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import handoffs
from bot.database import database
from bot.names import Response
from bot.rasa import staff

AT = 1_764_900_000.0


@pytest.fixture
def engine(tmp_path):
    return database(f"sqlite:///{tmp_path / 'staff.db'}")


def user(text: str, at: float) -> UserUttered:
    event = UserUttered(text)
    event.timestamp = at
    return event


def tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("socketio:abc", list(events))


ASKED = [
    user("can i talk to a nurse", AT),
    BotUttered("I've asked...", metadata={"utter_action": Response.HUMAN_HANDOFF}),
]


def test_the_latest_turns_handoff_reply_is_a_request():
    assert staff.handoff_requested(tracker(*ASKED)) == AT
    assert staff.handoff_requested(tracker(*ASKED, user("thanks", AT + 9))) is None
    assert staff.handoff_requested(tracker(user("hi", AT), BotUttered("Hello!"))) is None


def test_a_request_hands_the_conversation_to_the_staff_once(engine):
    staff.after_save(engine, tracker(*ASKED))
    assert handoffs.active(engine, "socketio:abc").started_by == handoffs.PATIENT
    handoffs.end(engine, "socketio:abc", "nurse-ann")
    staff_said = BotUttered("handed back", metadata={"utter_action": Response.STAFF_LEFT})
    staff.after_save(engine, tracker(*ASKED, staff_said))  # saved again, the request still the latest turn
    assert handoffs.active(engine, "socketio:abc") is None
