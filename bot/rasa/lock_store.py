"""Conversation locks shared by several Rasa replicas, in Redis (LOCK_STORE_URL).

Rasa's RedisLockStore reads a conversation's lock, changes it and writes it back in three
separate Redis calls, so two replicas taking a ticket at the same moment can both get the same
one and process two messages of one conversation at once. Here every read-change-write of a
lock runs under a short Redis mutex (redis-py's lock, SET NX with an expiry), so tickets are
unique across replicas. A ticket lives LOCK_LIFETIME_SECONDS: a replica that dies holding one
delays that conversation's next message by at most that long.
"""

from __future__ import annotations

from typing import Any, Optional, Text
from urllib.parse import urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot import settings

MUTEX_SECONDS = 5  # longest a crashed replica can hold a lock's mutex


def endpoint_config(url: str) -> Optional[EndpointConfig]:
    """The lock store endpoint for redis://[:password@]host:port/db; None (locks in memory) for ''."""
    redis = urlsplit(url)
    if not redis.hostname:
        return None
    return EndpointConfig(
        url=redis.hostname,
        type=f"{SerialRedisLockStore.__module__}.{SerialRedisLockStore.__name__}",
        port=redis.port or 6379,
        db=int(redis.path.strip("/") or 0),
        password=redis.password,
    )


class SerialRedisLockStore(RedisLockStore):
    """RedisLockStore whose tickets are issued and returned atomically across replicas."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:  # how Rasa builds a custom store
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _mutex(self, conversation_id: Text) -> Any:
        return self.red.lock(
            f"{self.key_prefix}{conversation_id}:mutex", timeout=MUTEX_SECONDS, blocking_timeout=MUTEX_SECONDS
        )

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = 0) -> int:
        try:
            with self._mutex(conversation_id):
                lock = self.get_or_create_lock(conversation_id)
                ticket = lock.issue_ticket(settings.lock_lifetime_seconds())
                self.save_lock(lock)
                return ticket
        except Exception as error:
            raise LockError(f"could not take a ticket ({type(error).__name__})") from None

    def update_lock(self, conversation_id: Text) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().finish_serving(conversation_id, ticket_number)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            lock: Optional[TicketLock] = self.get_lock(conversation_id)
            if lock is None:
                return
            lock.remove_ticket_for(ticket_number)
            if lock.is_someone_waiting():
                self.save_lock(lock)
            else:
                self.delete_lock(conversation_id)
