"""The widget's channel: a message whose conversation cannot be stored shows no reply, and is
answered once when the widget sends it again."""

import asyncio
import uuid

from bot.names import Channel, ClientMessage, SocketEvent
from tests.rasa.stores import held_by_another_writer
from tests.test_server_privacy import WidgetClient, wait_for

QUESTION = "will there be screws and rods in my back after fusion?"
OUTAGE_SECONDS = 90  # the store waits 30 s for its database, each try up to SQLite's 5 s


def test_a_message_that_cannot_be_stored_shows_no_reply_and_is_answered_once_when_sent_again(
    shared_assistant, tmp_path
):
    patient = WidgetClient()
    not_handled: list = []
    message = {"message": QUESTION, ClientMessage.MESSAGE_ID: uuid.uuid4().hex, ClientMessage.RETRY: False}

    async def scenario() -> None:
        patient.sio.on(SocketEvent.NOT_HANDLED, not_handled.append)
        await patient.start(shared_assistant.rasa_url)
        await patient.say("hello", replies=2)  # the disclaimer and the greeting: the conversation is stored
        shown = len(patient.replies)
        with held_by_another_writer(tmp_path / "conversations.db"):
            await patient.sio.emit(SocketEvent.USER_UTTERED, message)
            await wait_for(lambda: not_handled, timeout=OUTAGE_SECONDS)
        assert len(patient.replies) == shown  # the replies made before the failure were never shown
        await patient.sio.emit(SocketEvent.USER_UTTERED, {**message, ClientMessage.RETRY: True})
        await wait_for(lambda: any("rods" in reply.get("text", "") for reply in patient.replies[shown:]))
        await patient.sio.disconnect()

    asyncio.run(scenario())
    assert not_handled == [{ClientMessage.MESSAGE_ID: message[ClientMessage.MESSAGE_ID]}]
    conversation = f"{Channel.SOCKETIO}:{patient.session['session_id']}"
    tracker = shared_assistant.client()._get(f"/conversations/{conversation}/tracker")
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["hello", QUESTION]
