"""Conversation locks: Rasa's custom lock store (endpoints.yml `lock_store`), in Redis when its
`url` is set (LOCK_STORE_URL, for several replicas), else in the server's memory.

Rasa's RedisLockStore reads a conversation's lock, changes it and writes it back in three
separate Redis calls, so two replicas taking a ticket at the same moment can both get the same
one and process two messages of one conversation at once. Here every read-change-write of a
lock runs under a short Redis mutex (redis-py's lock, SET NX with an expiry), so tickets are
unique across replicas. A ticket lives LOCK_LIFETIME_SECONDS: a replica that dies holding one
delays that conversation's next message by at most that long.
"""

from __future__ import annotations

import logging
from typing import Any, Optional, Text

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX,
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig

from bot import settings

logger = logging.getLogger(__name__)

MUTEX_SECONDS = 5  # longest a crashed replica can hold a lock's mutex


class ConversationLockStore(LockStore):
    """What endpoints.yml names: a SerialRedisLockStore for a `url` (redis://[:password@]host:port/db
    or rediss://), an in-memory store for an empty one."""

    def __new__(cls, endpoint_config: EndpointConfig) -> "ConversationLockStore":
        if cls is ConversationLockStore:
            cls = SerialRedisLockStore if endpoint_config.url else MemoryLockStore
        return super().__new__(cls)


class MemoryLockStore(ConversationLockStore, InMemoryLockStore):
    """Rasa's in-memory locks, for a single Rasa server."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        InMemoryLockStore.__init__(self)


def _described(error: Exception) -> str:
    """The error's type, with its message when it is about the connection (no conversation in it)."""
    if isinstance(error, redis.ConnectionError):
        return f"{type(error).__name__}: {error}"
    return type(error).__name__


class SerialRedisLockStore(ConversationLockStore, RedisLockStore):
    """RedisLockStore whose tickets are issued and returned atomically across replicas."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # redis-py reads the whole URL (password, database, rediss:// and its ssl_* options), where
        # Rasa's RedisLockStore takes its parts; these are the attributes that sets
        self.red = redis.Redis.from_url(str(endpoint_config.url), socket_timeout=DEFAULT_SOCKET_TIMEOUT_IN_SECONDS)
        self.key_prefix = DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX
        try:
            self.red.ping()
        except redis.RedisError as error:  # the server starts anyway: Redis may come up after it
            logger.error("lock store: Redis does not answer (%s); messages fail until it does", _described(error))

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
            raise LockError(f"could not take a ticket ({_described(error)})") from None

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
