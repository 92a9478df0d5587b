"""A message its client sends again (same message id, retry) is answered once, and a conversation
the store could not save is never kept aside in memory (bot/rasa/agent.py)."""

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel

from bot.names import ClientMessage
from bot.rasa.agent import OnceAgent, noting_responses
from tests.rasa.stores import store_for

QUESTION = "will there be metal in my back after fusion?"


def user_messages(client, sender):
    return [e for e in client.tracker(sender)["events"] if e["event"] == "user"]


def test_a_resent_message_gets_the_stored_replies_and_is_stored_once(client, sender):
    first = client.send(sender, QUESTION, **{ClientMessage.MESSAGE_ID: "resent-0001"})
    again = client.send(sender, QUESTION, **{ClientMessage.MESSAGE_ID: "resent-0001", ClientMessage.RETRY: True})
    assert [m["text"] for m in again] == [m["text"] for m in first][1:]  # all but the session's disclaimer
    assert [e["message_id"] for e in user_messages(client, sender)] == ["resent-0001"]


def test_a_retry_of_a_message_that_never_arrived_is_processed(client, sender):
    replies = client.send(sender, QUESTION, **{ClientMessage.MESSAGE_ID: "never-seen-01", ClientMessage.RETRY: True})
    assert any("metal" in m["text"].lower() or "hardware" in m["text"].lower() for m in replies)
    assert len(user_messages(client, sender)) == 1


def test_a_new_message_id_is_a_new_message_and_bad_ids_are_ignored(client, sender):
    client.send(sender, QUESTION, **{ClientMessage.MESSAGE_ID: "first-message"})
    client.send(sender, QUESTION, **{ClientMessage.MESSAGE_ID: "second-message", ClientMessage.RETRY: True})
    client.send(sender, QUESTION, **{ClientMessage.MESSAGE_ID: "<bad id>", ClientMessage.RETRY: True})
    ids = [e["message_id"] for e in user_messages(client, sender)]
    assert ids[:2] == ["first-message", "second-message"] and len(ids) == 3 and ids[2] != "<bad id>"


def test_the_responses_sent_are_noted_while_answering_and_only_then():
    output, names = CollectingOutputChannel(), []
    with noting_responses(output, names):
        asyncio.run(output.send_response("rest:a", {"text": "Call now.", "utter_action": "utter_red_flag"}))
        asyncio.run(output.send_response("rest:a", {"text": "Again.", "metadata": {"utter_action": "utter_default"}}))
    asyncio.run(output.send_response("rest:a", {"text": "Later.", "utter_action": "utter_greet"}))
    assert names == ["utter_red_flag", "utter_default"]
    assert [m["text"] for m in output.messages] == ["Call now.", "Again.", "Later."]
    assert "send_response" not in vars(output)


def test_the_agent_uses_the_conversation_store_itself_not_rasas_fail_safe_wrapper(tmp_path):
    """Rasa's FailSafeTrackerStore would keep what a shared store could not save in memory."""
    store = store_for(f"sqlite:///{tmp_path / 'conversations.db'}")
    assert OnceAgent(tracker_store=store).tracker_store is store
