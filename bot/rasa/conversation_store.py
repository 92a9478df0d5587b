"""Conversations that survive a restart: Rasa's SQL tracker store, with outages made visible.

The Rasa server stores every conversation in the database of TRACKER_DATABASE_URL (an SQLite
file under var/ by default, PostgreSQL in production), named in endpoints.yml. Rasa would fall back to memory without a
word when the database fails, and its error messages can quote the SQL it ran, message text
included. Here a failure is logged with the error's type and a running count only
(`failures`), never with data; a conversation that could not be saved is kept in memory and
written as soon as the database answers again, so nothing said during an outage is lost unless
the server stops before the database comes back (docs/privacy.md).

Several replicas sharing the database (`make cluster`) must not keep a conversation in one
replica's memory: its next message may reach another replica, which would not see it. A shared
store therefore waits for the database (up to OUTAGE_WAIT_SECONDS, holding the conversation's
lock) and then fails the message, which the client sends again; nothing is kept in memory.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot import logs
from bot.database import database
from bot.rasa import staff

logger = logging.getLogger(__name__)


OUTAGE_WAIT_SECONDS = 30
RETRY_PAUSE_SECONDS = 0.5


class StoreUnavailable(RuntimeError):
    """The shared conversation database did not answer in time (the message is not processed)."""


class ConversationStore(SQLTrackerStore):
    """SQLTrackerStore that keeps what it could not save and says so without the content. Rasa
    creates it from endpoints.yml's `tracker_store`: `url` the database's URL, `shared` not empty
    (the lock store's URL) when several replicas share the database."""

    failures = 0

    def __init__(self, *args: Any, shared: Any = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shared = bool(shared)
        self.unsaved: Dict[Text, DialogueStateTracker] = {}

    async def _patiently(self, operation: str, call: Callable[[], Awaitable[Any]]) -> Any:
        """A shared store's database call, tried again until OUTAGE_WAIT_SECONDS have passed."""
        deadline = time.monotonic() + OUTAGE_WAIT_SECONDS
        while True:
            try:
                return await call()
            except Exception as error:
                self.record_failure(operation, error)
                if time.monotonic() > deadline:
                    raise StoreUnavailable(f"conversation database unavailable ({operation})") from None
            await asyncio.sleep(RETRY_PAUSE_SECONDS)

    def record_failure(self, operation: str, error: Exception) -> None:
        """Counts and logs the failure, and drops pooled connections a restarted database closed."""
        ConversationStore.failures += 1
        self.engine.dispose()
        logger.error(
            "conversation store: %s failed (%s); %d failure(s) since start; %d conversation(s) kept in memory "
            "until the database answers",
            operation,
            logs.reason(error),
            ConversationStore.failures,
            len(self.unsaved),
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Saves the tracker, and any kept from an outage; keeps it in memory if the database fails.
        A saved conversation whose latest turn escalated raises its staff alert, one whose patient
        asked for a person goes to the staff."""
        if self.shared:
            await self._patiently("save", lambda: super(ConversationStore, self).save(tracker))
            await self.after_save(tracker)
            return
        try:
            await super().save(tracker)
        except Exception as error:  # any database error: its message may quote the data
            self.unsaved[tracker.sender_id] = copy.deepcopy(tracker)
            self.record_failure("save", error)
            return
        await self.after_save(tracker)
        self.unsaved.pop(tracker.sender_id, None)
        for sender_id, unsaved in list(self.unsaved.items()):
            try:
                await super().save(unsaved)
            except Exception as error:
                self.record_failure("save", error)
                return
            await self.after_save(unsaved)
            del self.unsaved[sender_id]

    async def after_save(self, tracker: DialogueStateTracker) -> None:
        """The staff alert or handoff of the tracker's latest turn, if any (bot/rasa/staff.py)."""
        try:
            await asyncio.get_running_loop().run_in_executor(None, staff.after_save, database(), tracker)
        except Exception as error:  # the database failed after the save: logged without data
            logger.error("a saved conversation's alert or handoff could not be recorded (%s)", logs.reason(error))

    async def _read(
        self, sender_id: Text, read: Callable[[Text], Awaitable[Optional[DialogueStateTracker]]]
    ) -> Optional[DialogueStateTracker]:
        """A conversation kept during an outage, else what `read` finds (None if the database fails)."""
        if self.shared:
            return await self._patiently("retrieve", lambda: read(sender_id))
        if sender_id in self.unsaved:
            return copy.deepcopy(self.unsaved[sender_id])
        try:
            return await read(sender_id)
        except Exception as error:
            self.record_failure("retrieve", error)
            return None

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._read(sender_id, super().retrieve)

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._read(sender_id, super().retrieve_full_tracker)
