"""The conversation store during a database outage: the failure is visible (a count and a log
line with the driver's message but without content), the conversation is kept in memory and
saved once the database is back."""

import logging
import time

from bot.rasa.conversation_store import ConversationStore
from tests.rasa.stores import conversation, retrieve, save, store_for


def test_an_outage_is_counted_logged_without_content_and_caught_up(postgres, caplog):
    store = store_for(postgres.url)
    sender = "telegram:outage"
    failures = ConversationStore.failures
    postgres.stop()
    try:
        with caplog.at_level(logging.ERROR):
            save(store, [conversation(sender, time.time(), "CANARY my incision is leaking")])
        assert ConversationStore.failures > failures
        assert "conversation store: save failed (OperationalError: (psycopg2.OperationalError)" in caplog.text
        assert "CANARY" not in caplog.text and sender not in caplog.text
        assert retrieve(store, sender) is not None  # still answered from memory meanwhile
    finally:
        postgres.start()
    save(store, [conversation("telegram:after", time.time())])  # the next save writes both
    fresh = store_for(postgres.url)
    assert retrieve(fresh, sender) is not None and retrieve(fresh, "telegram:after") is not None
    assert store.unsaved == {}
