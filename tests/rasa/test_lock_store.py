"""Conversation locks in Redis, shared by replicas: tickets are unique even when two replicas take
them at the same moment (Rasa's own RedisLockStore can hand out one ticket twice); a Redis that
requires a password is reached with the one in the URL, rediss:// over TLS; no URL means locks in memory."""

import threading
from typing import List

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig
from redis import SSLConnection

from bot.rasa.lock_store import ConversationLockStore, SerialRedisLockStore

TICKETS_PER_REPLICA = 60


def store(url: str) -> LockStore:
    """The lock store as Rasa creates it from endpoints.yml."""
    type_ = f"{ConversationLockStore.__module__}.{ConversationLockStore.__name__}"
    return LockStore.create(EndpointConfig(url=url, type=type_))


def test_no_ticket_is_issued_twice_across_replicas(redis):
    replicas = [store(redis.url) for _ in range(2)]
    tickets: List[int] = []
    barrier = threading.Barrier(len(replicas))

    def take(replica: LockStore) -> None:
        barrier.wait()
        for _ in range(TICKETS_PER_REPLICA):
            tickets.append(replica.issue_ticket("same-conversation"))

    threads = [threading.Thread(target=take, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(tickets) == 2 * TICKETS_PER_REPLICA and len(set(tickets)) == len(tickets)


def test_the_lock_is_removed_when_its_last_ticket_is_served(redis):
    replica = store(redis.url)
    first, second = replica.issue_ticket("served"), replica.issue_ticket("served")
    replica.cleanup("served", first)
    assert replica.get_lock("served") is not None  # the second is still waiting
    replica.cleanup("served", second)
    assert replica.get_lock("served") is None


def test_a_redis_with_a_password_is_reached_with_the_urls_and_a_wrong_one_is_named_not_shown(secured_redis):
    replica = store(secured_redis.url)
    assert isinstance(replica, SerialRedisLockStore)
    replica.cleanup("secured", replica.issue_ticket("secured"))
    wrong = store(secured_redis.url.replace(secured_redis.password, "not-the-password"))
    with pytest.raises(LockError, match="AuthenticationError: invalid username-password pair") as error:
        wrong.issue_ticket("secured")
    assert "not-the-password" not in str(error.value)


def test_no_redis_url_means_locks_in_memory():
    assert isinstance(store(""), InMemoryLockStore)


def test_a_rediss_url_connects_over_tls_with_its_certificate_authority():
    replica = store("rediss://:secret@127.0.0.1:9/0?ssl_ca_certs=/etc/spine/redis-ca.crt")  # nothing listens there
    assert isinstance(replica, SerialRedisLockStore)
    pool = replica.red.connection_pool
    assert pool.connection_class is SSLConnection
    assert pool.connection_kwargs["ssl_ca_certs"] == "/etc/spine/redis-ca.crt"
