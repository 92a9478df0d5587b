"""Conversations saved through the real conversation store, for the database tests."""

import asyncio
from typing import Sequence

from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.conversation_store import ConversationStore, endpoint_config


def store_for(url: str) -> ConversationStore:
    """The store as the Rasa server creates it from its endpoint configuration."""
    config = endpoint_config(url)
    return ConversationStore(host=config.url, **config.kwargs)


def conversation(sender: str, timestamp: float, text: str = "can i climb stairs?") -> DialogueStateTracker:
    events = [
        ActionExecuted("action_listen", timestamp=timestamp),
        UserUttered(text, {"name": "faq"}, timestamp=timestamp),
        BotUttered("You can usually climb stairs within a few days.", timestamp=timestamp + 1),
    ]
    return DialogueStateTracker.from_events(sender, events)


def save(store: ConversationStore, trackers: Sequence[DialogueStateTracker]) -> None:
    async def save_all() -> None:
        for tracker in trackers:
            await store.save(tracker)

    asyncio.run(save_all())


def retrieve(store: ConversationStore, sender: str):
    return asyncio.run(store.retrieve(sender))
